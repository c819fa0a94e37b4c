"""Annotations: the annotator's structured, validated judgement of every silver review."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Protocol

import pandas as pd
import pyarrow as pa

from triage_platform.lib.annotate.schema import Annotation, AnnotationInput

ANNOTATION_SCHEMA = pa.schema(
    [
        ("day", pa.date32()),
        ("review_key", pa.string()),
        ("issue_types", pa.list_(pa.string())),
        ("primary_issue", pa.string()),
        ("sentiment", pa.string()),
        ("severity", pa.string()),
        ("language", pa.string()),
        ("confidence", pa.float64()),
        ("category_confidence", pa.string()),
        ("owner", pa.string()),
        ("rationale", pa.string()),
        ("needs_human", pa.bool_()),
        ("stage", pa.string()),
        ("model_version", pa.string()),
        ("prompt_version", pa.string()),
        ("taxonomy_version", pa.string()),
        ("annotated_at", pa.timestamp("us", tz="UTC")),
    ]
)


class Annotator(Protocol):
    """Anything that turns review inputs into validated annotations (rules, model, LLM cascade)."""

    def annotate(self, items: list[AnnotationInput]) -> list[Annotation]: ...


def annotation_inputs(silver: pd.DataFrame) -> list[AnnotationInput]:
    """What the annotator sees: only redacted text, never raw PII."""
    return [
        AnnotationInput(
            id=row.review_key,
            text=row.text_redacted,
            title=row.title_redacted if isinstance(row.title_redacted, str) else None,
            rating=None if pd.isna(row.rating) else float(row.rating),
            source=row.source,
            product=row.product if isinstance(row.product, str) else None,
            language=row.language,
        )
        for row in silver.itertuples()
    ]


def build_annotations(
    silver: pd.DataFrame, annotator: Annotator, annotated_at: datetime | None = None
) -> pd.DataFrame:
    """One annotation row per silver review, carrying the model, prompt and taxonomy versions."""
    annotated_at = annotated_at or datetime.now(UTC)
    if silver.empty:
        return ANNOTATION_SCHEMA.empty_table().to_pandas()
    inputs = annotation_inputs(silver)
    results = {annotation.id: annotation for annotation in annotator.annotate(inputs)}
    rows = []
    for day, item in zip(silver["day"], inputs, strict=True):
        annotation = results[item.id]
        rows.append(
            {
                "day": day,
                "review_key": item.id,
                "issue_types": list(annotation.issue_types),
                "primary_issue": annotation.primary_issue,
                "sentiment": annotation.sentiment,
                "severity": annotation.severity,
                "language": annotation.language,
                "confidence": float(annotation.confidence),
                "category_confidence": json.dumps(annotation.category_confidence, sort_keys=True),
                "owner": annotation.owner,
                "rationale": annotation.rationale,
                "needs_human": bool(annotation.needs_human),
                "stage": annotation.stage,
                "model_version": annotation.model_version,
                "prompt_version": annotation.prompt_version,
                "taxonomy_version": annotation.taxonomy_version,
                "annotated_at": annotated_at,
            }
        )
    return pa.Table.from_pylist(rows, schema=ANNOTATION_SCHEMA).to_pandas()
