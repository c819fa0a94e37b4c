"""Silver: clean, deduplicated, redacted, enriched reviews."""

import dagster as dg
import pandas as pd

from triage_platform.lib.transform.silver import SILVER_SCHEMA, build_silver
from triage_platform.materialization import DELTA_KINDS, LAYER_OWNERS, PARTITION_METADATA, output
from triage_platform.partitions import DAILY_PARTITIONS


@dg.asset(
    key=["silver", "reviews"],
    ins={"bronze": dg.AssetIn(key=["bronze", "reviews"])},
    partitions_def=DAILY_PARTITIONS,
    group_name="silver",
    owners=LAYER_OWNERS,
    kinds=DELTA_KINDS,
    metadata=PARTITION_METADATA,
)
def silver_reviews(bronze: pd.DataFrame) -> dg.Output[pd.DataFrame]:
    """One row per customer review of the day: text normalized (Unicode, markup, boilerplate), language
    detected, PII redacted into `text_redacted` (the only text later stages and alerts see), SKU
    standardized, retries and cross-channel copies collapsed (with their count and sources), and joined to
    the SKU (product family, vendor, launch cohort) and region (fulfillment center) dimensions."""
    frame = build_silver(bronze)
    collapsed = len(bronze) - len(frame)
    return output(
        frame,
        SILVER_SCHEMA,
        ["review_key", "language", "product_family", "region", "duplicate_count", "text_redacted"],
        {
            "bronze_rows": len(bronze),
            "reviews": len(frame),
            "duplicates_collapsed": collapsed,
            "reviews_with_pii_redacted": int(frame["pii_types"].map(len).gt(0).sum()) if len(frame) else 0,
            "languages": ", ".join(f"{k}={v}" for k, v in frame["language"].value_counts().items()),
        },
    )
