"""The run summary printed by `triage run` / `make run`: what landed, what it became, what needs action."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from triage_platform.lib.delta import read_table, table_exists
from triage_platform.lib.paths import TriagePaths
from triage_platform.lib.spikes import Spike, find_spikes

MEDALLION_TABLES = (
    ("bronze", "reviews"),
    ("silver", "reviews"),
    ("silver", "annotations"),
    ("gold", "reviews"),
    ("gold", "issue_daily"),
)


@dataclass
class LakeSummary:
    table_rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    rows_landed: int = 0
    rows_new: int = 0
    rows_duplicate: int = 0
    rows_quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    issues_by_category: dict[str, int] = field(default_factory=dict)
    routes: dict[str, int] = field(default_factory=dict)
    spikes: list[Spike] = field(default_factory=list)
    alerts_by_delivery: dict[str, int] = field(default_factory=dict)
    alerts_by_kind: dict[str, int] = field(default_factory=dict)


def _count(series: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in series.value_counts().items()}


def summarize_lake(paths: TriagePaths) -> LakeSummary:
    summary = LakeSummary()
    for layer, name in MEDALLION_TABLES:
        path = paths.table(layer, name)
        summary.table_rows[f"{layer}/{name}"] = len(read_table(path)) if table_exists(path) else 0
    registry = read_table(paths.registry_table)
    if not registry.empty:
        current = registry.sort_values(["path", "version"]).groupby("path").tail(1)
        summary.files = len(current)
        summary.rows_landed = int(current["rows_total"].sum())
    quarantine = read_table(paths.quarantine_table)
    summary.rows_quarantined = len(quarantine)
    if not quarantine.empty:
        summary.quarantine_reasons = _count(quarantine["reason"])
    bronze_rows = summary.table_rows["bronze/reviews"]
    silver_rows = summary.table_rows["silver/reviews"]
    summary.rows_new = silver_rows
    summary.rows_duplicate = bronze_rows - silver_rows
    gold = read_table(paths.table("gold", "reviews"))
    if not gold.empty:
        summary.issues_by_category = _count(gold["issue_types"].explode().dropna())
        summary.routes = _count(gold["route"])
    alerts = read_table(paths.table("gold", "alerts"))
    if not alerts.empty:
        summary.alerts_by_delivery = _count(alerts["delivery_status"])
        summary.alerts_by_kind = _count(alerts["kind"])
    issue_daily = read_table(paths.table("gold", "issue_daily"))
    summary.spikes = find_spikes(issue_daily)
    return summary


def format_summary(
    summary: LakeSummary, seconds: float, failed_days: int = 0, dashboard: Path | None = None
) -> str:
    lines = ["", "Review triage: run summary", "=" * 26, "Rows per table:"]
    lines += [f"  {name:<22}{rows:>9,}" for name, rows in summary.table_rows.items()]
    lines += [
        f"Landed: {summary.files} files, {summary.rows_landed:,} rows -> {summary.rows_new:,} new reviews, "
        f"{summary.rows_duplicate:,} duplicates collapsed, {summary.rows_quarantined:,} quarantined",
    ]
    if summary.quarantine_reasons:
        reasons = ", ".join(f"{k}={v}" for k, v in summary.quarantine_reasons.items())
        lines.append(f"  quarantine reasons: {reasons}")
    lines.append("Issues by category (reviews reporting each):")
    lines += [f"  {name:<22}{count:>9,}" for name, count in summary.issues_by_category.items()]
    routes = summary.routes
    lines.append(
        f"Routing: {routes.get('alert', 0):,} reviews to alert, {routes.get('human_review', 0):,} to human review, "
        f"{routes.get('labeling_backlog', 0):,} to the labeling backlog, {routes.get('none', 0):,} need nothing"
    )
    delivery = summary.alerts_by_delivery
    kinds = ", ".join(f"{k}={v}" for k, v in summary.alerts_by_kind.items())
    lines.append(
        f"Alerts raised (gold/alerts, grouped by issue × family × region × day): {sum(delivery.values()):,} "
        f"({kinds or 'none'}): {delivery.get('delivered', 0):,} delivered, {delivery.get('pending', 0):,} pending, "
        f"{delivery.get('suppressed', 0):,} held for the daily digest, {delivery.get('failed', 0):,} failed"
    )
    if summary.spikes:
        lines.append("Spikes in gold/issue_daily (count vs trailing 7-day median):")
        for spike in summary.spikes[:5]:
            lines.append(
                f"  {spike.day} {spike.issue_type} · {spike.product_family} · {spike.region}: "
                f"{spike.reviews} reviews (baseline {spike.baseline:g})"
            )
    else:
        lines.append("Spikes in gold/issue_daily: none")
    if failed_days:
        lines.append(f"FAILED day partitions: {failed_days} (see the Dagster UI)")
    if dashboard is not None:
        lines.append(f"ROI dashboard (dbt marts and ROI rollups, baseline vs current period): {dashboard}")
    lines.append(f"Time taken: {seconds:.1f} s")
    return "\n".join(lines)
