"""`evaluate` and `expected_calibration_error` on hand-made cases, checked against numbers worked out by hand."""

from __future__ import annotations

import json

import pytest

from triage_platform.lib.annotate import Annotation, parse_taxonomy
from triage_platform.lib.annotate.labels import LabeledExample
from triage_platform.lib.annotate.metrics import evaluate, expected_calibration_error

TAXONOMY = parse_taxonomy(
    {
        "name": "mini",
        "version": "1",
        "categories": [{"id": "a", "owner": "x"}, {"id": "b", "owner": "x"}, {"id": "c", "owner": "y"}],
    }
)


def _gold(
    i: int, issues: tuple[str, ...], severity: str, sentiment: str, language: str, source: str
) -> LabeledExample:
    return LabeledExample(
        id=str(i),
        source=source,
        text="t",
        issue_types=issues,
        primary_issue=issues[0] if issues else "none",
        sentiment=sentiment,  # type: ignore[arg-type]
        severity=severity,  # type: ignore[arg-type]
        language=language,
    )


def _pred(i: int, issues: list[str], severity: str, sentiment: str, probs: dict[str, float]) -> Annotation:
    return Annotation(
        id=str(i),
        issue_types=issues,
        primary_issue=issues[0] if issues else "none",
        sentiment=sentiment,  # type: ignore[arg-type]
        severity=severity,  # type: ignore[arg-type]
        language="en",
        confidence=0.5,
        category_confidence=probs,
        stage="model",
        model_version="m",
        taxonomy_version="mini@1",
    )


GOLD = [
    _gold(1, ("a",), "critical", "negative", "en", "s1"),
    _gold(2, ("a", "b"), "high", "negative", "en", "s1"),
    _gold(3, (), "none", "positive", "pt", "s2"),
    _gold(4, ("b",), "medium", "mixed", "pt", "s2"),
    _gold(5, ("c",), "critical", "negative", "en", "s1"),
    _gold(6, (), "none", "positive", "en", "s2"),
]
PREDICTIONS = [
    _pred(1, ["a"], "high", "negative", {"a": 0.9, "b": 0.2, "c": 0.1}),
    _pred(2, ["a"], "high", "negative", {"a": 0.8, "b": 0.4, "c": 0.0}),
    _pred(3, ["b"], "low", "positive", {"a": 0.1, "b": 0.6, "c": 0.0}),
    _pred(4, ["b"], "medium", "negative", {"a": 0.0, "b": 0.7, "c": 0.1}),
    _pred(5, [], "none", "negative", {"c": 0.3}),
    _pred(6, [], "none", "positive", {}),
]


def test_per_category_micro_and_macro() -> None:
    report = evaluate(list(reversed(PREDICTIONS)), GOLD, TAXONOMY, min_support=2, slice_min_support=1)
    a, b, c = (report.categories[k] for k in "abc")
    assert (a.precision, a.recall, a.f1, a.support, a.predicted) == (1.0, 1.0, 1.0, 2, 2)
    assert (b.tp, b.fp, b.fn) == (1, 1, 1)
    assert (b.precision, b.recall, b.f1) == (0.5, 0.5, 0.5)
    assert (c.precision, c.recall, c.f1, c.support, c.predicted) == (0.0, 0.0, 0.0, 1, 0)
    assert report.micro_precision == pytest.approx(0.75)
    assert report.micro_recall == pytest.approx(0.6)
    assert report.micro_f1 == pytest.approx(2 / 3)
    assert report.macro_categories == ["a", "b"]
    assert report.macro_f1 == pytest.approx(0.75)
    assert evaluate(PREDICTIONS, GOLD, TAXONOMY, min_support=1).macro_f1 == pytest.approx(0.5)
    assert evaluate(PREDICTIONS, GOLD, TAXONOMY, min_support=3).macro_f1 is None


def test_accuracies_and_critical_recall() -> None:
    report = evaluate(PREDICTIONS, GOLD, TAXONOMY)
    assert report.n == 6
    assert report.exact_match == pytest.approx(3 / 6)
    assert report.primary_accuracy == pytest.approx(4 / 6)
    assert report.severity_accuracy == pytest.approx(3 / 6)
    assert report.sentiment_accuracy == pytest.approx(5 / 6)
    # gold critical: #1 predicted high (alerts: caught), #5 predicted none (missed)
    assert report.critical_support == 2
    assert report.critical_recall == pytest.approx(0.5)
    assert report.critical_exact_recall == pytest.approx(0.0)


def test_slices_by_language_and_source() -> None:
    report = evaluate(PREDICTIONS, GOLD, TAXONOMY, slice_min_support=1)
    en, pt = report.by_language["en"], report.by_language["pt"]
    assert list(report.by_language) == ["en", "pt"]  # biggest slice first
    assert (en.n, pt.n) == (4, 2)
    assert en.micro_f1 == pytest.approx(2 / 3)  # tp 2, fp 0, fn 2
    assert en.macro_f1 == pytest.approx(1 / 3)  # a 1.0, b 0.0, c 0.0
    assert pt.micro_f1 == pytest.approx(2 / 3)  # b: tp 1, fp 1
    assert pt.macro_f1 == pytest.approx(2 / 3) and pt.macro_categories == 1
    assert set(report.by_source) == {"s1", "s2"}
    assert report.by_source["s1"].n == 3


def test_calibration_of_category_probabilities() -> None:
    report = evaluate(PREDICTIONS, GOLD, TAXONOMY)
    # category a: p = .9 .8 .1 0 0 0 (missing counts as 0), y = 1 1 0 0 0 0 -> (.1 + .2 + .1) / 6
    assert report.categories["a"].ece == pytest.approx(0.4 / 6)
    assert report.ece is not None and 0 < report.ece < 1


def test_expected_calibration_error_exact_numbers() -> None:
    assert expected_calibration_error([0.1, 0.4, 0.6, 0.9], [0, 0, 1, 1], bins=2) == pytest.approx(0.25)
    assert expected_calibration_error([0.25, 0.75], [0, 1], bins=1) == pytest.approx(0.0)
    assert expected_calibration_error([1.0, 1.0], [1, 0], bins=10) == pytest.approx(0.5)  # 1.0 in last bin
    assert expected_calibration_error([], []) == 0.0
    with pytest.raises(ValueError):
        expected_calibration_error([0.5], [1, 0])
    with pytest.raises(ValueError):
        expected_calibration_error([1.5], [1])


def test_report_serialises_and_renders() -> None:
    report = evaluate(PREDICTIONS, GOLD, TAXONOMY, min_support=2)
    data = report.to_dict()
    assert json.loads(json.dumps(data))["categories"]["b"]["f1"] == 0.5
    assert data["macro_f1"] == 0.75
    text = report.render("mini")
    assert text.splitlines()[0] == "mini"
    assert "(thin: not in macro)" in text  # c has support 1 < 2
    assert "macro F1 0.750 over 2 categories" in text


def test_every_gold_example_needs_a_prediction() -> None:
    with pytest.raises(ValueError, match="no prediction"):
        evaluate(PREDICTIONS[:-1], GOLD, TAXONOMY)
