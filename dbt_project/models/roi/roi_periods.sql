-- The two periods every ROI figure compares. By default the baseline is the first `roi_period_days` days
-- of data and the current period the last `roi_period_days` days (each shrunk to half the days of data
-- when there is less than twice that, so they never overlap). The vars roi_baseline_start/_end and
-- roi_current_start/_end (YYYY-MM-DD) override them.
with bounds as (
    select min(day) as first_day, max(day) as last_day
    from {{ ref('stg_reviews') }}
),

sized as (
    select
        first_day,
        last_day,
        {{ dbt.datediff('first_day', 'last_day', 'day') }} + 1 as days_of_data,
        greatest(1, least({{ var('roi_period_days') }},
            cast(floor(({{ dbt.datediff('first_day', 'last_day', 'day') }} + 1) / 2) as integer))) as period_days
    from bounds
),

periods as (
    select
        first_day,
        last_day,
        days_of_data,
        {% if var('roi_baseline_start', none) %} cast('{{ var("roi_baseline_start") }}' as date)
        {% else %} first_day {% endif %} as baseline_start,
        {% if var('roi_baseline_end', none) %} cast('{{ var("roi_baseline_end") }}' as date)
        {% else %} cast({{ dbt.dateadd('day', 'period_days - 1', 'first_day') }} as date) {% endif %} as baseline_end,
        {% if var('roi_current_start', none) %} cast('{{ var("roi_current_start") }}' as date)
        {% else %} cast({{ dbt.dateadd('day', '1 - period_days', 'last_day') }} as date) {% endif %} as current_start,
        {% if var('roi_current_end', none) %} cast('{{ var("roi_current_end") }}' as date)
        {% else %} last_day {% endif %} as current_end
    from sized
)

select
    *,
    {{ dbt.datediff('baseline_start', 'baseline_end', 'day') }} + 1 as baseline_days,
    {{ dbt.datediff('current_start', 'current_end', 'day') }} + 1 as current_days
from periods
