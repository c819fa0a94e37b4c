-- Top defect themes: each issue type ranked by the reviews reporting it, with its most affected product
-- family and region and up to three sample texts (PII-redacted, highest confidence first).
with exploded as (
    select r.*, exploded.issue_type
    from {{ ref('stg_reviews') }} as r {{ explode_array('r.issue_types', 'issue_type') }}
),

themes as (
    select
        issue_type,
        count(*) as reviews,
        sum(case when is_negative then 1 else 0 end) as negative_reviews,
        sum(case when is_high_severity then 1 else 0 end) as high_severity_reviews,
        count(distinct sku) as skus,
        min(day) as first_day,
        max(day) as last_day,
        {{ first_values('text_redacted', 'confidence desc, review_key', 3) }} as sample_texts
    from exploded
    group by 1
),

top_family as (
    select issue_type, product_family, row_number() over (
        partition by issue_type order by count(*) desc, product_family
    ) as position
    from exploded
    group by 1, 2
),

top_region as (
    select issue_type, region, row_number() over (
        partition by issue_type order by count(*) desc, region
    ) as position
    from exploded
    group by 1, 2
)

select
    row_number() over (order by t.reviews desc, t.issue_type) as theme_rank,
    t.issue_type,
    t.reviews,
    t.negative_reviews,
    t.high_severity_reviews,
    t.skus,
    f.product_family as top_product_family,
    g.region as top_region,
    t.first_day,
    t.last_day,
    t.sample_texts
from themes as t
left join top_family as f on f.issue_type = t.issue_type and f.position = 1
left join top_region as g on g.issue_type = t.issue_type and g.position = 1
