-- Issue clusters: reviews reporting each issue per day × issue type × product family × SKU × region. A
-- review counts once per issue it reports (like gold/issue_daily, with the SKU kept).
select
    r.day,
    exploded.issue_type,
    r.product_family,
    coalesce(r.sku, 'unknown') as sku,
    r.region,
    count(*) as reviews,
    sum(case when r.is_negative then 1 else 0 end) as negative_reviews,
    sum(case when r.is_high_severity then 1 else 0 end) as high_severity_reviews,
    sum(case when r.severity = 'critical' then 1 else 0 end) as critical_reviews,
    sum(case when r.route = 'alert' then 1 else 0 end) as alerted_reviews,
    round(avg(r.rating), 3) as average_rating,
    round(avg(r.confidence), 4) as mean_confidence
from {{ ref('stg_reviews') }} as r {{ explode_array('r.issue_types', 'issue_type') }}
group by 1, 2, 3, 4, 5
