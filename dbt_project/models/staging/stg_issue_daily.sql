-- Daily issue counts per issue type, product family and region, as gold/issue_daily computes them (the
-- counts spike detection reads).
select
    d.day,
    d.issue_type,
    d.product_family,
    d.region,
    d.reviews,
    d.negative_reviews,
    d.high_severity_reviews,
    d.critical_reviews
from {{ source('gold', 'issue_daily') }} as d
