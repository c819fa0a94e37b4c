-- Every ROI measure per ISO week (weeks start on Monday), for the weekly review.
{{ roi_rollup("cast(" ~ dbt.date_trunc('week', 'day') ~ " as date)", 'week_start') }}
