"""The local model measured on real labeled data from ../shared (read in place, never copied; skipped
without it): the e-commerce dev set (held-out split) and a bring-your-own-taxonomy check on airline
complaint tweets. Thresholds assert what was measured when written, minus a small margin."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from benchmarks.quality import airline_data
from triage_platform.lib.annotate import RulesAnnotator, Taxonomy
from triage_platform.lib.annotate.labels import LabeledExample, load_labels, stable_split
from triage_platform.lib.annotate.metrics import EvaluationReport, evaluate, expected_calibration_error
from triage_platform.lib.annotate.model import ModelConfig, TriageModel

SHARED = Path(__file__).resolve().parents[3].parent / "shared/data"
DEV_SET = SHARED / "labels/dev.jsonl"
TWEETS = SHARED / "twitter_us_airline_sentiment/Tweets.csv"

pytestmark = pytest.mark.shared_data


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"needs {path} (read-only shared data, present in CI, not in the repo)")
    return path


@pytest.fixture(scope="module")
def held_out(
    taxonomy: Taxonomy, rules: RulesAnnotator
) -> tuple[TriageModel, list, list[LabeledExample], float]:
    examples = load_labels(_need(DEV_SET), taxonomy)
    train, held = stable_split(examples)  # 825 / 275, stratified by rarest category
    start = time.perf_counter()
    model = TriageModel.train(train, taxonomy, rules=rules)
    seconds = time.perf_counter() - start
    return model, model.predict([e.to_input() for e in held]), held, seconds


@pytest.fixture(scope="module")
def report(held_out: tuple, taxonomy: Taxonomy) -> EvaluationReport:
    _, predictions, held, _ = held_out
    result = evaluate(predictions, held, taxonomy)
    print("\n" + result.render("model trained on 825 dev reviews, scored on the 275 held out"))
    return result


def test_held_out_quality(report: EvaluationReport, held_out: tuple) -> None:
    """Measured when written: macro-F1 0.802 over the 8 categories with >= 10 held-out examples (target
    0.80; 0.763 before the taxonomy's cue windows; the plain TF-IDF baseline 0.575), micro 0.781, every
    such category's recall >= 0.73, pricing_concern F1 0.70 (0.38 before), safety_hazard 1.00,
    fraud_suspicion 1.00 (5 of 5; 0.80 before the rules' used-as-new / card-misuse / doubted-authenticity
    phrasings). See docs/annotation-quality.md."""
    assert report.macro_f1 is not None and report.macro_f1 >= 0.78
    assert report.categories["pricing_concern"].f1 >= 0.6
    assert report.micro_f1 >= 0.75
    for category in report.macro_categories:
        assert report.categories[category].recall >= 0.70, category
    assert report.categories["safety_hazard"].recall >= 0.9
    assert report.categories["fraud_suspicion"].recall >= 0.8  # 5 held-out examples: one is 0.2
    assert report.critical_recall is not None and report.critical_recall >= 0.9
    assert report.severity_accuracy >= 0.78 and report.primary_accuracy >= 0.78
    assert report.sentiment_accuracy >= 0.82


def test_held_out_calibration(report: EvaluationReport, held_out: tuple) -> None:
    """Per-category probabilities: ECE 0.010 when written. Issue-set confidence vs exact match: ECE 0.08."""
    model, predictions, held, _ = held_out
    assert report.ece is not None and report.ece <= 0.03
    by_id = {p.id: p for p in predictions}
    confidence = [by_id[e.id].confidence for e in held]
    exact = [set(by_id[e.id].issue_types) == set(e.issue_types) for e in held]
    assert expected_calibration_error(confidence, exact) <= 0.15
    flagged = np.array([by_id[e.id].needs_human for e in held])
    assert 0.05 < flagged.mean() < 0.4
    assert np.mean(np.array(exact)[flagged]) < 0.5 < np.mean(np.array(exact)[~flagged])
    # out of fold, every floor is kept, fraud_suspicion's 0.90 included
    assert model.manifest["floors_unmet"] == []


def test_bring_your_own_taxonomy_airline_complaints() -> None:
    """Negative tweets, `negativereason` as the one category (10 reasons), same training procedure.

    Measured when written: macro-F1 0.536 on the 1,831 held-out tweets (target 0.65: NOT met; a plain
    TF-IDF + logistic regression scores 0.52, a tuned LinearSVC 0.55). Single-label data, so the model
    keeps exactly one category per tweet (`min_issues=max_issues=1`).
    """
    taxonomy, examples, _agreement = airline_data(_need(TWEETS))  # the same loader the benchmark uses
    assert len(taxonomy.ids) == 10
    train, held = stable_split(examples)
    model = TriageModel.train(train, taxonomy, ModelConfig(min_issues=1, max_issues=1))
    result = evaluate(model.predict([e.to_input() for e in held]), held, taxonomy)
    print("\n" + result.render("airline complaint reasons (held out)"))
    assert result.macro_f1 is not None and result.macro_f1 >= 0.51
    assert result.exact_match >= 0.57
