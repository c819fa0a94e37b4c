-- Cost of delay avoided, per issue cluster the platform alerted on: day × category (primary issue) ×
-- product family × region with at least one high-severity review routed to `alert`. Before the platform a
-- cluster waited `baseline_manual_hours_to_triage` to be triaged; now it waits the minutes to its first
-- alerted review. The hours saved, in days, times the category's cost of one day of delay (seed
-- delay_cost_by_category) is the cost of delay avoided.
with alerted as (
    select
        day,
        primary_issue as category,
        product_family,
        region,
        count(*) as alerted_high_severity_reviews,
        min(minutes_to_first_triage) as minutes_to_first_alert
    from {{ ref('stg_reviews') }}
    where route = 'alert' and is_high_severity and primary_issue <> 'none'
    group by 1, 2, 3, 4
)

select
    a.day,
    a.category,
    a.product_family,
    a.region,
    a.alerted_high_severity_reviews,
    a.minutes_to_first_alert,
    e.baseline_manual_hours_to_triage,
    greatest(e.baseline_manual_hours_to_triage - a.minutes_to_first_alert / 60.0, 0) as hours_of_delay_avoided,
    c.cost_of_one_day_delay_usd,
    greatest(e.baseline_manual_hours_to_triage - a.minutes_to_first_alert / 60.0, 0) / 24.0
        * coalesce(c.cost_of_one_day_delay_usd, 0) as cost_of_delay_avoided_usd
from alerted as a
cross join {{ ref('roi_unit_economics') }} as e
left join {{ ref('delay_cost_by_category') }} as c on c.category = a.category
