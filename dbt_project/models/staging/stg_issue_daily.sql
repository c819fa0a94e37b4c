-- Daily issue counts with the product dimension attached (the start of the ROI marts).
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
