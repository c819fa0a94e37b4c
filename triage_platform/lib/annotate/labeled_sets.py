"""Labeled data as versioned sets: the training set and the fixed evaluation set the learning loops use.

Human labels come from two places:

- label files `TRIAGE_HOME/labels/*.jsonl` (the format of `shared/data/labels/dev.jsonl`), and
- the `gold/labels` Delta table the review queue writes (one row per human decision; the latest row of a
  `review_key` wins; its `review_key` becomes the example id).

A label of `gold/labels` replaces a file label with the same id (the newer, human decision wins).

The evaluation set is **fixed**: `labels/eval/*.jsonl` when that folder has files; otherwise an example
belongs to it when the hash of its id falls below `EVAL_FRACTION` (`in_evaluation_set`), a test that
looks at nothing but the id, so new labels never move an old example from one side to the other. With
no human labels at all the project's own seed examples are used (a stratified split of them).

Both sets are versioned by content: `training_data_hash` of their examples (order-independent).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from triage_platform.lib.annotate.labels import (
    DEFAULT_SPLIT_SEED,
    LabeledExample,
    LabelError,
    _unit_hash,
    load_labels,
    parse_label,
    stable_split,
    training_data_hash,
)
from triage_platform.lib.annotate.seed import seed_examples
from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.delta import TableRef, read_table
from triage_platform.lib.humans.tables import LABELS_SCHEMA, latest_labels

EVAL_FRACTION = 0.25
"""Share of human labels (by id hash) held out for evaluation when no fixed `labels/eval` files exist."""

LABELED_SET_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("origin", pa.string()),
        ("source", pa.string()),
        ("text", pa.string()),
        ("rating", pa.float64()),
        ("product", pa.string()),
        ("issue_types", pa.list_(pa.string())),
        ("primary_issue", pa.string()),
        ("sentiment", pa.string()),
        ("severity", pa.string()),
        ("language", pa.string()),
    ]
)
"""Columns of the `ml/training_set` and `ml/evaluation_set` tables (one labeled example a row)."""

ORIGIN_FILE, ORIGIN_GOLD, ORIGIN_EVAL_FILE, ORIGIN_SEED = "label_file", "gold_labels", "eval_file", "seed"


@dataclass(frozen=True)
class RejectedLabel:
    """A human label that cannot be used, and why (reported, never silently dropped)."""

    id: str
    reason: str


@dataclass(frozen=True)
class LabeledSets:
    """The training and evaluation sets of one moment, with where each example came from."""

    train: list[LabeledExample]
    evaluation: list[LabeledExample]
    origin: str
    """`labels+eval` (fixed eval files), `labels` (hash split of human labels) or `seed`."""
    origins: dict[str, str] = field(default_factory=dict)
    """Example id -> `label_file`, `gold_labels`, `eval_file` or `seed`."""
    rejected: list[RejectedLabel] = field(default_factory=list)

    @property
    def training_hash(self) -> str:
        return training_data_hash(self.train)

    @property
    def evaluation_hash(self) -> str:
        return training_data_hash(self.evaluation)


def in_evaluation_set(
    example_id: str, fraction: float = EVAL_FRACTION, seed: str = DEFAULT_SPLIT_SEED
) -> bool:
    """Whether a human label with this id is held out for evaluation (depends on the id alone)."""
    return _unit_hash(example_id, seed) < fraction


def _file_labels(folder: Path, taxonomy: Taxonomy) -> list[LabeledExample]:
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    return [example for path in files for example in load_labels(path, taxonomy)]


def gold_label_examples(
    frame: pd.DataFrame, taxonomy: Taxonomy
) -> tuple[list[LabeledExample], list[RejectedLabel]]:
    """Labeled examples from `gold/labels` rows (latest per review wins); invalid rows are rejected with
    the reason (labels inconsistent with the guide, or categories outside `taxonomy`)."""
    examples: list[LabeledExample] = []
    rejected: list[RejectedLabel] = []
    for row in latest_labels(frame).itertuples(index=False):
        issue_types = list(row.issue_types) if row.issue_types is not None else []
        title = row.title if isinstance(row.title, str) and row.title.strip() else None
        record = {
            "id": row.review_key,
            "source": row.source,
            "text": f"{title}. {row.text}" if title else row.text,
            "rating": None,
            "product": None,
            "issue_types": issue_types,
            "primary_issue": row.primary_issue if isinstance(row.primary_issue, str) else "none",
            "sentiment": row.sentiment,
            "severity": row.severity,
            "language": row.language if isinstance(row.language, str) and row.language else "und",
        }
        try:
            examples.append(
                parse_label(record, where=f"gold/labels {row.review_key}").check_taxonomy(taxonomy)
            )
        except LabelError as error:
            rejected.append(RejectedLabel(str(row.review_key), str(error)))
    return examples, rejected


def read_gold_labels(table: TableRef) -> pd.DataFrame:
    """The `gold/labels` table (empty, with its schema, when it does not exist yet)."""
    return read_table(table, LABELS_SCHEMA)


def labeled_sets(labels_dir: Path, gold_labels_path: TableRef | None, taxonomy: Taxonomy) -> LabeledSets:
    """The training and evaluation sets from label files and `gold/labels` (see the module doc)."""
    origins: dict[str, str] = {}
    by_id: dict[str, LabeledExample] = {}
    for example in _file_labels(labels_dir, taxonomy):
        by_id[example.id] = example
        origins[example.id] = ORIGIN_FILE
    rejected: list[RejectedLabel] = []
    if gold_labels_path is not None:
        corrections, rejected = gold_label_examples(read_gold_labels(gold_labels_path), taxonomy)
        for example in corrections:
            by_id[example.id] = example
            origins[example.id] = ORIGIN_GOLD
    fixed_eval = _file_labels(labels_dir / "eval", taxonomy)
    for example in fixed_eval:
        origins[example.id] = ORIGIN_EVAL_FILE
    labels = list(by_id.values())
    if labels and fixed_eval:
        eval_ids = {e.id for e in fixed_eval}
        train = [e for e in labels if e.id not in eval_ids]  # never train on the exam
        return LabeledSets(train, fixed_eval, "labels+eval", origins, rejected)
    if labels:
        train = [e for e in labels if not in_evaluation_set(e.id)]
        held_out = [e for e in labels if in_evaluation_set(e.id)]
        if not (train and held_out):  # too few labels for the hash split to fill both sides
            train, held_out = stable_split(labels)
        return LabeledSets(train, held_out, "labels", origins, rejected)
    seeds = seed_examples(taxonomy)
    train, held_out = stable_split(seeds)
    return LabeledSets(train, held_out, "seed", dict.fromkeys((e.id for e in seeds), ORIGIN_SEED), rejected)


# ------------------------------------------------------------------------------------------ as tables


def examples_frame(examples: Sequence[LabeledExample], origins: dict[str, str]) -> pd.DataFrame:
    """A labeled set as a table (the rows of `ml/training_set` / `ml/evaluation_set`)."""
    rows = [
        {**example.model_dump(mode="json"), "origin": origins.get(example.id, ORIGIN_FILE)}
        for example in examples
    ]
    for row in rows:
        row["issue_types"] = list(row["issue_types"])
    return pa.Table.from_pylist(rows, schema=LABELED_SET_SCHEMA).to_pandas()


def frame_examples(frame: pd.DataFrame) -> list[LabeledExample]:
    """The labeled examples of a `ml/training_set` / `ml/evaluation_set` table."""
    records = json.loads(frame.drop(columns=["origin"], errors="ignore").to_json(orient="records"))
    return [parse_label(record, where=f"row {i}") for i, record in enumerate(records)]


def origin_counts(examples: Iterable[LabeledExample], origins: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for example in examples:
        origin = origins.get(example.id, ORIGIN_FILE)
        counts[origin] = counts.get(origin, 0) + 1
    return dict(sorted(counts.items()))


__all__ = [
    "EVAL_FRACTION",
    "LABELED_SET_SCHEMA",
    "LabeledSets",
    "RejectedLabel",
    "examples_frame",
    "frame_examples",
    "gold_label_examples",
    "in_evaluation_set",
    "labeled_sets",
    "origin_counts",
    "read_gold_labels",
]
