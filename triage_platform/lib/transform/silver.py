"""Silver: one clean row per review: normalized, deduplicated, PII-redacted, language-tagged, joined to
the reference dimensions. Every later stage (annotation, LLM, alerts) reads `text_redacted`."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa

from triage_platform.lib.reference import region_dimension, sku_dimension
from triage_platform.lib.text.dedup import DedupItem, find_duplicate_groups
from triage_platform.lib.text.language import detect_languages
from triage_platform.lib.text.normalize import content_fingerprint, normalize_text, standardize_sku
from triage_platform.lib.text.pii import redact_pii

LANGUAGE_CONFIDENCE_FLOOR = 0.5
UNKNOWN = "unknown"

SILVER_SCHEMA = pa.schema(
    [
        ("day", pa.date32()),
        ("review_key", pa.string()),
        ("source", pa.string()),
        ("source_review_id", pa.string()),
        ("submitted_at", pa.timestamp("us", tz="UTC")),
        ("title", pa.string()),
        ("text", pa.string()),
        ("title_redacted", pa.string()),
        ("text_redacted", pa.string()),
        ("pii_types", pa.list_(pa.string())),
        ("rating", pa.float64()),
        ("sku", pa.string()),
        ("product", pa.string()),
        ("product_family", pa.string()),
        ("vendor", pa.string()),
        ("launch_cohort", pa.string()),
        ("region", pa.string()),
        ("country", pa.string()),
        ("fulfillment_center", pa.string()),
        ("order_id", pa.string()),
        ("customer_hash", pa.string()),
        ("language", pa.string()),
        ("language_confidence", pa.float64()),
        ("duplicate_count", pa.int64()),
        ("duplicate_sources", pa.list_(pa.string())),
        ("duplicate_keys", pa.list_(pa.string())),
        ("content_hash", pa.string()),
        ("file_landed_at", pa.timestamp("us", tz="UTC")),
        ("ingested_at", pa.timestamp("us", tz="UTC")),
        ("processed_at", pa.timestamp("us", tz="UTC")),
    ]
)


def _none_if_missing(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)


def customer_hash(customer_id: str | None) -> str | None:
    """A stable pseudonym for the customer, so silver carries no raw emails or account ids."""
    if not customer_id:
        return None
    return hashlib.sha256(customer_id.strip().lower().encode("utf-8")).hexdigest()[:20]


def build_silver(bronze: pd.DataFrame, processed_at: datetime | None = None) -> pd.DataFrame:
    """Collapse a day of bronze rows into one normalized, redacted, enriched row per review."""
    processed_at = processed_at or datetime.now(UTC)
    if bronze.empty:
        return SILVER_SCHEMA.empty_table().to_pandas()
    rows = bronze.sort_values(["submitted_at", "source", "source_review_id", "file_path", "file_line"])
    rows = rows.reset_index(drop=True)
    texts = [normalize_text(t) for t in rows["text"]]
    titles = [normalize_text(t) or None for t in rows["title"]]
    skus = [standardize_sku(_none_if_missing(s)) for s in rows["sku"]]
    items = [
        DedupItem(
            key=f"{source}:{review_id}",
            source=source,
            source_review_id=review_id,
            text=text,
            sku=sku,
            customer_id=_none_if_missing(customer),
            order_id=_none_if_missing(order),
        )
        for source, review_id, text, sku, customer, order in zip(
            rows["source"],
            rows["source_review_id"],
            texts,
            skus,
            rows["customer_id"],
            rows["order_id"],
            strict=True,
        )
    ]
    groups = find_duplicate_groups(items)
    members: dict[int, list[int]] = {}
    for index, canonical in enumerate(groups):
        members.setdefault(canonical, []).append(index)
    canonical_rows = sorted(members)
    languages = detect_languages([f"{titles[i] or ''} {texts[i]}".strip() for i in canonical_rows])
    skus_dim = sku_dimension().set_index("sku")
    regions_dim = region_dimension().set_index("region")
    out = []
    for position, index in enumerate(canonical_rows):
        row = rows.iloc[index]
        group = members[index]
        text_redaction = redact_pii(texts[index])
        title_redaction = redact_pii(titles[index]) if titles[index] else None
        detected, confidence = languages[position]
        declared = _none_if_missing(row["language"])
        language = detected
        if (confidence < LANGUAGE_CONFIDENCE_FLOOR or detected == "und") and declared:
            language = declared.lower()[:2]
        sku = skus[index]
        region = _none_if_missing(row["region"])
        region = region.upper() if region else None
        sku_info = skus_dim.loc[sku] if sku in skus_dim.index else None
        region_info = regions_dim.loc[region] if region in regions_dim.index else None
        out.append(
            {
                "day": row["day"],
                "review_key": items[index].key,
                "source": row["source"],
                "source_review_id": row["source_review_id"],
                "submitted_at": row["submitted_at"],
                "title": titles[index],
                "text": texts[index],
                "title_redacted": title_redaction.text if title_redaction else None,
                "text_redacted": text_redaction.text,
                "pii_types": sorted(
                    set(text_redaction.kinds) | set(title_redaction.kinds if title_redaction else ())
                ),
                "rating": None if pd.isna(row["rating"]) else float(row["rating"]),
                "sku": sku,
                "product": _none_if_missing(row["product"])
                or (sku_info["product_name"] if sku_info is not None else None),
                "product_family": sku_info["product_family"] if sku_info is not None else UNKNOWN,
                "vendor": sku_info["vendor"] if sku_info is not None else UNKNOWN,
                "launch_cohort": sku_info["launch_cohort"] if sku_info is not None else UNKNOWN,
                "region": region,
                "country": region_info["country"] if region_info is not None else UNKNOWN,
                "fulfillment_center": region_info["fulfillment_center"]
                if region_info is not None
                else UNKNOWN,
                "order_id": _none_if_missing(row["order_id"]),
                "customer_hash": customer_hash(_none_if_missing(row["customer_id"])),
                "language": language,
                "language_confidence": float(confidence),
                "duplicate_count": len(group),
                "duplicate_sources": sorted({items[i].source for i in group}),
                "duplicate_keys": sorted({items[i].key for i in group}),
                "content_hash": content_fingerprint(texts[index]),
                "file_landed_at": min(rows.iloc[i]["file_landed_at"] for i in group),
                "ingested_at": min(rows.iloc[i]["ingested_at"] for i in group),
                "processed_at": processed_at,
            }
        )
    return pa.Table.from_pylist(out, schema=SILVER_SCHEMA).to_pandas()
