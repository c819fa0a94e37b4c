from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from triage_platform.lib.quality.drift import (
    drift_outcome,
    psi,
    psi_level,
    review_psis,
    token_counts,
    tokenize,
    vocabulary_shift,
)


def test_psi_of_identical_distributions_is_zero() -> None:
    values = list(range(1, 101))
    assert psi(values, values) == pytest.approx(0.0, abs=1e-12)
    assert psi({"en": 10, "pt": 5}, {"en": 20, "pt": 10}) == pytest.approx(0.0, abs=1e-12)


def test_psi_numeric_shift_levels() -> None:
    rng = np.random.default_rng(0)
    reference = rng.normal(200, 50, 2000)
    same = rng.normal(200, 50, 2000)
    shifted = rng.normal(220, 50, 2000)  # 0.4 sd
    far = rng.normal(320, 50, 2000)
    assert psi(reference, same) < 0.1
    assert 0.1 <= psi(reference, shifted) < 0.25
    assert psi(reference, far) > 0.25


def test_psi_numeric_matches_hand_computation() -> None:
    # two bins cut at the reference median (2.5): reference 50/50, actual 25/75
    value = psi([1, 2, 3, 4], [1, 3, 4, 4], bins=2)
    assert value == pytest.approx((0.25 - 0.5) * math.log(0.5) + (0.75 - 0.5) * math.log(1.5))


def test_psi_values_outside_reference_range_fall_in_outer_bins() -> None:
    assert psi([10, 20, 30, 40], [10, 20, 30, 40 * 100], bins=4) == pytest.approx(0.0, abs=1e-12)


def test_psi_constant_reference_still_sees_a_shift() -> None:
    assert psi([5, 5, 5, 5], [5, 5, 5, 5]) == pytest.approx(0.0, abs=1e-12)
    assert psi([5, 5, 5, 5], [9, 9, 9, 9]) > 1


def test_psi_categorical_from_values_and_counts() -> None:
    reference = ["en"] * 80 + ["pt"] * 20
    actual = ["en"] * 50 + ["pt"] * 20 + ["de"] * 30  # a new language appears
    from_values = psi(reference, actual)
    from_counts = psi({"en": 80, "pt": 20}, {"en": 50, "pt": 20, "de": 30})
    assert from_values == pytest.approx(from_counts)
    assert from_values > 0.25
    # smoothing keeps an unseen category finite
    assert math.isfinite(from_values)


def test_psi_categorical_series_and_flag() -> None:
    reference = pd.Series(["a", "b", None, "a"])
    assert psi(reference, pd.Series(["a", "b", "a"])) == pytest.approx(0.0, abs=1e-12)
    assert psi([1, 1, 2], [1, 2, 2], categorical=True) > 0


def test_psi_rejects_empty_sides() -> None:
    with pytest.raises(ValueError):
        psi([], [1.0])
    with pytest.raises(ValueError):
        psi({"a": 1}, {})
    with pytest.raises(ValueError):
        psi([1.0], [1.0], bins=0)


def test_psi_level() -> None:
    assert [psi_level(v) for v in (0.0, 0.1, 0.2, 0.25, 1.0)] == [
        "stable",
        "moderate",
        "moderate",
        "significant",
        "significant",
    ]


def test_tokenize_drops_digits_pii_tokens_and_single_letters() -> None:
    assert tokenize("Mail [EMAIL] about order X200, a 5-star Liquidificador!") == [
        "mail",
        "about",
        "order",
        "star",
        "liquidificador",
    ]
    assert tokenize(None) == []


def test_vocabulary_shift_same_and_new_vocabulary() -> None:
    reference = token_counts(["the parcel arrived late", "late delivery again", "box was damaged"])
    same = vocabulary_shift(reference, token_counts(["parcel arrived late", "box damaged"]), top_n=10)
    assert same.oov_rate == 0.0 and same.new_tokens == ()
    shifted = vocabulary_shift(reference, token_counts(["battery explodes", "battery smoke fire"]), top_n=10)
    assert shifted.jaccard == 0.0
    assert shifted.oov_rate == 1.0
    assert shifted.new_tokens[0] == "battery"  # most frequent first


def test_vocabulary_shift_oov_is_weighted_by_occurrences() -> None:
    reference = {"late": 10, "parcel": 5}
    current = {"late": 3, "refund": 1}
    shift = vocabulary_shift(reference, current, top_n=5)
    assert shift.oov_rate == pytest.approx(0.25)
    assert shift.jaccard == pytest.approx(1 / 3)
    assert vocabulary_shift(reference, {}, top_n=5).jaccard == 1.0
    with pytest.raises(ValueError):
        vocabulary_shift(reference, current, top_n=0)


def test_review_psis_over_frames() -> None:
    reference = pd.DataFrame(
        {
            "text_redacted": ["short", "a bit longer text", "medium text"] * 20,
            "language": ["en"] * 60,
            "source": ["onsite_review", "app_store", "social"] * 20,
            "issue_types": [["shipping_delay"], [], ["product_defect"]] * 20,
        }
    )
    current = reference.assign(language=["en", "de", "de"] * 20)
    values = review_psis(reference, current, list_columns=["issue_types", "missing_column"])
    assert set(values) == {"text_length", "source", "language", "issue_types"}
    assert values["language"] > 0.25
    assert values["source"] == pytest.approx(0.0, abs=1e-12)
    assert values["text_length"] == pytest.approx(0.0, abs=1e-12)


def test_drift_outcome_levels_and_metadata() -> None:
    outcome = drift_outcome("silver/reviews", {"text_length": 0.05, "language": 0.15}, rows=500)
    assert outcome.passed and outcome.severity == "WARN"
    assert "moderate shift in language 0.15" in outcome.description
    assert outcome.metadata["psi[language]"] == 0.15
    assert outcome.metadata["psi_level[language]"] == "moderate"
    assert outcome.metadata["psi_max"] == 0.15

    significant = drift_outcome("silver/reviews", {"text_length": 0.4}, rows=500)
    assert not significant.passed
    assert "significant shift in text_length 0.40" in significant.description


def test_drift_outcome_vocabulary() -> None:
    vocabulary = vocabulary_shift({"late": 10}, {"battery": 5, "fire": 4, "late": 1}, top_n=2)
    outcome = drift_outcome("silver/reviews", {}, vocabulary=vocabulary)
    assert not outcome.passed
    assert outcome.metadata["vocab_oov_rate"] == 1.0  # top-2 is battery, fire
    assert outcome.metadata["vocab_new_tokens"] == "battery, fire"
    assert "out-of-vocabulary rate 1.00" in outcome.description
    assert "vocabulary overlap" in outcome.description


def test_drift_outcome_small_sample_passes_with_note() -> None:
    outcome = drift_outcome("silver/reviews", {"language": 0.9}, rows=20)
    assert outcome.passed
    assert "too few rows" in outcome.description and "would flag" in outcome.description
    assert outcome.metadata["psi[language]"] == 0.9


def test_drift_outcome_with_nothing_compared() -> None:
    outcome = drift_outcome("x", {})
    assert outcome.passed and "nothing compared" in outcome.description
