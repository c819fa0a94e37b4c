-- The ROI report: one row per measure, baseline period vs current period (dates in roi_periods).
-- Leading indicators move first (time to triage, acknowledgement time, high-severity items routed
-- right); lagging ones follow (negative review rate, ratings, tickets, returns); value rows are money and
-- hours from the unit economics seed.
{%- set measures = [
    ('median_minutes_to_first_triage', 'Time to first triage (median, minutes)', 'leading', 'minutes', 'lower'),
    ('median_minutes_to_acknowledge', 'Alert acknowledgement time (median, minutes)', 'leading', 'minutes', 'lower'),
    ('high_severity_correctly_routed_share', 'High-severity items routed to a person, not overridden', 'leading', 'share', 'higher'),
    ('negative_review_rate', 'Negative review rate', 'lagging', 'share', 'lower'),
    ('average_rating', 'Average rating (1-5)', 'lagging', 'stars', 'higher'),
    ('support_tickets_per_day', 'Support tickets per day', 'lagging', 'tickets', 'lower'),
    ('refund_request_share', 'Return-rate proxy: share of feedback asking for a refund', 'lagging', 'share', 'lower'),
    ('refund_margin_at_risk_usd', 'Margin at risk behind refund requests', 'lagging', 'usd', 'lower'),
    ('analyst_hours_saved', 'Analyst hours saved by automatic triage', 'value', 'hours', 'higher'),
    ('analyst_cost_saved_usd', 'Analyst cost saved', 'value', 'usd', 'higher'),
    ('cost_of_delay_avoided_usd', 'Cost of delay avoided', 'value', 'usd', 'higher'),
    ('llm_cost_usd', 'LLM cost', 'value', 'usd', 'lower'),
    ('net_value_usd', 'Net value (saved + avoided - LLM cost)', 'value', 'usd', 'higher'),
    ('reviews', 'Feedback items', 'volume', 'items', 'none'),
    ('alerts', 'Alerts raised (review and spike)', 'volume', 'alerts', 'none'),
] %}

with baseline as (
    select * from {{ ref('roi_period_measures') }} where period = 'baseline'
),

current_period as (
    select * from {{ ref('roi_period_measures') }} where period = 'current'
),

measure_rows as (
{%- for name, label, indicator, unit, better in measures %}
    select
        {{ loop.index }} as position,
        '{{ name }}' as measure,
        '{{ label }}' as label,
        '{{ indicator }}' as indicator,
        '{{ unit }}' as unit,
        '{{ better }}' as better_when,
        cast(b.{{ name }} as double) as baseline_value,
        cast(c.{{ name }} as double) as current_value,
        cast(null as varchar) as note
    from {{ ref('roi_periods') }} as p
    left join baseline as b on true
    left join current_period as c on true
    union all
{%- endfor %}
    -- Before the platform: the manual time to triage the team measured (seed), against today's.
    select
        0 as position,
        'time_to_first_triage_vs_manual' as measure,
        'Time to first triage: manual baseline vs current (minutes)' as label,
        'leading' as indicator,
        'minutes' as unit,
        'lower' as better_when,
        cast(e.baseline_manual_hours_to_triage * 60 as double) as baseline_value,
        cast(c.median_minutes_to_first_triage as double) as current_value,
        'baseline = baseline_manual_hours_to_triage of the unit economics seed' as note
    from {{ ref('roi_unit_economics') }} as e
    left join current_period as c on true
)

select
    r.position,
    r.measure,
    r.label,
    r.indicator,
    r.unit,
    r.better_when,
    r.baseline_value,
    r.current_value,
    r.current_value - r.baseline_value as change,
    (r.current_value - r.baseline_value) / nullif(abs(r.baseline_value), 0) as change_share,
    case
        when r.better_when = 'none' or r.baseline_value is null or r.current_value is null then null
        when r.current_value = r.baseline_value then 'unchanged'
        when (r.current_value < r.baseline_value) = (r.better_when = 'lower') then 'better'
        else 'worse'
    end as verdict,
    case
        when r.measure = 'llm_cost_usd'
            then 'spend recorded by the LLM stage per annotation run (ml/llm_usage), incl. nightly reprocessing'
        when r.measure = 'median_minutes_to_acknowledge' and r.current_value is null
            then 'no alert acknowledged in the period yet'
        else r.note
    end as note,
    p.baseline_start,
    p.baseline_end,
    p.current_start,
    p.current_end
from measure_rows as r
cross join {{ ref('roi_periods') }} as p
order by r.position
