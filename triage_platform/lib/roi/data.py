"""What the ROI dashboard shows, read from the dbt warehouse (DuckDB) and the model registry.

Everything the dashboard plots is a dbt model (docs/roi.md defines each measure), except the model quality
per category, which comes from the manifests of the models in TRIAGE_HOME/models.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from triage_platform.lib.annotate.registry import ModelStore
from triage_platform.lib.spikes import Spike, find_spikes

WAREHOUSE_TABLES = (
    "roi_summary",
    "roi_periods",
    "roi_daily",
    "roi_weekly",
    "top_defect_themes",
    "alert_acknowledgement",
    "unresolved_high_severity",
    "stg_issue_daily",
)
"""The dbt models the dashboard reads (all built by `daily_roi`)."""

METRIC_SOURCES = ("evaluation", "holdout", "oof")
"""Which measurement of a model manifest is shown, first found wins: the fixed evaluation set, a held-out
split, else the out-of-fold scores of training."""


@dataclass
class DashboardData:
    """The frames behind each section of the dashboard."""

    generated_at: datetime
    summary: pd.DataFrame
    periods: pd.DataFrame
    daily: pd.DataFrame
    weekly: pd.DataFrame
    themes: pd.DataFrame
    alerts: pd.DataFrame
    unresolved_high_severity: int
    spikes: list[Spike] = field(default_factory=list)
    model_quality: pd.DataFrame = field(default_factory=pd.DataFrame)


def read_warehouse(path: Path, tables: tuple[str, ...] = WAREHOUSE_TABLES) -> dict[str, pd.DataFrame]:
    """The named tables of the DuckDB warehouse (opened read-only); a missing table is an empty frame."""
    if not path.is_file():
        raise FileNotFoundError(f"no dbt warehouse at {path}: run the daily_roi job (or `triage run`) first")
    frames: dict[str, pd.DataFrame] = {}
    with duckdb.connect(str(path), read_only=True) as connection:
        present = {
            row[0]
            for row in connection.execute("select table_name from information_schema.tables").fetchall()
        }
        for table in tables:
            frames[table] = (
                connection.execute(f'select * from "{table}"').df() if table in present else pd.DataFrame()
            )
    return frames


def _manifest_rows(manifest: dict, live: bool) -> list[dict]:
    metrics = manifest.get("metrics") or {}
    source = next((name for name in METRIC_SOURCES if (metrics.get(name) or {}).get("categories")), None)
    if source is None:
        return []
    created = pd.to_datetime(manifest.get("created_at"), utc=True, errors="coerce")
    return [
        {
            "model_version": manifest.get("model_version", "?"),
            "created_at": created,
            "live": live,
            "metric_source": source,
            "category": category,
            "precision": values.get("precision"),
            "recall": values.get("recall"),
            "f1": values.get("f1"),
            "support": values.get("support"),
        }
        for category, values in sorted(metrics[source]["categories"].items())
    ]


def model_quality(models_root: Path) -> pd.DataFrame:
    """Per-category precision, recall and F1 of every stored model version (oldest first), and of the seed
    model when no version was ever trained; one row per version × category."""
    store = ModelStore(models_root)
    live = store.current_version()
    rows: list[dict] = []
    for version in store.versions():
        rows += _manifest_rows(store.manifest(version), live=version == live)
    if not rows and models_root.is_dir():
        for folder in sorted(models_root.glob("seed-*")):
            manifest_file = folder / "manifest.json"
            if manifest_file.is_file():
                rows += _manifest_rows(
                    json.loads(manifest_file.read_text(encoding="utf-8")), live=live is None
                )
    frame = pd.DataFrame(
        rows,
        columns=[
            "model_version",
            "created_at",
            "live",
            "metric_source",
            "category",
            "precision",
            "recall",
            "f1",
            "support",
        ],
    )
    return frame.sort_values(["created_at", "category"], kind="stable").reset_index(drop=True)


def load_dashboard_data(warehouse: Path, models_root: Path, now: datetime | None = None) -> DashboardData:
    """Everything the dashboard needs, from the warehouse the dbt models built and the model registry."""
    frames = read_warehouse(warehouse)
    issue_daily = frames["stg_issue_daily"]
    if not issue_daily.empty:
        issue_daily = issue_daily.assign(day=pd.to_datetime(issue_daily["day"]).dt.date)
    return DashboardData(
        generated_at=now or datetime.now(UTC),
        summary=frames["roi_summary"],
        periods=frames["roi_periods"],
        daily=frames["roi_daily"].sort_values("day")
        if not frames["roi_daily"].empty
        else frames["roi_daily"],
        weekly=frames["roi_weekly"],
        themes=frames["top_defect_themes"],
        alerts=frames["alert_acknowledgement"],
        unresolved_high_severity=len(frames["unresolved_high_severity"]),
        spikes=find_spikes(issue_daily) if not issue_daily.empty else [],
        model_quality=model_quality(models_root),
    )
