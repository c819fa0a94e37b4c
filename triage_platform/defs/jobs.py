"""Jobs over the medallion graph."""

import dagster as dg

from triage_platform.partitions import DAILY_PARTITIONS

MEDALLION_GROUPS = ("bronze", "silver", "ml", "gold")

medallion_job = dg.define_asset_job(
    name="medallion_job",
    # The model lifecycle assets (ml/candidate_model, ml/promoted_model) are not day-partitioned.
    selection=dg.AssetSelection.groups(*MEDALLION_GROUPS)
    - dg.AssetSelection.assets(dg.AssetKey(["ml", "candidate_model"]), dg.AssetKey(["ml", "promoted_model"])),
    partitions_def=DAILY_PARTITIONS,
    description="Build one day from landed files to gold: bronze → silver → annotations → gold.",
)
