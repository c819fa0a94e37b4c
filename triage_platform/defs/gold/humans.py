"""Humans in the loop as Dagster definitions: the tables people write (`gold/labels`, `gold/audit_log`,
written by `triage serve`, Slack buttons and the CLI), the work waiting for them (`gold/review_queue`,
`gold/labeling_backlog`), how fast they act (`gold/triage_measures`), the acknowledgement-lag check on
`gold/alerts`, and a schedule that refreshes the three derived tables."""

import os
from datetime import UTC, datetime

import dagster as dg
import pandas as pd

from triage_platform.lib.alerts.model import ALERTS_SCHEMA
from triage_platform.lib.delta import read_table
from triage_platform.lib.humans.measures import MEASURES_SCHEMA, ack_lag_breaches, triage_measures
from triage_platform.lib.humans.queue import (
    LABELING_BACKLOG_SCHEMA,
    REVIEW_QUEUE_SCHEMA,
    build_labeling_backlog,
    build_review_queue,
    label_agreement,
    second_opinion_categories,
)
from triage_platform.lib.humans.tables import AuditLog, LabelStore
from triage_platform.lib.transform.gold import GOLD_REVIEWS_SCHEMA
from triage_platform.materialization import DELTA_KINDS, output
from triage_platform.resources import AnnotatorResource, TriageStorage

GROUP = "humans"
OWNERS = ["team:data-platform"]
DEFAULT_ACK_SLO_S = 3600.0

gold_labels = dg.AssetSpec(
    key=["gold", "labels"],
    group_name=GROUP,
    owners=OWNERS,
    kinds={"deltalake"},
    description="Human labels (append-only): one row per accept or correction of a review's issue types, "
    "primary issue, severity and sentiment, with annotator, time and the annotation before and after. "
    "Written by `triage serve`, `triage labels import`; the latest row per review wins; read by gold/reviews "
    "(human_override) and by retraining.",
)
gold_audit_log = dg.AssetSpec(
    key=["gold", "audit_log"],
    group_name=GROUP,
    owners=OWNERS,
    kinds={"deltalake"},
    description="Every human action (labels, skips, alert lifecycle steps, role changes): who, when, through "
    "which door (web, slack, cli, label-studio), on what, with the state before and after. Append-only.",
)


def _gold_reviews(storage: TriageStorage) -> pd.DataFrame:
    return read_table(storage.paths.table("gold", "reviews"), GOLD_REVIEWS_SCHEMA)


def _labels(storage: TriageStorage) -> pd.DataFrame:
    return LabelStore(storage.paths.table("gold", "labels")).all()


def _reopened(storage: TriageStorage) -> dict:
    return AuditLog(storage.paths.table("gold", "audit_log")).reopened()


@dg.asset(
    key=["gold", "review_queue"],
    deps=[dg.AssetKey(["gold", "reviews"]), gold_labels.key, gold_audit_log.key],
    group_name=GROUP,
    owners=OWNERS,
    kinds=DELTA_KINDS,
)
def review_queue(storage: TriageStorage, annotator: AnnotatorResource) -> dg.Output[pd.DataFrame]:
    """Medium-confidence reviews awaiting a person (routed to `human_review`, not yet labeled), in working
    order: most severe first, then most confident, then oldest; critical and safety/fraud items stay until
    two different people labeled them. `triage serve` works it one item at a time."""
    labels = _labels(storage)
    frame = build_review_queue(
        _gold_reviews(storage), labels, second_opinion_categories(annotator.taxonomy), _reopened(storage)
    )
    agreement = label_agreement(labels)
    return output(
        frame,
        REVIEW_QUEUE_SCHEMA,
        ["position", "review_key", "primary_issue", "severity", "confidence", "labels_so_far"],
        {
            "waiting": len(frame),
            "awaiting_second_opinion": int((frame["labels_so_far"] > 0).sum()) if len(frame) else 0,
            "multi_labeled_reviews": agreement["multi_labeled"],
            "label_agreement_rate": float(agreement["agreement_rate"]),
        },
    )


@dg.asset(
    key=["gold", "labeling_backlog"],
    deps=[dg.AssetKey(["gold", "reviews"]), gold_labels.key, gold_audit_log.key],
    group_name=GROUP,
    owners=OWNERS,
    kinds=DELTA_KINDS,
)
def labeling_backlog(storage: TriageStorage, annotator: AnnotatorResource) -> dg.Output[pd.DataFrame]:
    """Uncertain reviews worth labeling, most informative first: a scored priority of low confidence,
    disagreement between stages, high-value SKUs, emerging clusters and under-represented languages, with
    the reasons spelled out per item (`priority_reasons`)."""
    frame = build_labeling_backlog(
        _gold_reviews(storage),
        _labels(storage),
        second_opinion=second_opinion_categories(annotator.taxonomy),
        reopened=_reopened(storage),
    )
    return output(
        frame,
        LABELING_BACKLOG_SCHEMA,
        ["position", "review_key", "priority", "priority_reasons"],
        {"waiting": len(frame), "top_priority": float(frame["priority"].max()) if len(frame) else 0.0},
    )


@dg.asset(
    key=["gold", "triage_measures"],
    deps=[dg.AssetKey(["gold", "reviews"]), dg.AssetKey(["gold", "alerts"]), gold_labels.key],
    group_name=GROUP,
    owners=OWNERS,
    kinds=DELTA_KINDS,
)
def gold_triage_measures(storage: TriageStorage) -> dg.Output[pd.DataFrame]:
    """How fast reviews and alerts get a decision: time to first triage (landing → first automatic or human
    decision), acknowledgement lag and time to resolution of alerts, per category × owner with p50/p95/mean
    seconds and what is still pending (rows with `*` roll up). Feeds the latency checks and the ROI models."""
    alerts = read_table(storage.paths.table("gold", "alerts"), ALERTS_SCHEMA)
    labels = LabelStore(storage.paths.table("gold", "labels")).all()
    frame = triage_measures(_gold_reviews(storage), alerts, labels, datetime.now(UTC))
    overall = frame[(frame["category"] == "*") & (frame["owner"] == "*")]
    return output(
        frame,
        MEASURES_SCHEMA,
        ["measure", "category", "owner", "measured", "pending", "p95_s"],
        {f"{row.measure}_p95_s": float(row.p95_s or 0.0) for row in overall.itertuples()},
    )


@dg.asset_check(
    asset=dg.AssetKey(["gold", "alerts"]),
    name="ack_lag_slo",
    description="Alerts must be acknowledged within the acknowledgement SLO (TRIAGE_SLO_ACK_S, default 1 "
    "hour): fails (WARN) when any category × owner has a p95 acknowledgement lag above it or an alert "
    "waiting unacknowledged longer than it.",
)
def ack_lag_slo(storage: TriageStorage) -> dg.AssetCheckResult:
    slo = float(os.environ.get("TRIAGE_SLO_ACK_S") or DEFAULT_ACK_SLO_S)
    alerts = read_table(storage.paths.table("gold", "alerts"), ALERTS_SCHEMA)
    measures = triage_measures(GOLD_REVIEWS_SCHEMA.empty_table().to_pandas(), alerts, None, datetime.now(UTC))
    breaches = ack_lag_breaches(measures, slo)
    lag = measures[(measures["measure"] == "acknowledgement_lag") & (measures["category"] == "*")]
    lag = lag[lag["owner"] == "*"]
    overall = lag.iloc[0] if len(lag) else None
    return dg.AssetCheckResult(
        passed=breaches.empty,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            "every category × owner acknowledges within the SLO"
            if breaches.empty
            else f"{len(breaches)} category × owner pairs acknowledge slower than {slo:.0f} s"
        ),
        metadata={
            "slo_s": slo,
            "acknowledged": int(overall["measured"]) if overall is not None else 0,
            "waiting": int(overall["pending"]) if overall is not None else 0,
            "p95_s": float(overall["p95_s"]) if overall is not None and pd.notna(overall["p95_s"]) else 0.0,
            "breaches": ", ".join(f"{r.category}/{r.owner}" for r in breaches.itertuples())[:1000],
        },
    )


humans_job = dg.define_asset_job(
    name="humans_job",
    selection=dg.AssetSelection.assets(review_queue, labeling_backlog, gold_triage_measures),
    description="Refresh the review queue, the labeling backlog and the triage measures.",
)

humans_schedule = dg.ScheduleDefinition(
    name="humans_refresh_schedule",
    job=humans_job,
    cron_schedule="*/15 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every 15 minutes: what waits for people, and how fast they act.",
)
