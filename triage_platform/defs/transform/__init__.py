"""dbt marts and ROI rollups over the lake, the ROI dashboard, and the daily/weekly ROI jobs."""
