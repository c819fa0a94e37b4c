{#-
  Every ROI measure at one grain: `grain` is a SQL expression over `day` (and the roi_periods columns,
  available as p.*) naming the group a day belongs to, output as column `grain_name`; days where it is null
  are left out. roi_daily,
  roi_weekly and roi_period_measures are this macro at three grains, so they always agree.
-#}
{% macro roi_rollup(grain, grain_name) %}
with economics as (
    select * from {{ ref('roi_unit_economics') }}
),

reviews as (
    select
        {{ grain }} as grain,
        r.*,
        coalesce(s.unit_price, e.average_order_value_usd) as order_value_usd,
        e.gross_margin
    from {{ ref('stg_reviews') }} as r
    cross join {{ ref('roi_periods') }} as p
    cross join economics as e
    left join {{ ref('dim_sku') }} as s on s.sku = r.sku
),

review_measures as (
    select
        grain,
        count(distinct day) as days_with_data,
        count(*) as reviews,
        sum(case when is_negative then 1 else 0 end) as negative_reviews,
        avg(rating) as average_rating,
        sum(case when is_support_ticket then 1 else 0 end) as support_tickets,
        sum(case when is_refund_request then 1 else 0 end) as refund_requests,
        sum(case when is_refund_request then order_value_usd * gross_margin else 0 end)
            as refund_margin_at_risk_usd,
        median(minutes_to_first_triage) as median_minutes_to_first_triage,
        sum(case when is_auto_triaged then 1 else 0 end) as auto_triaged_reviews,
        sum(case when is_high_severity then 1 else 0 end) as high_severity_reviews,
        sum(case when is_high_severity_correctly_routed then 1 else 0 end) as high_severity_correctly_routed,
        sum(case when is_llm_decided then 1 else 0 end) as llm_decided_reviews
    from reviews
    where grain is not null
    group by 1
),

alert_measures as (
    select
        {{ grain }} as grain,
        count(*) as alerts,
        sum(case when a.is_high_priority then 1 else 0 end) as high_priority_alerts,
        sum(case when a.acknowledged_at is not null then 1 else 0 end) as acknowledged_alerts,
        median(a.minutes_to_acknowledge) as median_minutes_to_acknowledge
    from (select *, cast(window_start as date) as day from {{ ref('stg_alerts') }}) as a
    cross join {{ ref('roi_periods') }} as p
    where {{ grain }} is not null
    group by 1
),

delay_measures as (
    select
        {{ grain }} as grain,
        count(*) as alerted_clusters,
        sum(c.cost_of_delay_avoided_usd) as cost_of_delay_avoided_usd
    from {{ ref('roi_delay_clusters') }} as c
    cross join {{ ref('roi_periods') }} as p
    where {{ grain }} is not null
    group by 1
),

-- LLM spend as the LLM stage recorded it, one ml/llm_usage row per annotation run (daily and nightly
-- reprocessing alike), summed over the days of the group.
llm_measures as (
    select
        {{ grain }} as grain,
        sum(u.cost_usd) as llm_cost_usd,
        sum(u.calls) as llm_calls
    from {{ ref('stg_llm_usage') }} as u
    cross join {{ ref('roi_periods') }} as p
    where {{ grain }} is not null
    group by 1
)

select
    m.grain as {{ grain_name }},
    m.days_with_data,
    m.reviews,
    m.negative_reviews,
    m.negative_reviews * 1.0 / nullif(m.reviews, 0) as negative_review_rate,
    m.average_rating,
    m.support_tickets,
    m.support_tickets * 1.0 / nullif(m.days_with_data, 0) as support_tickets_per_day,
    m.refund_requests,
    m.refund_requests * 1.0 / nullif(m.reviews, 0) as refund_request_share,
    m.refund_margin_at_risk_usd,
    m.median_minutes_to_first_triage,
    coalesce(a.alerts, 0) as alerts,
    coalesce(a.high_priority_alerts, 0) as high_priority_alerts,
    coalesce(a.acknowledged_alerts, 0) as acknowledged_alerts,
    a.median_minutes_to_acknowledge,
    m.high_severity_reviews,
    m.high_severity_correctly_routed,
    m.high_severity_correctly_routed * 1.0 / nullif(m.high_severity_reviews, 0)
        as high_severity_correctly_routed_share,
    m.auto_triaged_reviews,
    m.auto_triaged_reviews * e.manual_triage_minutes_per_item / 60.0 as analyst_hours_saved,
    m.auto_triaged_reviews * e.manual_triage_minutes_per_item / 60.0 * e.analyst_cost_per_hour_usd
        as analyst_cost_saved_usd,
    coalesce(d.alerted_clusters, 0) as alerted_clusters,
    coalesce(d.cost_of_delay_avoided_usd, 0) as cost_of_delay_avoided_usd,
    m.llm_decided_reviews,
    coalesce(l.llm_calls, 0) as llm_calls,
    coalesce(l.llm_cost_usd, 0) as llm_cost_usd,
    m.auto_triaged_reviews * e.manual_triage_minutes_per_item / 60.0 * e.analyst_cost_per_hour_usd
        + coalesce(d.cost_of_delay_avoided_usd, 0) - coalesce(l.llm_cost_usd, 0) as net_value_usd
from review_measures as m
cross join economics as e
left join alert_measures as a on a.grain = m.grain
left join delay_measures as d on d.grain = m.grain
left join llm_measures as l on l.grain = m.grain
{% endmacro %}
