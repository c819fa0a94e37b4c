-- Time to first triage per day and source: minutes from the file landing to the first annotation and
-- routing decision (see stg_reviews). High-severity items are also measured on their own.
select
    day,
    source,
    count(*) as reviews,
    round(median(minutes_to_first_triage), 3) as median_minutes_to_first_triage,
    round(quantile_cont(minutes_to_first_triage, 0.9), 3) as p90_minutes_to_first_triage,
    round(median(case when is_high_severity then minutes_to_first_triage end), 3)
        as median_minutes_to_first_triage_high_severity,
    sum(case when is_auto_triaged then 1 else 0 end) as auto_triaged_reviews
from {{ ref('stg_reviews') }}
group by 1, 2
