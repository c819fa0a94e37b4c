"""Jobs over the medallion graph."""

import dagster as dg

from triage_platform.partitions import DAILY_PARTITIONS

LEARNING_LOOP_KEYS = tuple(
    dg.AssetKey(["ml", name])
    for name in ("training_set", "evaluation_set", "candidate_model", "promoted_model", "evaluation_history")
)

MEDALLION_GROUPS = ("bronze", "silver", "ml", "gold")

medallion_job = dg.define_asset_job(
    name="medallion_job",
    # The learning-loop assets of ml/ run in their own jobs (weekly_retraining, daily_evaluation).
    selection=dg.AssetSelection.groups(*MEDALLION_GROUPS) - dg.AssetSelection.assets(*LEARNING_LOOP_KEYS),
    partitions_def=DAILY_PARTITIONS,
    description="Build one day from landed files to gold: bronze → silver → annotations → gold.",
)
