"""Gold: one review, one enriched row, one current status; and the daily issue counts behind spike alerts."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pyarrow as pa

from triage_platform.lib.transform.annotations import ANNOTATION_SCHEMA, current_annotations
from triage_platform.lib.transform.silver import SILVER_SCHEMA

Router = Callable[[pd.Series], str]

STATUS_BY_ROUTE = {
    "alert": "alert_open",
    "human_review": "awaiting_review",
    "labeling_backlog": "awaiting_label",
    "none": "no_action",
}

HUMAN_LABELED_STATUS = "human_labeled"
"""Status of a review whose annotation a person set (accepted or corrected; `human_override` is True)."""

GOLD_REVIEW_COLUMNS_FROM_SILVER = [
    "day",
    "review_key",
    "source",
    "source_review_id",
    "submitted_at",
    "title_redacted",
    "text_redacted",
    "rating",
    "sku",
    "product",
    "product_family",
    "vendor",
    "launch_cohort",
    "region",
    "country",
    "fulfillment_center",
    "language",
    "duplicate_count",
    "duplicate_sources",
    "file_landed_at",
    "ingested_at",
    "processed_at",
]
ANNOTATION_COLUMNS = [
    "issue_types",
    "primary_issue",
    "sentiment",
    "severity",
    "confidence",
    "owner",
    "rationale",
    "needs_human",
    "stage",
    "model_version",
    "prompt_version",
    "taxonomy_version",
    "annotated_at",
    "annotation_version",
]

GOLD_REVIEWS_SCHEMA = pa.schema(
    [SILVER_SCHEMA.field(name) for name in GOLD_REVIEW_COLUMNS_FROM_SILVER]
    + [ANNOTATION_SCHEMA.field(name) for name in ANNOTATION_COLUMNS]
    + [
        pa.field("route", pa.string()),
        pa.field("status", pa.string()),
        pa.field("human_override", pa.bool_()),
    ]
)

ISSUE_DAILY_SCHEMA = pa.schema(
    [
        ("day", pa.date32()),
        ("issue_type", pa.string()),
        ("product_family", pa.string()),
        ("region", pa.string()),
        ("reviews", pa.int64()),
        ("negative_reviews", pa.int64()),
        ("high_severity_reviews", pa.int64()),
        ("critical_reviews", pa.int64()),
        ("mean_confidence", pa.float64()),
        ("sample_review_keys", pa.list_(pa.string())),
    ]
)


def build_gold_reviews(silver: pd.DataFrame, annotations: pd.DataFrame, router: Router) -> pd.DataFrame:
    """Join each review to its current annotation (silver/annotations keeps older versions too) and decide
    where it goes (alert, queue, backlog, none)."""
    if silver.empty:
        return GOLD_REVIEWS_SCHEMA.empty_table().to_pandas()
    annotations = current_annotations(annotations)
    merged = silver[GOLD_REVIEW_COLUMNS_FROM_SILVER].merge(
        annotations[["review_key", *ANNOTATION_COLUMNS]], on="review_key", how="left", validate="one_to_one"
    )
    merged["route"] = [router(row) for _, row in merged.iterrows()]
    merged["status"] = merged["route"].map(STATUS_BY_ROUTE)
    merged["human_override"] = False
    return pa.Table.from_pandas(merged, schema=GOLD_REVIEWS_SCHEMA, preserve_index=False).to_pandas()


def build_issue_daily(gold_reviews: pd.DataFrame, samples: int = 3) -> pd.DataFrame:
    """Counts by day × issue type × product family × region: one review counts once per issue it reports."""
    if gold_reviews.empty:
        return ISSUE_DAILY_SCHEMA.empty_table().to_pandas()
    exploded = gold_reviews.explode("issue_types").dropna(subset=["issue_types"])
    if exploded.empty:
        return ISSUE_DAILY_SCHEMA.empty_table().to_pandas()
    exploded = exploded.assign(
        region=exploded["region"].fillna("unknown"),
        is_negative=exploded["sentiment"].isin(["negative", "mixed"]),
        is_high=exploded["severity"].isin(["high", "critical"]),
        is_critical=exploded["severity"].eq("critical"),
    )
    grouped = exploded.groupby(["day", "issue_types", "product_family", "region"], sort=True)
    daily = grouped.agg(
        reviews=("review_key", "size"),
        negative_reviews=("is_negative", "sum"),
        high_severity_reviews=("is_high", "sum"),
        critical_reviews=("is_critical", "sum"),
        mean_confidence=("confidence", "mean"),
        sample_review_keys=("review_key", lambda keys: sorted(keys)[:samples]),
    ).reset_index()
    daily = daily.rename(columns={"issue_types": "issue_type"})
    return pa.Table.from_pandas(daily, schema=ISSUE_DAILY_SCHEMA, preserve_index=False).to_pandas()
