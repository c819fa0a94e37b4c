"""A tiny lake for the humans-in-the-loop tests: a few silver/gold reviews (one with personal data in its
original text), their annotations, and alerts planned by the real outbox from the gold rows routed to
`alert`. Written with the medallion schemas, day-partitioned like the IO manager writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pyarrow as pa

from triage_platform.lib.alerts.candidates import review_alerts
from triage_platform.lib.alerts.outbox import AlertOutbox
from triage_platform.lib.annotate.taxonomy import load_taxonomy
from triage_platform.lib.delta import TableRef, as_location
from triage_platform.lib.humans.actions import Actor, HumanActions
from triage_platform.lib.humans.auth import UserDirectory
from triage_platform.lib.paths import TriagePaths
from triage_platform.lib.transform.annotations import ANNOTATION_SCHEMA
from triage_platform.lib.transform.gold import GOLD_REVIEWS_SCHEMA
from triage_platform.lib.transform.silver import SILVER_SCHEMA

DAY = date(2026, 3, 2)
PII_EMAIL = "maria.silva@example.com"
PASSWORDS = {"ana": "ana-admin-pw", "leo": "leo-labeler-pw", "olga": "olga-owner-pw", "vic": "vic-viewer-pw"}
ROLES = {"ana": "admin", "leo": "labeler", "olga": "owner", "vic": "viewer"}

# key, route, text, primary, issues, severity, sentiment, confidence, language, sku, rating
REVIEWS = [
    (
        "r-q1",
        "human_review",
        f"Box arrived crushed, write me at {PII_EMAIL}",
        "packaging_damage",
        ["packaging_damage"],
        "medium",
        "negative",
        0.62,
        "en",
        "SKU-1001",
        2.0,
    ),
    (
        "r-q2",
        "human_review",
        "Delivery took three weeks, nobody answered",
        "shipping_delay",
        ["shipping_delay"],
        "medium",
        "negative",
        0.58,
        "en",
        "SKU-1002",
        2.0,
    ),
    (
        "r-q3",
        "human_review",
        "The size chart is wrong, runs two sizes small",
        "sizing_fit",
        ["sizing_fit"],
        "low",
        "negative",
        0.55,
        "en",
        "SKU-1003",
        3.0,
    ),
    (
        "r-q4",
        "human_review",
        "Veio o produto errado, pedi azul",
        "wrong_item",
        ["wrong_item"],
        "medium",
        "negative",
        0.51,
        "pt",
        "SKU-1004",
        1.0,
    ),
    (
        "r-b1",
        "labeling_backlog",
        "meh it is what it is",
        "none",
        [],
        "none",
        "neutral",
        0.21,
        "en",
        "SKU-1001",
        3.0,
    ),
    (
        "r-b2",
        "labeling_backlog",
        "Preço alto mas chegou rápido",
        "pricing_concern",
        ["pricing_concern"],
        "low",
        "positive",
        0.30,
        "pt",
        "SKU-1004",
        1.0,
    ),
    (
        "r-a1",
        "alert",
        "The charger caught fire and burned my desk",
        "safety_hazard",
        ["safety_hazard"],
        "critical",
        "negative",
        0.97,
        "en",
        "SKU-1002",
        1.0,
    ),
    (
        "r-a2",
        "alert",
        "Parcel soaked and torn, product broken",
        "packaging_damage",
        ["packaging_damage"],
        "high",
        "negative",
        0.93,
        "en",
        "SKU-1001",
        1.0,
    ),
]


def silver_and_annotations(day: date = DAY) -> tuple[pd.DataFrame, pd.DataFrame]:
    taxonomy = load_taxonomy(None)
    base = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    silver, annotations = [], []
    for i, (key, _route, text, primary, issues, severity, sentiment, conf, lang, sku, rating) in enumerate(
        REVIEWS
    ):
        at = base + timedelta(minutes=10 * i)
        silver.append(
            {
                "day": day,
                "review_key": key,
                "source": "web_reviews",
                "source_review_id": key,
                "submitted_at": at,
                "title": None,
                "text": text,
                "title_redacted": None,
                "text_redacted": text.replace(PII_EMAIL, "[EMAIL]"),
                "pii_types": ["email"] if PII_EMAIL in text else [],
                "rating": rating,
                "sku": sku,
                "product": f"Product {sku}",
                "product_family": "apparel_tops",
                "vendor": "Northwind",
                "launch_cohort": "2025-Q1",
                "region": "US-CA",
                "country": "United States",
                "fulfillment_center": "FC-RENO",
                "order_id": None,
                "customer_hash": None,
                "language": lang,
                "language_confidence": 0.99,
                "duplicate_count": 1,
                "duplicate_sources": ["web_reviews"],
                "duplicate_keys": [key],
                "content_hash": key,
                "file_landed_at": at + timedelta(minutes=1),
                "ingested_at": at + timedelta(minutes=2),
                "processed_at": at + timedelta(minutes=3),
            }
        )
        owner = taxonomy.category(primary).owner if primary != "none" else None
        annotations.append(
            {
                "day": day,
                "review_key": key,
                "issue_types": issues,
                "primary_issue": primary,
                "sentiment": sentiment,
                "severity": severity,
                "language": lang,
                "confidence": conf,
                "category_confidence": "{}",
                "owner": owner,
                "rationale": "test",
                "needs_human": conf < 0.3,
                "stage": "model",
                "model_version": "seed-test",
                "prompt_version": "none",
                "taxonomy_version": taxonomy.fingerprint,
                "annotated_at": at + timedelta(minutes=4),
            }
        )
    return (
        pa.Table.from_pylist(silver, schema=SILVER_SCHEMA).to_pandas(),
        pa.Table.from_pylist(annotations, schema=ANNOTATION_SCHEMA).to_pandas(),
    )


def gold_frame(day: date = DAY) -> pd.DataFrame:
    silver, annotations = silver_and_annotations(day)
    routes = {key: route for key, route, *_ in REVIEWS}
    from triage_platform.lib.transform.gold import build_gold_reviews

    return build_gold_reviews(silver, annotations, lambda row: routes[row["review_key"]])


def _write(table: TableRef, frame: pd.DataFrame, schema: pa.Schema) -> None:
    as_location(table).write(
        pa.Table.from_pandas(frame, schema=schema, preserve_index=False), mode="append", partition_by=["day"]
    )


def write_tiny_lake(paths: TriagePaths, *, with_alerts: bool = True, with_users: bool = True) -> dict:
    """Write silver/reviews, silver/annotations, gold/reviews (and alerts, users); returns what was made."""
    silver, annotations = silver_and_annotations()
    gold = gold_frame()
    _write(paths.table("silver", "reviews"), silver, SILVER_SCHEMA)
    _write(paths.table("silver", "annotations"), annotations, ANNOTATION_SCHEMA)
    _write(paths.table("gold", "reviews"), gold, GOLD_REVIEWS_SCHEMA)
    made: dict = {"gold": gold}
    if with_alerts:
        outbox = AlertOutbox(paths.table("gold", "alerts"))
        now = datetime.now(UTC)
        candidates = review_alerts(gold, load_taxonomy(None), dagster_url="http://127.0.0.1:3000", now=now)
        plan = outbox.enqueue(candidates, now)
        made["alert_ids"] = [a.alert_id for a in plan.new if a.kind == "review"]
    if with_users:
        directory = UserDirectory(paths.home / "users.yaml")
        for name, role in ROLES.items():
            directory.add(name, PASSWORDS[name], role)
        made["users"] = directory
    return made


LABELS_START = datetime(2026, 3, 3, 10, 0, 0, 123456, tzinfo=UTC)


def write_labeled_lake(paths: TriagePaths) -> HumanActions:
    """The tiny lake with four human labels: an accept, two annotators on `r-q2` (the second changing the
    first's correction) and a "no issue" label; for the labeling-tool round trips."""
    write_tiny_lake(paths, with_alerts=False, with_users=False)
    actions = HumanActions(paths, load_taxonomy(None))
    start = LABELS_START
    actions.label("r-q1", Actor("leo"), None, now=start)
    actions.label(
        "r-q2",
        Actor("leo"),
        {"issue_types": ["shipping_delay", "customer_service"], "severity": "high"},
        now=start + timedelta(seconds=1),
    )
    actions.label(
        "r-b1", Actor("ana"), {"issue_types": [], "sentiment": "neutral"}, now=start + timedelta(seconds=2)
    )
    actions.label(
        "r-q2",
        Actor("ana"),
        {"issue_types": ["customer_service"], "primary_issue": "customer_service"},
        now=start + timedelta(seconds=3),
    )
    return actions


def canonical_labels(frame: pd.DataFrame) -> list[dict]:
    """`gold/labels` rows in a comparable form (by label id; lists and ISO times)."""
    rows = frame.sort_values("label_id").to_dict("records")
    for row in rows:
        row["issue_types"] = list(row["issue_types"])
        row["labeled_at"] = pd.Timestamp(row["labeled_at"]).isoformat()
    return rows
