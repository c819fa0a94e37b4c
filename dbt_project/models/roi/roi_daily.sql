-- Every ROI measure per day of reviews (leading and lagging), for the daily trend and the dashboard.
{{ roi_rollup('day', 'day') }}
