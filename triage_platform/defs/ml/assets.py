"""Annotation: the triage judgement of every review."""

import dagster as dg
import pandas as pd

from triage_platform.lib.transform.annotations import ANNOTATION_SCHEMA, build_annotations
from triage_platform.materialization import PARTITION_METADATA, output
from triage_platform.partitions import DAILY_PARTITIONS
from triage_platform.resources import AnnotatorResource


@dg.asset(
    key=["silver", "annotations"],
    ins={"reviews": dg.AssetIn(key=["silver", "reviews"])},
    partitions_def=DAILY_PARTITIONS,
    group_name="ml",
    owners=["team:ml"],
    kinds={"deltalake", "pandas", "scikitlearn"},
    metadata=PARTITION_METADATA,
)
def silver_annotations(reviews: pd.DataFrame, annotator: AnnotatorResource) -> dg.Output[pd.DataFrame]:
    """Structured, schema-validated annotation of each review: issue types from the taxonomy, primary
    issue, sentiment, severity, confidence, owning team and rationale, with the stage that decided and the
    model, prompt and taxonomy versions, so every number downstream is traceable."""
    frame = build_annotations(reviews, annotator.annotator())
    issue_counts = frame["primary_issue"].value_counts()
    return output(
        frame,
        ANNOTATION_SCHEMA,
        ["review_key", "primary_issue", "severity", "confidence", "stage", "rationale"],
        {
            "reviews": len(frame),
            "with_issue": int((frame["primary_issue"] != "none").sum()) if len(frame) else 0,
            "needs_human": int(frame["needs_human"].sum()) if len(frame) else 0,
            "primary_issues": ", ".join(f"{k}={v}" for k, v in issue_counts.items()),
            "taxonomy_version": annotator.taxonomy.fingerprint if len(frame) else "",
        },
    )
