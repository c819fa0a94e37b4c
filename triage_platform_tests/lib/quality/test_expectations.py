"""Real Great Expectations (no mocks): one module-scoped warm-up pays the ~3 s import once."""

from __future__ import annotations

import statistics
import time

import pandas as pd
import pytest

from triage_platform.lib.quality.expectations import (
    ISO_639_1,
    LANGUAGE_CODES,
    ExpectAnnotationConsistency,
    ExpectListValuesToBeInSet,
    annotations_suite,
    gold_reviews_suite,
    row_count_anomaly,
    run_suite,
    silver_reviews_suite,
    warm_up,
)
from triage_platform_tests.lib.quality.conftest import annotation_frame, gold_frame, silver_frame

CURRENT = " where is_current==True"


@pytest.fixture(scope="module")
def gx_ready() -> float:
    return warm_up()


def test_language_codes() -> None:
    assert len(ISO_639_1) == 184
    assert {"en", "pt", "zh", "ja", "und"} <= LANGUAGE_CODES
    assert "xx" not in LANGUAGE_CODES and "eng" not in LANGUAGE_CODES


def test_clean_frames_pass_every_suite(gx_ready: float, taxonomy) -> None:
    for frame, suite, name in [
        (silver_frame(60), silver_reviews_suite(taxonomy), "silver/reviews"),
        (annotation_frame(60, taxonomy), annotations_suite(taxonomy), "silver/annotations"),
        (gold_frame(60, taxonomy), gold_reviews_suite(taxonomy), "gold/reviews"),
    ]:
        outcome = run_suite(frame, suite, name)
        assert outcome.passed, outcome.description
        assert outcome.severity == "ERROR"
        assert outcome.metadata["expectations_failed"] == 0
        assert outcome.metadata["expectations"] == len(suite)
        assert outcome.metadata["rows"] == 60
        unique = "expect_column_values_to_be_unique[review_key]"
        assert outcome.metadata.get(unique, outcome.metadata.get(unique + CURRENT)) == "ok"


def test_annotation_violations_are_summarized_per_expectation(gx_ready: float, taxonomy) -> None:
    frame = annotation_frame(30, taxonomy)
    frame.loc[3, "review_key"] = frame.loc[1, "review_key"]
    frame.loc[4, "review_key"] = None
    frame.loc[5, "primary_issue"] = "alien_abduction"
    frame.loc[6, "language"] = "xx"
    frame.loc[7, "confidence"] = 1.5
    frame.at[8, "issue_types"] = [frame.loc[8, "primary_issue"], "bogus_category"]
    frame.loc[9, "sentiment"] = "furious"
    outcome = run_suite(frame, annotations_suite(taxonomy), "silver/annotations")
    md = outcome.metadata
    assert not outcome.passed
    assert md["expect_column_values_to_be_unique[review_key]" + CURRENT].startswith(
        "FAILED (unexpected 2; e.g."
    )
    # one review, two rows claiming the same version, both current: the history expectations catch it too
    assert md["expect_compound_columns_to_be_unique[review_key,annotation_version]"].startswith("FAILED")
    assert md["expect_one_current_row_per_key[review_key,is_current]"].startswith("FAILED (unexpected 1")
    assert md["expect_column_values_to_not_be_null[review_key]"] == "FAILED (unexpected 1)"
    assert (
        md["expect_column_values_to_be_in_set[primary_issue]" + CURRENT]
        == "FAILED (unexpected 1; e.g. 'alien_abduction')"
    )
    assert md["expect_column_values_to_be_in_set[language]"] == "FAILED (unexpected 1; e.g. 'xx')"
    assert md["expect_column_values_to_be_between[confidence]"] == "FAILED (unexpected 1; e.g. 1.5)"
    assert (
        md["expect_list_values_to_be_in_set[issue_types]"] == "FAILED (unexpected 1; e.g. 'bogus_category')"
    )
    assert md["expect_column_values_to_be_in_set[sentiment]"] == "FAILED (unexpected 1; e.g. 'furious')"
    # primary 'alien_abduction' is not among that row's issue types either
    assert md["expect_annotation_consistency[issue_types,primary_issue,severity]"].startswith(
        "FAILED (unexpected 1"
    )
    assert md["expect_column_values_to_be_in_set[severity]"] == "ok"
    assert md["expectations_failed"] == 10
    assert "10 of" in outcome.description and "alien_abduction" in outcome.description


def test_annotations_of_another_taxonomy_version_fail(gx_ready: float, taxonomy) -> None:
    frame = annotation_frame(10, taxonomy).assign(taxonomy_version="ecommerce-default@0")
    outcome = run_suite(frame, annotations_suite(taxonomy), "silver/annotations")
    assert outcome.metadata["expect_column_values_to_be_in_set[taxonomy_version]" + CURRENT].startswith(
        "FAILED (unexpected 10"
    )


def test_an_annotation_history_passes_with_older_versions_of_another_taxonomy(
    gx_ready: float, taxonomy
) -> None:
    current = annotation_frame(10, taxonomy)
    old = current.assign(
        annotation_version=1,
        is_current=False,
        taxonomy_version="ecommerce-default@0",
        owner="a-team-that-no-longer-exists",
    )
    history = pd.concat([old, current.assign(annotation_version=2)], ignore_index=True)
    outcome = run_suite(history, annotations_suite(taxonomy), "silver/annotations")
    assert outcome.passed, outcome.description
    no_current = history.assign(is_current=False)
    failed = run_suite(no_current, annotations_suite(taxonomy), "silver/annotations")
    assert failed.metadata["expect_one_current_row_per_key[review_key,is_current]"].startswith(
        "FAILED (unexpected 10"
    )


def test_silver_ranges_languages_and_pii_kinds(gx_ready: float, taxonomy) -> None:
    frame = silver_frame(20)
    frame.loc[0, "rating"] = 0.0
    frame.loc[1, "rating"] = 6.0
    frame.loc[2, "rating"] = None  # missing ratings are fine
    frame.loc[3, "language"] = "pt-BR"
    frame.loc[4, "review_key"] = "no-colon"
    frame.at[5, "pii_types"] = ["email", "ssn"]
    outcome = run_suite(frame, silver_reviews_suite(taxonomy), "silver/reviews")
    md = outcome.metadata
    assert md["expect_column_values_to_be_between[rating]"].startswith("FAILED (unexpected 2")
    assert md["expect_column_values_to_be_in_set[language]"] == "FAILED (unexpected 1; e.g. 'pt-BR')"
    assert md["expect_column_values_to_match_regex[review_key]"].startswith("FAILED (unexpected 1")
    assert md["expect_list_values_to_be_in_set[pii_types]"] == "FAILED (unexpected 1; e.g. 'ssn')"


def test_gold_unannotated_review_and_bad_route(gx_ready: float, taxonomy) -> None:
    frame = gold_frame(12, taxonomy)
    frame.loc[2, ["issue_types", "primary_issue", "sentiment", "severity", "confidence"]] = None
    frame.loc[3, "route"] = "pager"
    outcome = run_suite(frame, gold_reviews_suite(taxonomy), "gold/reviews")
    md = outcome.metadata
    assert md["expect_column_values_to_not_be_null[primary_issue]"] == "FAILED (unexpected 1)"
    assert md["expect_column_values_to_not_be_null[issue_types]"] == "FAILED (unexpected 1)"
    assert md["expect_column_values_to_be_in_set[route]"] == "FAILED (unexpected 1; e.g. 'pager')"
    # the all-null row is the not-null expectations' business, not the consistency check's
    assert md["expect_annotation_consistency[issue_types,primary_issue,severity]"] == "ok"


def test_missing_column_is_an_error_entry_not_an_exception(gx_ready: float, taxonomy) -> None:
    frame = annotation_frame(10, taxonomy).drop(columns=["owner", "issue_types"])
    outcome = run_suite(frame, annotations_suite(taxonomy), "silver/annotations")
    md = outcome.metadata
    assert not outcome.passed
    assert md["expect_column_values_to_be_in_set[owner]" + CURRENT].startswith("ERROR (")
    assert "owner" in md["expect_column_values_to_be_in_set[owner]" + CURRENT]
    assert md["expect_list_values_to_be_in_set[issue_types]"] == "ERROR (column(s) issue_types missing)"


def test_pandas_checks_directly() -> None:
    frame = pd.DataFrame(
        {
            "review_key": ["a", "b", "c", "d", "e"],
            "issue_types": [["x"], [], None, ["x", "x"], ["y"]],
            "primary_issue": ["x", "none", None, "x", "x"],
            "severity": ["high", "none", None, "low", "low"],
        }
    )
    listed = ExpectListValuesToBeInSet("issue_types", frozenset({"x"})).evaluate(frame)
    assert not listed.success and listed.detail == "unexpected 1; e.g. 'y'"
    consistency = ExpectAnnotationConsistency().evaluate(frame)
    assert not consistency.success and consistency.detail == "unexpected 2; e.g. 'd', 'e'"
    assert ExpectAnnotationConsistency().evaluate(frame.iloc[:3]).success


def test_duplicate_expectations_get_distinct_keys(gx_ready: float) -> None:
    import great_expectations.expectations as gxe

    frame = pd.DataFrame({"x": [1, 2, 3]})
    outcome = run_suite(
        frame,
        [
            gxe.ExpectColumnValuesToBeBetween(column="x", min_value=0, max_value=5),
            gxe.ExpectColumnValuesToBeBetween(column="x", min_value=0, max_value=2),
            gxe.ExpectTableRowCountToBeBetween(min_value=5),
        ],
        "dups",
        severity="WARN",
    )
    assert outcome.severity == "WARN"
    assert outcome.metadata["expect_column_values_to_be_between[x]"] == "ok"
    assert outcome.metadata["expect_column_values_to_be_between[x]#2"] == "FAILED (unexpected 1; e.g. 3)"
    assert outcome.metadata["expect_table_row_count_to_be_between"] == "FAILED (observed 3)"


def test_suites_are_reusable_across_frames(gx_ready: float, taxonomy) -> None:
    suite = annotations_suite(taxonomy)
    good = annotation_frame(10, taxonomy)
    bad = good.assign(severity="catastrophic")
    assert run_suite(good, suite, "a").passed
    assert not run_suite(bad, suite, "a").passed
    assert run_suite(good, suite, "a").passed


def test_suites_pass_on_500_clean_rows_repeatedly(gx_ready: float, taxonomy) -> None:
    """Each suite passes on 500 clean rows, run after run (the timings are printed, not asserted: speed
    belongs to benchmarks)."""
    cases = [
        ("silver/reviews", silver_frame(500), silver_reviews_suite(taxonomy)),
        ("silver/annotations", annotation_frame(500, taxonomy), annotations_suite(taxonomy)),
        ("gold/reviews", gold_frame(500, taxonomy), gold_reviews_suite(taxonomy)),
    ]
    timings = {}
    for name, frame, suite in cases:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            outcome = run_suite(frame, suite, name)
            runs.append(time.perf_counter() - started)
            assert outcome.passed, outcome.description
        timings[name] = statistics.median(runs)
    print(f"GX warm-up {gx_ready:.2f}s; median suite time on 500 rows: {timings}")


# ---------------------------------------------------------------------------------------------------------
# row_count_anomaly


STEADY = [100, 102, 98, 101, 99, 100, 103]


@pytest.mark.parametrize("today", [100, 80, 120, 140])
def test_row_count_in_line_with_steady_history(today: int) -> None:
    outcome = row_count_anomaly(today, STEADY)
    assert outcome.passed, outcome.description
    assert outcome.severity == "WARN"


@pytest.mark.parametrize("today", [0, 50, 160, 400])
def test_row_count_far_from_steady_history(today: int) -> None:
    outcome = row_count_anomaly(today, STEADY)
    assert not outcome.passed
    assert outcome.severity == "WARN"
    assert ("below" if today < 100 else "above") in outcome.description


def test_row_count_metadata() -> None:
    md = row_count_anomaly(50, STEADY).metadata
    assert md["baseline_median"] == 100.0
    assert md["mad"] == 1.0
    assert md["scale"] == 10.0  # sqrt(100) beats 1.4826 * MAD
    assert md["robust_z"] == -5.0
    assert md["ratio"] == 0.5
    assert md["history_days"] == 7
    assert md["expected_min"] == 65.0 and md["expected_max"] == 150.0


def test_row_count_uses_only_the_last_seven_days_and_skips_gaps() -> None:
    history = [5000] * 10 + [100, None, 102, 98, 101, 99, 100, 103]
    outcome = row_count_anomaly(100, history)
    assert outcome.passed
    assert outcome.metadata["history_days"] == 7


def test_row_count_needs_history() -> None:
    outcome = row_count_anomaly(0, [100, None])
    assert outcome.passed and "not enough history" in outcome.description
    assert not row_count_anomaly(0, [100, 100, 100], min_history=3).passed


def test_row_count_noisy_small_series_is_not_flagged_on_ratio_alone() -> None:
    # ratio 2.6 but within Poisson noise of a median of 3.5
    assert row_count_anomaly(9, [3, 5, 2, 4]).passed
    # a median of zero: zero is fine, a burst is not
    assert row_count_anomaly(0, [0, 0, 0]).passed
    flagged = row_count_anomaly(50, [0, 0, 0])
    assert not flagged.passed and flagged.metadata["ratio"] == "inf"


def test_row_count_tolerance_is_configurable() -> None:
    assert row_count_anomaly(130, STEADY).passed
    assert not row_count_anomaly(140, STEADY, tolerance=0.2).passed


def test_row_count_rejects_negative() -> None:
    with pytest.raises(ValueError):
        row_count_anomaly(-1, STEADY)
