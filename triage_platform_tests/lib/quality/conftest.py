"""Hand-made frames shaped like the medallion tables (built through their pyarrow schemas, as the
transforms build them), and the default taxonomy."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pyarrow as pa
import pytest

from triage_platform.lib.annotate.taxonomy import Taxonomy, load_taxonomy
from triage_platform.lib.transform.annotations import ANNOTATION_SCHEMA
from triage_platform.lib.transform.gold import GOLD_REVIEWS_SCHEMA
from triage_platform.lib.transform.silver import SILVER_SCHEMA

DAY = date(2024, 3, 4)
T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
LANGUAGES = ("en", "pt", "es", "de", "und")
SOURCES = ("onsite_review", "app_store", "post_purchase_survey", "support_ticket", "social")


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def _issues(taxonomy: Taxonomy, i: int) -> list[str]:
    """Every third review reports no issue; the others one or two categories."""
    ids = taxonomy.ids
    if i % 3 == 0:
        return []
    first = ids[i % len(ids)]
    return [first] if i % 2 else [first, ids[(i + 5) % len(ids)]]


def silver_frame(n: int) -> pd.DataFrame:
    rows = []
    for i in range(n):
        source = SOURCES[i % len(SOURCES)]
        landed = T0 + timedelta(seconds=10 * i)
        rows.append(
            {
                "day": DAY,
                "review_key": f"{source}:r{i}",
                "source": source,
                "source_review_id": f"r{i}",
                "submitted_at": T0 - timedelta(hours=1),
                "title": None,
                "text": f"review number {i} about the blender",
                "title_redacted": None,
                "text_redacted": f"review number {i} about the blender",
                "pii_types": ["email"] if i % 7 == 0 else [],
                "rating": float(1 + i % 5),
                "sku": "SKU-1042",
                "product": "Blender",
                "product_family": "kitchen",
                "vendor": "acme",
                "launch_cohort": "2023",
                "region": "US-CA",
                "country": "US",
                "fulfillment_center": "FC1",
                "order_id": None,
                "customer_hash": None,
                "language": LANGUAGES[i % len(LANGUAGES)],
                "language_confidence": 0.9,
                "duplicate_count": 1,
                "duplicate_sources": [source],
                "duplicate_keys": [f"{source}:r{i}"],
                "content_hash": f"h{i}",
                "file_landed_at": landed,
                "ingested_at": landed + timedelta(seconds=30),
                "processed_at": landed + timedelta(seconds=90),
            }
        )
    return pa.Table.from_pylist(rows, schema=SILVER_SCHEMA).to_pandas()


def annotation_frame(n: int, taxonomy: Taxonomy) -> pd.DataFrame:
    rows = []
    for i in range(n):
        issues = _issues(taxonomy, i)
        primary = issues[0] if issues else "none"
        rows.append(
            {
                "day": DAY,
                "review_key": f"{SOURCES[i % len(SOURCES)]}:r{i}",
                "issue_types": issues,
                "primary_issue": primary,
                "sentiment": "negative" if issues else "positive",
                "severity": "high" if issues else "none",
                "language": LANGUAGES[i % len(LANGUAGES)],
                "confidence": (i % 100) / 100,
                "category_confidence": "{}",
                "owner": taxonomy.owner_of(primary),
                "rationale": "",
                "needs_human": False,
                "stage": "rules",
                "model_version": "rules-1",
                "prompt_version": None,
                "taxonomy_version": taxonomy.fingerprint,
                "annotated_at": T0 + timedelta(seconds=10 * i + 150),
                "annotation_version": 1,
                "is_current": True,
                "annotation_reason": "daily",
            }
        )
    return pa.Table.from_pylist(rows, schema=ANNOTATION_SCHEMA).to_pandas()


def gold_frame(n: int, taxonomy: Taxonomy) -> pd.DataFrame:
    silver = silver_frame(n)
    annotations = annotation_frame(n, taxonomy).drop(columns=["day", "language", "category_confidence"])
    merged = silver.merge(annotations, on="review_key", how="left")
    merged["route"] = ["alert" if issues.size else "none" for issues in merged["issue_types"]]
    merged["status"] = merged["route"].map({"alert": "alert_open", "none": "no_action"})
    merged["human_override"] = False
    merged = merged[GOLD_REVIEWS_SCHEMA.names]
    return pa.Table.from_pandas(merged, schema=GOLD_REVIEWS_SCHEMA, preserve_index=False).to_pandas()
