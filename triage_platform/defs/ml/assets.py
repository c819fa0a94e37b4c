"""Annotation: the triage judgement of every review, with the history of its versions."""

from datetime import date

import dagster as dg
import pandas as pd

from triage_platform.defs.jobs import LEARNING_LOOP_KEYS, MEDALLION_GROUPS
from triage_platform.lib.annotate.usage import append_usage, usage_row, usage_snapshot
from triage_platform.lib.delta import read_table
from triage_platform.lib.transform.annotations import (
    ANNOTATION_SCHEMA,
    REASON_DAILY,
    build_annotations,
    conform,
    current_annotations,
    merge_history,
    reprocess_candidates,
)
from triage_platform.materialization import PARTITION_METADATA, output
from triage_platform.partitions import DAILY_PARTITIONS
from triage_platform.resources import AnnotatorResource, TriageStorage

ANNOTATIONS = dg.AssetKey(["silver", "annotations"])
LLM_USAGE = dg.AssetKey(["ml", "llm_usage"])

ml_llm_usage = dg.AssetSpec(
    key=LLM_USAGE,
    deps=[ANNOTATIONS],
    partitions_def=DAILY_PARTITIONS,
    group_name="ml",
    owners=["team:ml"],
    kinds={"deltalake"},
    description="LLM spend per annotation run (append-only): one row per silver/annotations "
    "materialization (daily or nightly reprocess) with the day, run id, reviews annotated, items handed to "
    "the LLM stage, calls, retries, input/output tokens, cost in USD and the model. Written by "
    "silver/annotations as a side table (zeros when no LLM is configured); read by the dbt ROI rollups "
    "(llm_cost_usd).",
)


class AnnotationRunConfig(dg.Config):
    """How a day's annotations are (re)built."""

    reprocess_only: bool = False
    """False (daily): annotate every review of the day with the live annotator. True (nightly reprocess):
    re-annotate only reviews whose current annotation is low-confidence or made by an outdated model,
    prompt or taxonomy version (and any review without one), sending them all to the LLM stage when one
    is configured; every other review keeps its current annotation."""


@dg.asset(
    key=ANNOTATIONS,
    ins={"reviews": dg.AssetIn(key=["silver", "reviews"])},
    partitions_def=DAILY_PARTITIONS,
    group_name="ml",
    owners=["team:ml"],
    kinds={"deltalake", "pandas", "scikitlearn"},
    metadata=PARTITION_METADATA,
)
def silver_annotations(
    context: dg.AssetExecutionContext,
    config: AnnotationRunConfig,
    reviews: pd.DataFrame,
    annotator: AnnotatorResource,
    storage: TriageStorage,
) -> dg.Output[pd.DataFrame]:
    """Structured, schema-validated annotation of each review: issue types from the taxonomy, primary
    issue, sentiment, severity, confidence, owning team and rationale, with the stage that decided and the
    model, prompt and taxonomy versions, so every number downstream is traceable. Keeps history: one row
    per (review, annotation version), exactly one `is_current`; a new model, prompt or taxonomy adds a
    version (older ones stay queryable), the same one replaces its row (re-runs are idempotent)."""
    day = date.fromisoformat(context.partition_key)
    existing = read_table(storage.paths.table("silver", "annotations"), filters=[("day", "==", day)])
    existing = conform(existing) if not existing.empty else ANNOTATION_SCHEMA.empty_table().to_pandas()
    mode = "reprocess" if config.reprocess_only else "daily"
    if config.reprocess_only:
        reasons = reprocess_candidates(existing, annotator.live_versions(), annotator.review_threshold)
        annotated = set(current_annotations(existing)["review_key"])
        reasons.update({key: REASON_DAILY for key in reviews["review_key"] if key not in annotated})
        picked = reviews[reviews["review_key"].isin(reasons)].reset_index(drop=True)
        cascade = annotator.reprocess_annotator()
        before, model = usage_snapshot(cascade)
        fresh = build_annotations(picked, cascade, reason=reasons)
    else:
        cascade = annotator.annotator()
        before, model = usage_snapshot(cascade)
        fresh = build_annotations(reviews, cascade)
    usage = usage_row(
        day=day,
        run_id=context.run.run_id,
        mode=mode,
        reviews_annotated=len(fresh),
        before=before,
        after=usage_snapshot(cascade)[0],
        model=model,
    )
    append_usage(storage.paths.table("ml", "llm_usage"), usage)
    context.log_event(
        dg.AssetMaterialization(
            asset_key=LLM_USAGE,
            partition=context.partition_key,
            metadata={k: usage[k] for k in ("mode", "llm_items_sent", "calls", "input_tokens", "cost_usd")},
        )
    )
    frame = merge_history(existing, fresh, keep=reviews["review_key"])
    current = current_annotations(frame)
    issue_counts = current["primary_issue"].value_counts()
    reasons_count = fresh["annotation_reason"].value_counts()
    return output(
        frame,
        ANNOTATION_SCHEMA,
        ["review_key", "annotation_version", "primary_issue", "severity", "confidence", "stage", "rationale"],
        {
            "reviews": len(current),
            "mode": mode,
            "annotated_now": len(fresh),
            **{f"annotated_{reason.replace(':', '_')}": int(n) for reason, n in reasons_count.items()},
            "history_rows": len(frame) - len(current),
            "with_issue": int((current["primary_issue"] != "none").sum()) if len(current) else 0,
            "needs_human": int(current["needs_human"].sum()) if len(current) else 0,
            "primary_issues": ", ".join(f"{k}={v}" for k, v in issue_counts.items()),
            "taxonomy_version": annotator.taxonomy.fingerprint if len(current) else "",
            "llm_items_sent": usage["llm_items_sent"],
            **{f"llm_{name}": usage[name] for name in ("calls", "retries", "input_tokens", "output_tokens")},
            "llm_cost_usd": usage["cost_usd"],
            "llm_model": usage["model"] or "",
        },
    )


NIGHTLY_REPROCESS_JOB = dg.define_asset_job(
    name="nightly_reprocess",
    selection=dg.AssetSelection.assets(ANNOTATIONS).downstream()
    & dg.AssetSelection.groups(*MEDALLION_GROUPS) - dg.AssetSelection.assets(*LEARNING_LOOP_KEYS),
    partitions_def=DAILY_PARTITIONS,
    config={"ops": {"silver__annotations": {"config": {"reprocess_only": True}}}},
    description="Versioned backfill of one day: re-annotate reviews whose annotation is low-confidence or "
    "made by an outdated model/prompt/taxonomy (old versions stay in silver/annotations with is_current = "
    "false), then rebuild that day's gold from the current versions. The nightly_reprocess schedule "
    "launches one run per day that has such reviews.",
)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[silver_annotations, ml_llm_usage], jobs=[NIGHTLY_REPROCESS_JOB])
