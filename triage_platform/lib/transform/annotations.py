"""Annotations: the annotator's structured, validated judgement of every silver review, with history.

`silver/annotations` keeps every version of a review's annotation: a row per (`review_key`,
`annotation_version`), exactly one of them `is_current`. A version is what one annotator configuration
(model, prompt and taxonomy versions: `annotator_key`) said about the review. Annotating a day again with
the same configuration replaces that configuration's row (so re-materializing a partition is idempotent);
a new configuration (a promoted model, a new prompt or few-shot set, a new taxonomy) adds a version and
the older ones stay queryable with `is_current = false`. Gold joins the current rows only.

`reprocess_candidates` picks the current rows the nightly reprocess re-annotates: confidence below the
routing's review threshold (they would land in the labeling backlog), or made by a model, prompt or
taxonomy that is no longer the live one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

import pandas as pd
import pyarrow as pa

from triage_platform.lib.annotate.cascade import FALLBACK_VERSION
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
        ("annotation_version", pa.int64()),
        ("is_current", pa.bool_()),
        ("annotation_reason", pa.string()),
    ]
)

REASON_DAILY = "daily"
"""`annotation_reason` of rows written by the normal materialization of a day."""
REASON_LOW_CONFIDENCE = "reprocess:low_confidence"
REASON_OUTDATED = "reprocess:outdated_version"
HISTORY_COLUMNS = ("annotation_version", "is_current", "annotation_reason")


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
    silver: pd.DataFrame,
    annotator: Annotator,
    annotated_at: datetime | None = None,
    reason: str | Mapping[str, str] = REASON_DAILY,
) -> pd.DataFrame:
    """One annotation row per silver review, carrying the model, prompt and taxonomy versions (a fresh,
    current version 1; `merge_history` renumbers it against the partition's history). `reason` is the
    `annotation_reason` of every row, or a mapping review_key -> reason."""
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
                "annotation_version": 1,
                "is_current": True,
                "annotation_reason": reason if isinstance(reason, str) else reason.get(item.id, REASON_DAILY),
            }
        )
    return pa.Table.from_pylist(rows, schema=ANNOTATION_SCHEMA).to_pandas()


def annotator_key(row: Any) -> tuple[str, str, str]:
    """What identifies the annotator configuration behind a row: model, prompt and taxonomy versions."""

    def text(value: Any) -> str:
        return value if isinstance(value, str) else ""

    return (text(row["model_version"]), text(row["prompt_version"]), text(row["taxonomy_version"]))


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """A partition read from an older table (before history) with the history columns filled in: each
    review's single row is its current version 1."""
    frame = frame.copy()
    if "annotation_version" not in frame.columns:
        frame["annotation_version"] = 1
    if "is_current" not in frame.columns:
        frame["is_current"] = True
    if "annotation_reason" not in frame.columns:
        frame["annotation_reason"] = REASON_DAILY
    frame["annotation_version"] = frame["annotation_version"].fillna(1).astype("int64")
    frame["is_current"] = frame["is_current"].astype("boolean").fillna(True).astype(bool)
    frame["annotation_reason"] = frame["annotation_reason"].fillna(REASON_DAILY)
    return frame[list(ANNOTATION_SCHEMA.names)]


def merge_history(existing: pd.DataFrame, fresh: pd.DataFrame, keep: Iterable[str]) -> pd.DataFrame:
    """The partition's new content: the history of every review in `keep` (the day's silver reviews),
    with `fresh` annotations as their current versions.

    - a fresh row whose annotator configuration already has a row for that review replaces it in place
      (same `annotation_version`): re-running the same annotator changes nothing but `annotated_at`;
    - otherwise it becomes version max + 1;
    - reviews without a fresh row keep their current version; all other rows are `is_current = false`;
    - reviews no longer in `keep` (gone from the day's silver) are dropped with their history.
    """
    keep = set(keep)
    existing = conform(existing) if not existing.empty else ANNOTATION_SCHEMA.empty_table().to_pandas()
    existing = existing[existing["review_key"].isin(keep)].copy()
    fresh = conform(fresh)
    fresh = fresh[fresh["review_key"].isin(keep)].drop_duplicates("review_key", keep="last").copy()
    existing["_config"] = _config_keys(existing)
    fresh["_config"] = _config_keys(fresh)
    # a fresh row takes the version of the same review's row from the same configuration, else max + 1
    same = fresh[["review_key", "_config"]].merge(
        existing[["review_key", "_config", "annotation_version"]], on=["review_key", "_config"], how="left"
    )
    latest = existing.groupby("review_key")["annotation_version"].max()
    following = fresh["review_key"].map(latest).fillna(0).astype("int64").to_numpy() + 1
    matched = same["annotation_version"].to_numpy()
    fresh["annotation_version"] = [
        int(m) if not pd.isna(m) else int(n) for m, n in zip(matched, following, strict=True)
    ]
    fresh["is_current"] = True
    replaced = pd.MultiIndex.from_frame(fresh[["review_key", "annotation_version"]])
    kept = existing[~pd.MultiIndex.from_frame(existing[["review_key", "annotation_version"]]).isin(replaced)]
    kept = kept.assign(is_current=kept["is_current"] & ~kept["review_key"].isin(fresh["review_key"]))
    merged = pd.concat([kept, fresh], ignore_index=True).drop(columns="_config")
    if merged.empty:
        return ANNOTATION_SCHEMA.empty_table().to_pandas()
    merged["issue_types"] = [list(v) if v is not None else [] for v in merged["issue_types"]]
    merged["day"] = [d if isinstance(d, date) else pd.Timestamp(d).date() for d in merged["day"]]
    merged = merged.sort_values(["review_key", "annotation_version"]).reset_index(drop=True)
    return pa.Table.from_pandas(merged, schema=ANNOTATION_SCHEMA, preserve_index=False).to_pandas()


def _config_keys(frame: pd.DataFrame) -> list[str]:
    """`annotator_key` of every row, as one comparable string."""
    return [
        "\x1f".join(annotator_key(row))
        for row in frame[["model_version", "prompt_version", "taxonomy_version"]].to_dict("records")
    ]


def current_annotations(frame: pd.DataFrame) -> pd.DataFrame:
    """The current row of each review (all rows of an older table without history columns, which count as
    version 1)."""
    frame = conform(frame)
    return frame[frame["is_current"]].reset_index(drop=True)


@dataclass(frozen=True)
class LiveVersions:
    """The versions of the annotator configuration in force."""

    model_version: str | None
    rules_version: str | None
    prompt_version: str | None
    taxonomy_version: str


def reprocess_candidates(
    current: pd.DataFrame, live: LiveVersions, review_threshold: Callable[[str], float]
) -> dict[str, str]:
    """review_key -> reason, for current annotation rows worth annotating again:

    - `reprocess:outdated_version`: made under another taxonomy version, by a model that is neither the
      live model nor the live rules, or by an LLM prompt other than the live one (LLM answers are kept
      while no LLM is configured);
    - `reprocess:low_confidence`: confidence below the review threshold of its primary issue
      (`review_threshold(primary_issue)`: the routing would send it to the labeling backlog) while an LLM
      is live that has not yet answered it under the live prompt. Without an LLM, or once the live prompt
      answered, re-annotating would only repeat the same answer: the row waits for a new model or a human.

    Fallback annotations (no stage could answer) count as low confidence.
    """
    known_models = {v for v in (live.model_version, live.rules_version, FALLBACK_VERSION) if v}
    reasons: dict[str, str] = {}
    for row in current_annotations(current).to_dict("records"):
        prompt = row["prompt_version"] if isinstance(row["prompt_version"], str) else None
        if prompt is not None:  # an LLM answer: outdated when another prompt is live (kept when none is)
            outdated_by = live.prompt_version is not None and prompt != live.prompt_version
        else:
            outdated_by = row["model_version"] not in known_models
        outdated = row["taxonomy_version"] != live.taxonomy_version or outdated_by
        if outdated:
            reasons[row["review_key"]] = REASON_OUTDATED
        elif float(row["confidence"]) < review_threshold(row["primary_issue"]) and (
            live.prompt_version is not None and prompt != live.prompt_version
        ):
            reasons[row["review_key"]] = REASON_LOW_CONFIDENCE
    return reasons


def reprocess_days(
    annotations: pd.DataFrame, live: LiveVersions, review_threshold: Callable[[str], float]
) -> dict[date, int]:
    """Day -> how many of its reviews `reprocess_candidates` would re-annotate (days with none omitted)."""
    counts: dict[date, int] = {}
    if annotations.empty:
        return counts
    current = current_annotations(annotations)
    for day, rows in current.groupby("day", sort=True):
        n = len(reprocess_candidates(rows, live, review_threshold))
        if n:
            counts[pd.Timestamp(day).date()] = n
    return counts
