-- The unit economics the user edits (seeds/unit_economics.csv), one column per parameter.
select
    max(case when parameter = 'gross_margin' then value end) as gross_margin,
    max(case when parameter = 'analyst_cost_per_hour_usd' then value end) as analyst_cost_per_hour_usd,
    max(case when parameter = 'manual_triage_minutes_per_item' then value end) as manual_triage_minutes_per_item,
    max(case when parameter = 'baseline_manual_hours_to_triage' then value end) as baseline_manual_hours_to_triage,
    max(case when parameter = 'average_order_value_usd' then value end) as average_order_value_usd
from {{ ref('unit_economics') }}
