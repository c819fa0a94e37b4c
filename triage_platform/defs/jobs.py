"""Jobs over the medallion graph."""

import dagster as dg

from triage_platform.partitions import DAILY_PARTITIONS

MEDALLION_GROUPS = ("bronze", "silver", "ml", "gold")

medallion_job = dg.define_asset_job(
    name="medallion_job",
    selection=dg.AssetSelection.groups(*MEDALLION_GROUPS),
    partitions_def=DAILY_PARTITIONS,
    description="Build one day from landed files to gold: bronze → silver → annotations → gold.",
)
