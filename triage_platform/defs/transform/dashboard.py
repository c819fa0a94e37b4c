"""The ROI dashboard: a self-contained HTML report over the dbt ROI models, written under TRIAGE_HOME."""

import dagster as dg
import pandas as pd

from triage_platform.defs.transform.dbt import DBT_OWNERS, DBT_POOL
from triage_platform.lib.roi.dashboard import DASHBOARD_FILE, FIGURE_IDS, write_dashboard
from triage_platform.lib.roi.data import load_dashboard_data
from triage_platform.resources import TriageStorage

DASHBOARD = dg.AssetKey(["roi", "dashboard"])
DASHBOARD_INPUTS = [
    dg.AssetKey(["roi", "roi_summary"]),
    dg.AssetKey(["roi", "roi_periods"]),
    dg.AssetKey(["roi", "roi_daily"]),
    dg.AssetKey(["roi", "roi_weekly"]),
    dg.AssetKey(["marts", "top_defect_themes"]),
    dg.AssetKey(["marts", "alert_acknowledgement"]),
    dg.AssetKey(["marts", "unresolved_high_severity"]),
    dg.AssetKey(["staging", "stg_issue_daily"]),
]


@dg.asset(
    key=DASHBOARD,
    deps=DASHBOARD_INPUTS,
    group_name="roi",
    owners=DBT_OWNERS,
    kinds={"html", "matplotlib"},
    pool=DBT_POOL,
)
def roi_dashboard(storage: TriageStorage) -> dg.MaterializeResult:
    """The ROI dashboard leadership reads (TRIAGE_HOME/reports/roi.html, one self-contained file): baseline
    vs current period for every leading, lagging and value measure, the negative review rate trend with
    the incident marked, time to triage before/after, top defect themes with redacted samples, alert
    volumes, and model quality per category over model versions."""
    data = load_dashboard_data(storage.paths.warehouse, storage.paths.models)
    path = write_dashboard(data, storage.paths.reports / DASHBOARD_FILE)
    summary = data.summary.set_index("measure") if not data.summary.empty else None

    def current(measure: str) -> float | None:
        if summary is None or measure not in summary.index:
            return None
        value = summary.loc[measure, "current_value"]
        return None if pd.isna(value) else round(float(value), 4)

    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "url": dg.MetadataValue.url(path.resolve().as_uri()),
            "plots": len(FIGURE_IDS),
            "bytes": path.stat().st_size,
            "spike_days": len({spike.day for spike in data.spikes}),
            "model_versions": int(data.model_quality["model_version"].nunique()),
            "current_net_value_usd": current("net_value_usd"),
            "current_analyst_hours_saved": current("analyst_hours_saved"),
            "current_negative_review_rate": current("negative_review_rate"),
            "current_median_minutes_to_first_triage": current("median_minutes_to_first_triage"),
            "unresolved_high_severity": data.unresolved_high_severity,
        }
    )
