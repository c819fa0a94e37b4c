"""Labeled examples: loading with line-numbered errors, deterministic splits and data fingerprints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage_platform.lib.annotate import Taxonomy
from triage_platform.lib.annotate.labels import (
    LabeledExample,
    LabelError,
    assign_folds,
    load_labels,
    stable_folds,
    stable_split,
    training_data_hash,
)


def _row(i: int, issues: tuple[str, ...] = (), **extra: object) -> dict:
    row = {
        "id": f"r{i}",
        "source": "onsite_review",
        "text": f"review number {i}",
        "rating": 3,
        "product": "",
        "issue_types": list(issues),
        "primary_issue": issues[0] if issues else "none",
        "sentiment": "negative" if issues else "positive",
        "severity": "medium" if issues else "none",
        "language": "en",
    }
    row.update(extra)
    return row


def _write(path: Path, rows: list[dict | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _examples(n: int) -> list[LabeledExample]:
    cycle = [(), ("shipping_delay",), ("product_defect", "refund_request"), ()]
    out = [LabeledExample.model_validate(_row(i, cycle[i % 4])) for i in range(n)]
    # a thin category: 8 examples
    out += [LabeledExample.model_validate(_row(1000 + i, ("fraud_suspicion",))) for i in range(8)]
    return out


def test_load_labels_reads_the_dev_format(tmp_path: Path, taxonomy: Taxonomy) -> None:
    path = _write(
        tmp_path / "l.jsonl", [_row(1, ("sizing_fit",)), "", _row(2, rating=None, product="Dresses")]
    )
    examples = load_labels(path, taxonomy)
    assert [e.id for e in examples] == ["r1", "r2"]
    assert examples[0].issue_types == ("sizing_fit",)
    assert examples[0].product is None  # "" means unknown
    assert examples[1].rating is None and examples[1].product == "Dresses"
    item = examples[0].to_input()
    assert (item.id, item.text, item.language, item.source) == (
        "r1",
        "review number 1",
        "en",
        "onsite_review",
    )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps(_row(9, ("sizing_fit",), primary_issue="wrong_item")), "primary_issue"),
        (json.dumps(_row(9, (), severity="high")), "severity must be 'none'"),
        (json.dumps(_row(9, ("sizing_fit",), sentiment="angry")), "sentiment"),
        (json.dumps(_row(9, rating=11)), "rating"),
        (json.dumps([1, 2]), "expected a JSON object"),
        (json.dumps(_row(1)), "duplicate id 'r1' (first on line 1)"),
        (json.dumps(_row(9, ("teleportation",))), "outside taxonomy"),
    ],
)
def test_a_bad_line_fails_with_its_line_number(
    tmp_path: Path, taxonomy: Taxonomy, bad: str, message: str
) -> None:
    path = _write(tmp_path / "l.jsonl", [_row(1), _row(2), bad])
    with pytest.raises(LabelError) as info:
        load_labels(path, taxonomy)
    assert f"{path}:3" in str(info.value)
    assert message in str(info.value)


def test_missing_file_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_labels(tmp_path / "nope.jsonl")


def test_stable_split_is_deterministic_and_order_independent() -> None:
    examples = _examples(200)
    train, held_out = stable_split(examples, 0.25)
    again_train, again_held = stable_split(list(reversed(examples)), 0.25)
    assert {e.id for e in held_out} == {e.id for e in again_held}
    assert {e.id for e in train} == {e.id for e in again_train}
    assert not {e.id for e in train} & {e.id for e in held_out}
    assert len(train) + len(held_out) == len(examples)
    assert len(held_out) == pytest.approx(0.25 * len(examples), abs=4)
    # input order is kept on both sides
    order = {e.id: i for i, e in enumerate(examples)}
    assert [order[e.id] for e in train] == sorted(order[e.id] for e in train)
    # stratified: the thin category (8 examples) has round(0.25 * 8) = 2 held out
    assert sum("fraud_suspicion" in e.issue_types for e in held_out) == 2
    # another seed draws another split
    _, other = stable_split(examples, 0.25, seed="another")
    assert {e.id for e in other} != {e.id for e in held_out}


def test_unstratified_split_membership_survives_new_data() -> None:
    examples = _examples(200)
    _, held_out = stable_split(examples, 0.3, stratify=False)
    more = examples + [LabeledExample.model_validate(_row(5000 + i)) for i in range(50)]
    _, held_out_more = stable_split(more, 0.3, stratify=False)
    assert {e.id for e in held_out} <= {e.id for e in held_out_more}


def test_stable_folds_partition_the_examples() -> None:
    examples = _examples(120)
    folds = stable_folds(examples, k=5)
    assert len(folds) == 5
    seen: list[str] = []
    for train, held_out in folds:
        assert len(train) + len(held_out) == len(examples)
        assert not {e.id for e in train} & {e.id for e in held_out}
        seen += [e.id for e in held_out]
    assert sorted(seen) == sorted(e.id for e in examples)
    sizes = [len(h) for _, h in folds]
    assert max(sizes) - min(sizes) <= 1
    assert assign_folds(examples, 5) == assign_folds(examples, 5)
    with pytest.raises(ValueError):
        stable_folds(examples, k=1)
    with pytest.raises(ValueError):
        stable_split(examples, 1.0)


def test_training_data_hash_ignores_order_and_sees_content() -> None:
    examples = _examples(20)
    digest = training_data_hash(examples)
    assert len(digest) == 64
    assert training_data_hash(list(reversed(examples))) == digest
    changed = [*examples[:-1], examples[-1].model_copy(update={"text": "changed"})]
    assert training_data_hash(changed) != digest
