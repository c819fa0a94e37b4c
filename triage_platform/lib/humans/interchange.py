"""What every labeling-tool interchange (Label Studio, Argilla) shares: walking `gold/labels` and the
pending queue/backlog items to export them, and turning a label made elsewhere back into a validated
`gold/labels` row, refusing an invalid one with its reason while the rest of the file goes on.

A tool format module only maps its own JSON to and from these pieces, so the label rules (taxonomy
validation, deterministic `label_id`, `before`/`after` JSON, UTC times) live in one place.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.humans.actions import validate_label
from triage_platform.lib.humans.tables import as_utc, label_id_for, to_json

REVIEW_DATA = ("text", "title", "language", "source")
"""The review-level columns of a `gold/labels` row every export carries (text and title redacted)."""


def missing_to_none(value: Any) -> Any:
    """`None` for a missing value (None or NaN), else the value."""
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def iso(value: Any) -> str:
    """An ISO-8601 UTC time string."""
    return as_utc(value).isoformat()


@dataclass(frozen=True)
class LabeledReview:
    """One labeled review for export: its review-level data, the prediction shown before the first label
    (`before`, or None) and its label rows, oldest first."""

    review_key: str
    data: dict[str, Any]
    before: dict[str, Any] | None
    rows: list[dict[str, Any]]


def labeled_reviews(labels: pd.DataFrame) -> Iterator[LabeledReview]:
    """The labeled reviews of `gold/labels`, by review key, each with its labels oldest first."""
    if labels.empty:
        return
    ordered = labels.sort_values(["review_key", "labeled_at", "label_id"])
    for review_key, group in ordered.groupby("review_key", sort=True):
        first = group.iloc[0]
        before = json.loads(first["before_json"]) if missing_to_none(first["before_json"]) else None
        data = {name: missing_to_none(first[name]) for name in REVIEW_DATA}
        yield LabeledReview(str(review_key), data, before, group.to_dict("records"))


def pending_items(labels: pd.DataFrame, pending: pd.DataFrame | None) -> Iterator[dict[str, Any]]:
    """Queue/backlog rows (`pending`) of reviews that have no label yet, with their review-level data
    under the `gold/labels` names (`text`, `title` from the redacted columns)."""
    if pending is None or pending.empty:
        return
    labeled = set(labels["review_key"]) if not labels.empty else set()
    for row in pending.to_dict("records"):
        if row["review_key"] in labeled:
            continue
        yield {
            **row,
            "text": missing_to_none(row.get("text_redacted")),
            "title": missing_to_none(row.get("title_redacted")),
            "language": missing_to_none(row.get("language")),
            "source": missing_to_none(row.get("source")),
            "model_version": missing_to_none(row.get("model_version")),
            "confidence": float(row["confidence"])
            if missing_to_none(row.get("confidence")) is not None
            else None,
        }


def label_row(
    review_key: str,
    data: Mapping[str, Any],
    values: Mapping[str, Any],
    taxonomy: Taxonomy,
    *,
    annotator: str,
    labeled_at: Any,
    predicted: Mapping[str, Any] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A `gold/labels` row for a label made in a tool: `values` checked against the taxonomy
    (`validate_label`; raises `ValueError` with the reason). `meta` is what the platform exported with the
    label (`label_id`, `before_json`, `after_json`, `taxonomy_version`) and is kept as is, so a round trip
    rebuilds the same row; a label made in the tool gets its `before` from the tool's prediction
    (`predicted`), the taxonomy version in force and a deterministic `label_id` (from review, annotator,
    time and values; a label without a time gets an id without one, so re-importing it is harmless)."""
    meta = meta or {}
    after = validate_label(values, taxonomy)
    stamp = as_utc(labeled_at) if labeled_at else None
    return {
        "label_id": meta.get("label_id") or label_id_for(review_key, annotator, stamp, after),
        "review_key": str(review_key),
        **{name: data.get(name) for name in REVIEW_DATA},
        **after,
        "annotator": annotator,
        "labeled_at": (stamp if stamp is not None else as_utc(datetime.now(UTC))).to_pydatetime(),
        "taxonomy_version": meta.get("taxonomy_version") or taxonomy.fingerprint,
        "before_json": meta.get("before_json") or (to_json(predicted) if predicted else None),
        "after_json": meta.get("after_json") or to_json(after),
    }


@dataclass(frozen=True)
class Refusal:
    """A label of an imported file that was not taken, and why."""

    item: int
    review_key: str | None
    reason: str

    def __str__(self) -> str:
        return f"item #{self.item} ({self.review_key or 'no review key'}): {self.reason}"


@dataclass
class ImportResult:
    """The `gold/labels` rows read from a tool's file and the labels refused (with their reasons)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    def add(self, item: int, review_key: str, build: Callable[[], dict[str, Any]]) -> None:
        """Append the row `build()` makes, or record its `ValueError` as a refusal of this one label."""
        try:
            self.rows.append(build())
        except ValueError as error:
            self.refused.append(Refusal(item, review_key, str(error)))


def collect_labels(items: Iterable[Any], item_rows: Callable[[Any, ImportResult, int], None]) -> ImportResult:
    """Run `item_rows(item, result, number)` over every item (task, record) of a file: it adds the item's
    labels to `result` (`ImportResult.add`, one refusal per invalid label); a `ValueError` it raises itself
    (an item without a review key, say) refuses the rest of that item. The next item always goes on."""
    result = ImportResult()
    for number, item in enumerate(items, start=1):
        try:
            item_rows(item, result, number)
        except ValueError as error:
            key = item_key(item)
            result.refused.append(Refusal(number, key, str(error)))
    return result


def item_key(item: Any) -> str | None:
    """The review key of a Label Studio task or an Argilla record, when it has one."""
    if not isinstance(item, Mapping):
        return None
    for holder in (item.get("data"), item.get("metadata")):
        if isinstance(holder, Mapping) and holder.get("review_key"):
            return str(holder["review_key"])
    return str(item["id"]) if item.get("id") and "fields" in item else None
