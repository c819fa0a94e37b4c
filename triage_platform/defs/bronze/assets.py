"""Bronze: the raw record of everything received."""

from datetime import date

import dagster as dg
import pandas as pd

from triage_platform.lib.transform.bronze import BRONZE_SCHEMA, build_bronze
from triage_platform.materialization import DELTA_KINDS, LAYER_OWNERS, PARTITION_METADATA, output
from triage_platform.partitions import DAILY_PARTITIONS
from triage_platform.resources import TriageStorage


@dg.asset(
    key=["bronze", "reviews"],
    deps=[dg.AssetKey(["landing", "files"])],
    partitions_def=DAILY_PARTITIONS,
    group_name="bronze",
    owners=LAYER_OWNERS,
    kinds=DELTA_KINDS,
    metadata=PARTITION_METADATA,
)
def bronze_reviews(context: dg.AssetExecutionContext, storage: TriageStorage) -> dg.Output[pd.DataFrame]:
    """Every feedback record received for the day, raw and immutable: the original payload exactly as it
    arrived, with the file, line, file fingerprint, landing and ingestion times. Rebuilt from the archived
    file versions, so re-materializing a day yields the same rows."""
    day = date.fromisoformat(context.partition_key)
    registry = storage.registry()
    versions = registry.files_for_day(day)
    files = [(version, registry.parse_version(version)) for version in versions]
    frame = build_bronze(day, files, run_id=context.run.run_id)
    quarantine = registry.quarantine()
    quarantined_today = int((quarantine["day"] == day).sum()) if not quarantine.empty else 0
    retries = int(frame["is_retry"].sum())
    return output(
        frame,
        BRONZE_SCHEMA,
        ["source", "source_review_id", "submitted_at", "text", "file_path", "file_line"],
        {
            "files": len(versions),
            "rows_new": len(frame) - retries,
            "rows_duplicate": retries,
            "rows_quarantined": quarantined_today,
        },
    )
