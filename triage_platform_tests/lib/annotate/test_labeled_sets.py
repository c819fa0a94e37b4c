"""Labeled sets from label files and the review queue's `gold/labels` Delta table (a real table on disk)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
from deltalake import write_deltalake

from triage_platform.lib.annotate.labeled_sets import (
    examples_frame,
    frame_examples,
    in_evaluation_set,
    labeled_sets,
)
from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.humans.tables import LABELS_SCHEMA

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def file_label(i: int, issue: str | None = "shipping_delay") -> dict:
    issues = [issue] if issue else []
    return {
        "id": f"dev-{i}",
        "source": "onsite_review",
        "text": f"Review number {i}: the parcel took three weeks" if issue else f"Lovely product {i}",
        "rating": 2 if issue else 5,
        "product": "",
        "issue_types": issues,
        "primary_issue": issue or "none",
        "sentiment": "negative" if issue else "positive",
        "severity": "medium" if issue else "none",
        "language": "en",
    }


def write_labels(folder: Path, rows: list[dict], name: str = "batch.jsonl") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def gold_row(key: str, issues: list[str], minutes: int, **extra: object) -> dict:
    primary = issues[0] if issues else "none"
    return {
        "label_id": f"{key}@{minutes}",
        "review_key": key,
        "text": "The blender arrived with a cracked jar",
        "title": None,
        "language": "en",
        "source": "onsite_review",
        "issue_types": issues,
        "primary_issue": primary,
        "severity": "high" if issues else "none",
        "sentiment": "negative" if issues else "positive",
        "annotator": "ana@example.com",
        "labeled_at": T0 + timedelta(minutes=minutes),
        "taxonomy_version": "ecommerce-default@1",
        "before_json": "{}",
        "after_json": "{}",
        **extra,
    }


def write_gold_labels(path: Path, rows: list[dict]) -> None:
    write_deltalake(str(path), pa.Table.from_pylist(rows, schema=LABELS_SCHEMA), mode="append")


def train_side_id(prefix: str) -> str:
    """An id the hash split puts on the training side."""
    return next(f"{prefix}{i}" for i in range(1000) if not in_evaluation_set(f"{prefix}{i}"))


def test_a_gold_labels_correction_reaches_the_training_set(tmp_path: Path, taxonomy: Taxonomy) -> None:
    labels, gold = tmp_path / "labels", tmp_path / "gold_labels"
    rows = [file_label(i) for i in range(40)] + [file_label(i, None) for i in range(40, 80)]
    corrected = next(r for r in rows if not in_evaluation_set(r["id"]) and r["issue_types"])
    write_labels(labels, rows)
    queue_key = train_side_id("onsite_review:q")
    write_gold_labels(
        gold,
        [
            # the human first agreed with the model, then corrected it: the latest decision wins
            gold_row(queue_key, ["shipping_delay"], minutes=1),
            gold_row(queue_key, ["product_defect", "packaging_damage"], minutes=5),
            # a correction of a file label (same id): overrides it
            gold_row(corrected["id"], [], minutes=2, text=corrected["text"]),
            # invalid: a category the taxonomy does not have
            gold_row("onsite_review:bad", ["alien_abduction"], minutes=3),
        ],
    )
    sets = labeled_sets(labels, gold, taxonomy)
    by_id = {e.id: e for e in sets.train}
    assert sets.origin == "labels"
    assert by_id[queue_key].issue_types == ("product_defect", "packaging_damage")
    assert by_id[queue_key].severity == "high"
    assert sets.origins[queue_key] == "gold_labels"
    assert by_id[corrected["id"]].issue_types == () and by_id[corrected["id"]].primary_issue == "none"
    assert [r.id for r in sets.rejected] == ["onsite_review:bad"]
    assert "alien_abduction" in sets.rejected[0].reason
    assert not {e.id for e in sets.train} & {e.id for e in sets.evaluation}

    # as a table and back (the ml/training_set asset's round trip)
    frame = examples_frame(sets.train, sets.origins)
    assert frame_examples(frame) == sets.train
    assert frame.set_index("id").loc[queue_key, "origin"] == "gold_labels"


def test_the_evaluation_set_stays_fixed_when_new_labels_arrive(tmp_path: Path, taxonomy: Taxonomy) -> None:
    labels = tmp_path / "labels"
    write_labels(labels, [file_label(i) for i in range(30)] + [file_label(i, None) for i in range(30, 60)])
    before = labeled_sets(labels, tmp_path / "no_gold_labels_yet", taxonomy)
    write_labels(labels, [file_label(i, "product_defect") for i in range(100, 160)], name="week2.jsonl")
    after = labeled_sets(labels, None, taxonomy)
    old_ids = {e.id for e in before.evaluation}
    assert old_ids and old_ids <= {e.id for e in after.evaluation}  # nobody left the exam
    assert {e.id for e in after.evaluation} - old_ids == {
        f"dev-{i}" for i in range(100, 160) if in_evaluation_set(f"dev-{i}")
    }
    assert before.training_hash != after.training_hash  # new labels: a new training-set version

    # fixed evaluation files win over the hash split, and are never trained on
    write_labels(labels / "eval", [file_label(7)], name="exam.jsonl")
    fixed = labeled_sets(labels, None, taxonomy)
    assert fixed.origin == "labels+eval" and [e.id for e in fixed.evaluation] == ["dev-7"]
    assert "dev-7" not in {e.id for e in fixed.train}


def test_no_human_labels_fall_back_to_the_seed_examples(tmp_path: Path, taxonomy: Taxonomy) -> None:
    sets = labeled_sets(tmp_path / "labels", tmp_path / "gold_labels", taxonomy)
    assert sets.origin == "seed" and sets.train and sets.evaluation
    assert set(sets.origins.values()) == {"seed"}
