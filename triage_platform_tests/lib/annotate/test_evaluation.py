"""Scoring and comparing models for the learning loops (rules alone vs a model, on seed examples)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from triage_platform.lib.annotate.evaluation import compare, history_rows, macro_f1_outcome, score_model
from triage_platform.lib.annotate.seed import seed_examples
from triage_platform.lib.annotate.taxonomy import Taxonomy


def test_the_macro_f1_gate_and_the_trend_rows(taxonomy: Taxonomy) -> None:
    examples = seed_examples(taxonomy, per_language=60)
    rules = score_model(None, examples, taxonomy)
    report = rules.to_dict()
    worse = {**report, "macro_f1": report["macro_f1"] - 0.05}

    same = macro_f1_outcome(report, report, "model-a")
    assert same.passed and same.metadata["delta"] == 0.0
    dropped = macro_f1_outcome(worse, report, "model-a")
    assert not dropped.passed and dropped.metadata["delta"] == -0.05 and "not promoted" in dropped.description
    assert macro_f1_outcome(worse, report, "model-a", tolerance=0.1).passed
    assert macro_f1_outcome(worse, None, None).passed  # nothing live yet: nothing to regress from
    no_macro = {**report, "macro_f1": None}
    assert macro_f1_outcome(no_macro, {**report, "macro_f1": None}, "m").metadata["metric"] == "micro_f1"

    table = compare(report, worse)
    assert table.count("\n") >= len(taxonomy.categories) + 2
    assert "language=en" in table and "source=" in table

    rows = history_rows(
        rules,
        day=date(2026, 3, 1),
        model_version="rules-only",
        dataset="evaluation_set",
        dataset_hash="h",
        evaluated_at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    by_category = {row["category"]: row for row in rows}
    assert set(by_category) == set(taxonomy.ids) | {"macro", "micro"}
    assert by_category["macro"]["f1"] == rules.macro_f1
    assert sum(r["support"] for r in rows if r["category"] in taxonomy.ids) == sum(
        len(e.issue_types) for e in examples
    )
