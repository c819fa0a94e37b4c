-- Every ROI measure for the baseline period and the current period (see roi_periods).
{{ roi_rollup("case when day between p.current_start and p.current_end then 'current'
    when day between p.baseline_start and p.baseline_end then 'baseline' end", 'period') }}
