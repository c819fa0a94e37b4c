"""ROI reporting: the dashboard over the dbt ROI models (pure Python, no Dagster)."""
