"""The day partitions every medallion table shares (UTC days; today's partition is open)."""

from __future__ import annotations

import dagster as dg

from triage_platform.settings import Settings

DAILY_PARTITIONS = dg.DailyPartitionsDefinition(
    start_date=Settings.from_env().partition_start.isoformat(), end_offset=1
)
