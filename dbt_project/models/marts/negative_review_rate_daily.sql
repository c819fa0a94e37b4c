-- Share of reviews per day and product family that are negative or mixed: the lagging indicator the
-- ROI report tracks against its baseline period.
select
    day,
    product_family,
    count(*) as reviews,
    sum(case when is_negative then 1 else 0 end) as negative_reviews,
    round(sum(case when is_negative then 1 else 0 end) * 1.0 / count(*), 4) as negative_review_rate
from {{ ref('stg_reviews') }}
group by 1, 2
