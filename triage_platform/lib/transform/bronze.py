"""Bronze: the raw reviews of one day, exactly as received, with where and when they came from."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pandas as pd
import pyarrow as pa

from triage_platform.lib.ingest.records import ParsedFile
from triage_platform.lib.ingest.registry import FileVersion

BRONZE_SCHEMA = pa.schema(
    [
        ("day", pa.date32()),
        ("source", pa.string()),
        ("source_review_id", pa.string()),
        ("submitted_at", pa.timestamp("us", tz="UTC")),
        ("title", pa.string()),
        ("text", pa.string()),
        ("rating", pa.float64()),
        ("sku", pa.string()),
        ("product", pa.string()),
        ("region", pa.string()),
        ("customer_id", pa.string()),
        ("order_id", pa.string()),
        ("language", pa.string()),
        ("payload", pa.string()),
        ("payload_sha256", pa.string()),
        ("file_path", pa.string()),
        ("file_sha256", pa.string()),
        ("file_line", pa.int64()),
        ("file_landed_at", pa.timestamp("us", tz="UTC")),
        ("ingested_at", pa.timestamp("us", tz="UTC")),
        ("run_id", pa.string()),
        ("is_retry", pa.bool_()),
    ]
)


def build_bronze(day: date, files: Sequence[tuple[FileVersion, ParsedFile]], run_id: str) -> pd.DataFrame:
    """One row per valid landed record of `day`, in (file path, line) order; repeats flagged as retries."""
    rows = []
    seen: set[tuple[str, str, str]] = set()
    for version, parsed in sorted(files, key=lambda item: item[0].path):
        landed_at = datetime.fromtimestamp(version.mtime_ns / 1e9, tz=UTC)
        for record in parsed.records:
            if record.day != day:
                continue
            payload_sha = hashlib.sha256(record.payload.encode("utf-8")).hexdigest()
            identity = (record.source, record.source_review_id, payload_sha)
            rows.append(
                {
                    "day": day,
                    "source": record.source,
                    "source_review_id": record.source_review_id,
                    "submitted_at": record.submitted_at,
                    "title": record.title,
                    "text": record.text,
                    "rating": record.rating,
                    "sku": record.sku,
                    "product": record.product,
                    "region": record.region,
                    "customer_id": record.customer_id,
                    "order_id": record.order_id,
                    "language": record.language,
                    "payload": record.payload,
                    "payload_sha256": payload_sha,
                    "file_path": version.path,
                    "file_sha256": version.sha256,
                    "file_line": record.line,
                    "file_landed_at": landed_at,
                    "ingested_at": version.discovered_at,
                    "run_id": run_id,
                    "is_retry": identity in seen,
                }
            )
            seen.add(identity)
    return pa.Table.from_pylist(rows, schema=BRONZE_SCHEMA).to_pandas()
