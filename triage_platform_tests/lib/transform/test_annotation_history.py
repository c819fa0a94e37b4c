"""The annotation history of silver/annotations: versions per review, one current, idempotent re-runs, and
the choice of rows the nightly reprocess annotates again."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pyarrow as pa

from triage_platform.lib.transform.annotations import (
    ANNOTATION_SCHEMA,
    REASON_DAILY,
    REASON_LOW_CONFIDENCE,
    REASON_OUTDATED,
    LiveVersions,
    conform,
    current_annotations,
    merge_history,
    reprocess_candidates,
    reprocess_days,
)

DAY = date(2026, 3, 1)
LIVE = LiveVersions(
    model_version="model-2", rules_version="rules-1", prompt_version=None, taxonomy_version="tax@1"
)


def row(key: str, model: str = "model-1", confidence: float = 0.9, **extra: object) -> dict:
    return {
        "day": DAY,
        "review_key": key,
        "issue_types": ["shipping_delay"],
        "primary_issue": "shipping_delay",
        "sentiment": "negative",
        "severity": "medium",
        "language": "en",
        "confidence": confidence,
        "category_confidence": "{}",
        "owner": "logistics",
        "rationale": "",
        "needs_human": False,
        "stage": "model",
        "model_version": model,
        "prompt_version": None,
        "taxonomy_version": "tax@1",
        "annotated_at": datetime(2026, 3, 1, 12, tzinfo=UTC),
        "annotation_version": 1,
        "is_current": True,
        "annotation_reason": REASON_DAILY,
        **extra,
    }


def frame(rows: list[dict]) -> pd.DataFrame:
    return pa.Table.from_pylist(rows, schema=ANNOTATION_SCHEMA).to_pandas()


def versions(history: pd.DataFrame, key: str) -> list[tuple[int, str, bool]]:
    rows = history[history["review_key"] == key].sort_values("annotation_version")
    return list(zip(rows["annotation_version"], rows["model_version"], rows["is_current"], strict=True))


def test_same_annotator_replaces_its_row_and_a_new_one_adds_a_version() -> None:
    first = merge_history(frame([]), frame([row("a"), row("b")]), keep=["a", "b"])
    again = merge_history(first, frame([row("a", severity="high"), row("b")]), keep=["a", "b"])
    assert len(again) == 2 and versions(again, "a") == [(1, "model-1", True)]
    assert again.set_index("review_key").loc["a", "severity"] == "high"  # same version, fresh content

    upgraded = merge_history(again, frame([row("a", model="model-2")]), keep=["a", "b"])
    assert versions(upgraded, "a") == [(1, "model-1", False), (2, "model-2", True)]
    assert versions(upgraded, "b") == [(1, "model-1", True)]  # not re-annotated: untouched
    assert list(current_annotations(upgraded).sort_values("review_key")["model_version"]) == [
        "model-2",
        "model-1",
    ]

    rolled_back = merge_history(upgraded, frame([row("a", model="model-1")]), keep=["a", "b"])
    assert versions(rolled_back, "a") == [(1, "model-1", True), (2, "model-2", False)]

    gone = merge_history(rolled_back, frame([]), keep=["b"])  # review a left the day's silver
    assert set(gone["review_key"]) == {"b"}


def test_a_table_written_before_history_reads_as_current_version_one() -> None:
    legacy = frame([row("a")]).drop(columns=["annotation_version", "is_current", "annotation_reason"])
    conformed = conform(legacy)
    assert conformed.loc[0, "annotation_version"] == 1 and bool(conformed.loc[0, "is_current"])
    merged = merge_history(legacy, frame([row("a", model="model-2")]), keep=["a"])
    assert versions(merged, "a") == [(1, "model-1", False), (2, "model-2", True)]


def test_reprocess_picks_low_confidence_and_outdated_rows() -> None:
    current = frame(
        [
            row("fine", model="model-2", confidence=0.9),
            row("unsure", model="model-2", confidence=0.2),
            row("old_model", model="model-1"),
            row("by_rules", model="rules-1"),
            row("old_taxonomy", model="model-2", taxonomy_version="tax@0"),
            row("llm", model="gpt-x", prompt_version="llm-batch-v1", stage="llm"),
            row("superseded", model="model-0", confidence=0.1, is_current=False),
        ]
    )
    threshold = {"shipping_delay": 0.5}.get
    reasons = reprocess_candidates(current, LIVE, lambda issue: threshold(issue, 0.5))
    assert reasons == {
        "old_model": REASON_OUTDATED,
        "old_taxonomy": REASON_OUTDATED,
    }  # LLM answers stay while no LLM is configured; superseded rows are history; without an LLM the
    # live model would only repeat its unsure answer, so "unsure" waits for a new model or a human
    with_llm = LiveVersions("model-2", "rules-1", "llm-batch-v1+fs-12345678", "tax@1")
    llm_reasons = reprocess_candidates(current, with_llm, lambda issue: threshold(issue, 0.5))
    assert llm_reasons["llm"] == REASON_OUTDATED and llm_reasons["unsure"] == REASON_LOW_CONFIDENCE
    answered = frame([row("unsure", model="gpt-x", prompt_version=with_llm.prompt_version, confidence=0.2)])
    assert reprocess_candidates(answered, with_llm, lambda issue: 0.5) == {}  # the live prompt answered
    assert reprocess_days(current, LIVE, lambda issue: 0.5) == {DAY: 2}
