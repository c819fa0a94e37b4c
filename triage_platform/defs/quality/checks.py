"""Asset checks on every medallion table: schema contracts (blocking), Great Expectations suites,
row-count anomalies and per-hop latency SLOs. Failures reach Slack through the alert sensors."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import dagster as dg
import pandas as pd

from triage_platform.lib.alerts.model import ALERTS_SCHEMA
from triage_platform.lib.annotate.taxonomy import load_taxonomy
from triage_platform.lib.delta import DeltaLocation, read_table
from triage_platform.lib.quality.contracts import CONTRACTS, CheckOutcome, check_contract
from triage_platform.lib.quality.drift import drift_outcome, review_psis, token_counts, vocabulary_shift
from triage_platform.lib.quality.expectations import (
    annotations_suite,
    gold_reviews_suite,
    row_count_anomaly,
    run_suite,
    silver_reviews_suite,
)
from triage_platform.lib.quality.slo import SloTargets, hop_latencies, latency_outcome, slo_cutoff, split_live
from triage_platform.lib.transform.gold import GOLD_REVIEWS_SCHEMA
from triage_platform.partitions import DAILY_PARTITIONS
from triage_platform.resources import AnnotatorResource, TriageStorage

SCHEMA_CHECK = "schema_contract"
DATA_QUALITY_CHECK = "data_quality"
ROW_COUNT_CHECK = "row_count_anomaly"


def to_result(outcome: CheckOutcome) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity[outcome.severity],
        description=outcome.description,
        metadata=dict(outcome.metadata),
    )


def _key(table: str) -> dg.AssetKey:
    return dg.AssetKey(table.split("/"))


def _schema_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=_key(table),
        name=SCHEMA_CHECK,
        blocking=True,
        partitions_def=DAILY_PARTITIONS,
        description=f"{table} matches its data contract (column names, types, required non-null columns). "
        "Blocking: downstream tables are not built from a partition that breaks it.",
    )
    def check(frame: pd.DataFrame) -> dg.AssetCheckResult:
        return to_result(check_contract(frame, table))

    check.__name__ = f"{table.replace('/', '_')}_schema_contract"
    return check


SuiteBuilder = Callable[[AnnotatorResource], list]
SUITES: dict[str, SuiteBuilder] = {
    "silver/reviews": lambda annotator: silver_reviews_suite(annotator.taxonomy),
    "silver/annotations": lambda annotator: annotations_suite(annotator.taxonomy),
    "gold/reviews": lambda annotator: gold_reviews_suite(annotator.taxonomy),
}


def _quality_check(table: str, suite: SuiteBuilder) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=_key(table),
        name=DATA_QUALITY_CHECK,
        blocking=True,
        partitions_def=DAILY_PARTITIONS,
        description=f"Great Expectations suite on {table}: unique review ids, non-null keys, accepted values "
        "(taxonomy ids, severity, sentiment, language codes) and ranges (rating 1-5, confidence 0-1).",
    )
    def check(frame: pd.DataFrame, annotator: AnnotatorResource) -> dg.AssetCheckResult:
        return to_result(run_suite(frame, suite(annotator), name=table))

    check.__name__ = f"{table.replace('/', '_')}_data_quality"
    return check


@dg.asset_check(
    asset=_key("silver/reviews"),
    name=ROW_COUNT_CHECK,
    partitions_def=DAILY_PARTITIONS,
    description="The day's review count against the trailing 7 days (warns on a collapse or a surge: a "
    "channel that stopped delivering, or a flood).",
)
def silver_reviews_row_count(
    context: dg.AssetCheckExecutionContext, storage: TriageStorage
) -> dg.AssetCheckResult:
    day = date.fromisoformat(context.partition_key)
    days = read_table(storage.paths.table("silver", "reviews"), columns=["day"])
    counts = days["day"].value_counts() if not days.empty else pd.Series(dtype=int)
    trailing = [int(counts.get(day - timedelta(days=offset), 0)) or None for offset in range(7, 0, -1)]
    return to_result(row_count_anomaly(int(counts.get(day, 0)), trailing))


LATENCY_HOPS = {
    # hop: (start column, end column); the p95 target is the standard triage SLO
    "ingestion": ("file_landed_at", "ingested_at"),
    "enrichment": ("ingested_at", "processed_at"),
    "classification": ("processed_at", "annotated_at"),
    "triage": ("file_landed_at", "annotated_at"),
}


@dg.asset_check(
    asset=_key("gold/reviews"),
    name="latency_slo",
    partitions_def=DAILY_PARTITIONS,
    description="Per-hop latency SLOs of the partition: ingestion (landed → bronze), enrichment (bronze → "
    "silver), classification (silver → annotated) and end-to-end triage, p50/p95 per hop in metadata, "
    "against the standard triage target (default 30 minutes). Only reviews that landed recently count; "
    "replays of old files are reported as excluded.",
)
def gold_reviews_latency_slo(frame: pd.DataFrame) -> dg.AssetCheckResult:
    targets = SloTargets.from_env()
    live, excluded = split_live(frame, slo_cutoff(datetime.now(UTC), targets))
    metadata: dict[str, object] = {"excluded_rows": excluded, "p95_target_s": targets.standard_s}
    failing = []
    for hop, (start, end) in LATENCY_HOPS.items():
        outcome = latency_outcome(hop, hop_latencies(live, start, end), p95_target_s=targets.standard_s)
        for key in ("count", "p50_s", "p95_s", "max_s"):
            metadata[f"{hop}_{key}"] = outcome.metadata.get(key, 0)
        if not outcome.passed:
            failing.append(f"{hop}: {outcome.description}")
    return dg.AssetCheckResult(
        passed=not failing,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(failing) or f"all hops within {targets.standard_s:g} s at p95",
        metadata=metadata,
    )


@dg.asset_check(
    asset=_key("gold/alerts"),
    name="critical_alert_latency",
    description="Critical items must reach their owner within the critical SLO (default 5 minutes) from "
    "the moment their file landed: measured on delivered critical and high alerts whose evidence landed "
    "recently, with the alert delivery lag (created → delivered) alongside.",
)
def critical_alert_latency(storage: TriageStorage) -> dg.AssetCheckResult:
    targets = SloTargets.from_env()
    alerts = read_table(storage.paths.table("gold", "alerts"), ALERTS_SCHEMA)
    reviews = read_table(
        storage.paths.table("gold", "reviews"), GOLD_REVIEWS_SCHEMA, columns=["review_key", "file_landed_at"]
    )
    delivered = alerts[(alerts["delivery_status"] == "delivered") & alerts["kind"].isin(["review", "spike"])]
    delivered = (
        delivered[delivered["priority"].isin(["critical", "high"])] if not delivered.empty else delivered
    )
    landed = (
        dict(zip(reviews["review_key"], reviews["file_landed_at"], strict=True)) if not reviews.empty else {}
    )
    cutoff = slo_cutoff(datetime.now(UTC), targets)
    durations, delivery_lags, excluded = [], [], 0
    for row in delivered.itertuples():
        times = [landed[key] for key in list(row.sample_review_keys) if key in landed]
        if not times or min(times) < cutoff:
            excluded += 1
            continue
        durations.append((row.delivered_at - min(times)).total_seconds())
        delivery_lags.append((row.delivered_at - row.created_at).total_seconds())
    outcome = latency_outcome(
        "critical_alert_latency",
        durations,
        p95_target_s=targets.critical_s,
        excluded_rows=excluded,
        severity="WARN",
    )
    result = to_result(outcome)
    lag = latency_outcome(
        "alert_delivery_lag", delivery_lags, p95_target_s=targets.critical_s, severity="WARN"
    )
    metadata = {**result.metadata, **{f"delivery_{k}": v for k, v in lag.metadata.items()}}
    return dg.AssetCheckResult(
        passed=result.passed, severity=result.severity, description=result.description, metadata=metadata
    )


@cache
def _reference_frame(
    labels_dir: str, gold_labels: DeltaLocation, taxonomy_path: str | None, labels_stamp: tuple
) -> pd.DataFrame:
    """The reviews a model learns from (`ml/training_set`: label files and the review queue's
    gold/labels, or the seed examples), as a frame."""
    from triage_platform.lib.annotate.labeled_sets import labeled_sets

    data = labeled_sets(Path(labels_dir), gold_labels, load_taxonomy(taxonomy_path))
    return pd.DataFrame(
        {
            "text": [e.text for e in data.train],
            "source": [e.source for e in data.train],
            "language": [e.language for e in data.train],
            "issue_types": [list(e.issue_types) for e in data.train],
        }
    )


def _labels_stamp(labels_dir: Path, gold_labels: DeltaLocation) -> tuple:
    """What the reference frame depends on: the label files and the version of gold/labels."""
    files = sorted(labels_dir.rglob("*.jsonl")) if labels_dir.is_dir() else []
    return (*((str(p), p.stat().st_mtime_ns) for p in files), ("gold/labels", gold_labels.version()))


DRIFT_SLICE_MIN_ROWS = 50


@dg.asset_check(
    asset=_key("gold/reviews"),
    name="drift",
    partitions_def=DAILY_PARTITIONS,
    description="Drift of the day's reviews against the data the model learned from, overall and per "
    "language and source: text length, category mix and source/language mix (population stability index; "
    "0.1 moderate, 0.25 significant) and vocabulary shift. Warning: a drifting slice is a reason to label "
    "and retrain, not to stop the pipeline.",
)
def gold_reviews_drift(
    frame: pd.DataFrame, storage: TriageStorage, annotator: AnnotatorResource
) -> dg.AssetCheckResult:
    labels_dir, gold_labels = storage.paths.home / "labels", storage.paths.table("gold", "labels")
    reference = _reference_frame(
        str(labels_dir), gold_labels, annotator.taxonomy_path, _labels_stamp(labels_dir, gold_labels)
    )
    current = frame.rename(columns={"text_redacted": "text"})
    values = review_psis(reference, current, text_col="text", list_columns=("issue_types",))
    for column in ("language", "source"):
        for value in sorted(set(current[column].dropna())):
            ref_slice = reference[reference[column] == value]
            cur_slice = current[current[column] == value]
            if len(ref_slice) < DRIFT_SLICE_MIN_ROWS or len(cur_slice) < DRIFT_SLICE_MIN_ROWS:
                continue
            for dim, psi_value in review_psis(
                ref_slice, cur_slice, text_col="text", categorical=(), list_columns=("issue_types",)
            ).items():
                values[f"{dim}[{column}={value}]"] = psi_value
    vocabulary = vocabulary_shift(token_counts(reference["text"]), token_counts(current["text"]))
    return to_result(drift_outcome("drift", values, vocabulary=vocabulary, rows=len(current)))


@dg.definitions
def defs() -> dg.Definitions:
    checks = [_schema_check(table) for table in CONTRACTS]
    checks += [_quality_check(table, suite) for table, suite in SUITES.items()]
    checks += [silver_reviews_row_count, gold_reviews_latency_slo, gold_reviews_drift, critical_alert_latency]
    return dg.Definitions(asset_checks=checks)
