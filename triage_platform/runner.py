"""`triage run`: process whatever is in the landing zone now, through the whole graph, then exit.

It uses the landing sensor's discovery routine and the same job, executed in this process against the
project-local Dagster instance, so every run shows up in the Dagster UI afterwards.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg

from triage_platform.lib.alerts.delivery import DeliveryReport
from triage_platform.lib.dbt import missing_source_tables
from triage_platform.lib.ingest.discovery import decode_cursor, encode_cursor
from triage_platform.lib.ingest.plan import IngestionPlan, discover_new_files
from triage_platform.lib.ingest.registry import LandingRegistry
from triage_platform.lib.paths import TriagePaths
from triage_platform.lib.roi.dashboard import DASHBOARD_FILE
from triage_platform.settings import Settings

INSTANCE_YAML = """\
# The project-local Dagster instance (written by `triage`; edit freely, it is not overwritten).
telemetry:
  enabled: false
concurrency:
  runs:
    max_concurrent_runs: 1
run_monitoring:
  enabled: true
"""
MEDALLION_JOB = "medallion_job"
ROI_JOB = "daily_roi"
# Runs are recorded in full in the instance (see the UI); the terminal only gets warnings and errors.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def prepare_instance(paths: TriagePaths) -> dg.DagsterInstance:
    """The Dagster instance under TRIAGE_HOME/dagster_home (SQLite storage), created on first use."""
    paths.ensure()
    config = paths.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_YAML)
    os.environ["DAGSTER_HOME"] = str(paths.dagster_home)
    return dg.DagsterInstance.get()


def load_definitions() -> dg.Definitions:
    from triage_platform.definitions import defs

    return defs() if callable(defs) else defs


@dataclass
class RunReport:
    plan: IngestionPlan
    day_results: dict[date, bool] = field(default_factory=dict)
    delivery: DeliveryReport | None = None
    roi_ok: bool | None = None
    """Whether the dbt models and the ROI dashboard were rebuilt (None: not attempted)."""
    roi_log_tail: str = ""
    dashboard: Path | None = None
    seconds: float = 0.0

    @property
    def failed_days(self) -> list[date]:
        return [day for day, ok in self.day_results.items() if not ok]


def run_available_now(
    settings: Settings,
    instance: dg.DagsterInstance,
    landing: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunReport:
    """Discover new landed files, then materialize every day partition they touch, one run per day."""
    started = time.monotonic()
    paths = dataclasses.replace(settings.paths, landing_override=landing.resolve() if landing else None)
    registry = LandingRegistry(paths, settings.partition_start)
    cursor_file = paths.state / "triage_run_cursor.json"
    known = decode_cursor(cursor_file.read_text()) if cursor_file.exists() and landing is None else {}
    plan = discover_new_files(registry, known)
    if landing is None:
        cursor_file.write_text(encode_cursor(plan.cursor))
    definitions = load_definitions()
    job = definitions.resolve_job_def(MEDALLION_JOB)
    report = RunReport(plan=plan)
    for day in plan.days:
        result = job.execute_in_process(
            partition_key=day.isoformat(),
            instance=instance,
            run_config=QUIET_CONSOLE,
            tags={"triage/trigger": "triage_run"},
            raise_on_error=False,
        )
        report.day_results[day] = result.success
        if progress:
            progress(f"  {day}: {'ok' if result.success else 'FAILED'} (run {result.run_id[:8]})")
    # The same delivery code as the alert sensor, so a one-shot run notifies too.
    report.delivery = definitions.resources["alerting"].deliver()
    dashboard = paths.reports / DASHBOARD_FILE
    if (plan.days or not dashboard.exists()) and not missing_source_tables(paths.lake):
        report.roi_ok, report.roi_log_tail = run_roi(definitions, instance)
        if progress:
            progress(f"  dbt marts, ROI rollups and dashboard: {'ok' if report.roi_ok else 'FAILED'}")
    report.dashboard = dashboard if dashboard.exists() else None
    report.seconds = time.monotonic() - started
    return report


def run_roi(definitions: dg.Definitions, instance: dg.DagsterInstance) -> tuple[bool, str]:
    """The `daily_roi` job (every dbt model, seed and test, then the dashboard) in this instance. dbt's
    own log lines go to the run's logs, not the terminal; the tail is returned for a failed run."""
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        result = definitions.resolve_job_def(ROI_JOB).execute_in_process(
            instance=instance,
            run_config=QUIET_CONSOLE,
            tags={"triage/trigger": "triage_run"},
            raise_on_error=False,
        )
    return result.success, "" if result.success else captured.getvalue()[-3000:]


def report_json(report: RunReport) -> str:
    return json.dumps(
        {
            "new_file_versions": len(report.plan.registered),
            "days": [d.isoformat() for d in report.plan.days],
            "failed_days": [d.isoformat() for d in report.failed_days],
            "roi_ok": report.roi_ok,
            "dashboard": str(report.dashboard) if report.dashboard else None,
            "seconds": round(report.seconds, 1),
        }
    )
