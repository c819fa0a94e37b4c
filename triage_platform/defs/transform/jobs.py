"""`daily_roi` and `weekly_roi`: the dbt rollups and the dashboard, on a schedule and by hand."""

import dagster as dg

from triage_platform.defs.transform.dashboard import DASHBOARD
from triage_platform.lib.dbt import missing_source_tables
from triage_platform.resources import TriageStorage

WAREHOUSE_GROUPS = ("marts", "roi")

daily_roi = dg.define_asset_job(
    name="daily_roi",
    selection=dg.AssetSelection.groups(*WAREHOUSE_GROUPS),
    description="Rebuild every dbt mart and ROI model over the lake (dbt tests as asset checks), then the "
    "ROI dashboard. `triage run` runs it after the day partitions.",
    tags={"triage/roi": "daily"},
)

weekly_roi = dg.define_asset_job(
    name="weekly_roi",
    selection=(
        dg.AssetSelection.assets(
            dg.AssetKey(["roi", "roi_weekly"]), dg.AssetKey(["roi", "roi_summary"])
        ).upstream()
        & dg.AssetSelection.groups(*WAREHOUSE_GROUPS)
    )
    | dg.AssetSelection.assets(DASHBOARD),
    description="The weekly business review: the per-week ROI rollup and the baseline-vs-current summary "
    "(with what they read), then the dashboard.",
    tags={"triage/roi": "weekly"},
)


def _request_when_lake_ready(storage: TriageStorage) -> dg.RunRequest | dg.SkipReason:
    """A run once the lake has every table the dbt sources read; a skip that says what is missing before."""
    missing = missing_source_tables(storage.paths.lake)
    if missing:
        return dg.SkipReason(f"the lake has no {', '.join(missing)} yet: nothing to roll up")
    return dg.RunRequest(tags={"triage/trigger": "schedule"})


@dg.schedule(
    job=daily_roi,
    cron_schedule="30 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def daily_roi_schedule(storage: TriageStorage) -> dg.RunRequest | dg.SkipReason:
    """Every morning at 06:30 UTC, once yesterday's partitions are in: marts, ROI rollups, dashboard."""
    return _request_when_lake_ready(storage)


@dg.schedule(
    job=weekly_roi,
    cron_schedule="0 7 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def weekly_roi_schedule(storage: TriageStorage) -> dg.RunRequest | dg.SkipReason:
    """Mondays at 07:00 UTC: the weekly ROI rollup and summary, and the dashboard, for the weekly review."""
    return _request_when_lake_ready(storage)
