"""Measure the rules stage on the labeled dev set (`shared/data/labels/dev.jsonl`, read in place).

The texts are never copied into the repository; without the shared data the test is skipped. The rules
were tuned while looking at this set, so these numbers are optimistic for unseen data: they guard
against regressions, they are not an independent evaluation.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from triage_platform.lib.annotate import AnnotationInput, RulesAnnotator, Taxonomy

DEV_SET = Path(__file__).resolve().parents[3].parent / "shared/data/labels/dev.jsonl"

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def dev_rows() -> list[dict]:
    if not DEV_SET.is_file():
        pytest.skip(f"labeled dev set not available at {DEV_SET} (read-only shared data, not in the repo)")
    return [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_rules_precision_and_recall_on_the_dev_set(
    dev_rows: list[dict], rules: RulesAnnotator, taxonomy: Taxonomy
) -> None:
    items = [
        AnnotationInput(
            id=row["id"],
            text=row["text"],
            rating=row.get("rating"),
            language=row.get("language"),
            source=row.get("source"),
            product=row.get("product"),
        )
        for row in dev_rows
    ]
    annotations = rules.annotate(items)

    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    exact = primary = severity = sentiment = 0
    for row, annotation in zip(dev_rows, annotations, strict=True):
        gold, predicted = set(row["issue_types"]), set(annotation.issue_types)
        tp.update(gold & predicted)
        fp.update(predicted - gold)
        fn.update(gold - predicted)
        exact += gold == predicted
        primary += row["primary_issue"] == annotation.primary_issue
        severity += row["severity"] == annotation.severity
        sentiment += row["sentiment"] == annotation.sentiment

    def ratio(a: int, b: int) -> float:
        return a / b if b else float("nan")

    lines = [f"{'category':18s} {'prec':>5s} {'rec':>5s} {'tp':>4s} {'fp':>4s} {'fn':>4s}"]
    precision: dict[str, float] = {}
    recall: dict[str, float] = {}
    for category in taxonomy.ids:
        precision[category] = ratio(tp[category], tp[category] + fp[category])
        recall[category] = ratio(tp[category], tp[category] + fn[category])
        lines.append(
            f"{category:18s} {precision[category]:5.2f} {recall[category]:5.2f} "
            f"{tp[category]:4d} {fp[category]:4d} {fn[category]:4d}"
        )
    n = len(dev_rows)
    micro_p = ratio(sum(tp.values()), sum(tp.values()) + sum(fp.values()))
    micro_r = ratio(sum(tp.values()), sum(tp.values()) + sum(fn.values()))
    lines.append(f"micro precision {micro_p:.3f} recall {micro_r:.3f} over {n} reviews")
    lines.append(
        f"exact issue set {exact / n:.3f}, primary {primary / n:.3f}, severity {severity / n:.3f}, "
        f"sentiment {sentiment / n:.3f}"
    )
    print("\n" + "\n".join(lines))

    assert micro_p >= 0.6  # the bar of the brief; measured ~0.80 when written
    assert micro_r >= 0.6  # measured ~0.74
    assert recall["safety_hazard"] >= 0.9  # its recall floor; measured ~0.98
    for category in taxonomy.ids:
        if tp[category] + fn[category] >= 10:
            assert precision[category] >= 0.5, (category, precision[category])
    assert sentiment / n >= 0.75  # measured ~0.85
