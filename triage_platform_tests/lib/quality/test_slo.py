from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from triage_platform.lib.quality.slo import (
    HOPS,
    SloTargets,
    freshness_outcome,
    hop_latencies,
    latency_outcome,
    percentile,
    slo_cutoff,
    split_live,
)
from triage_platform_tests.lib.quality.conftest import T0, annotation_frame, silver_frame


def test_targets_defaults_and_env() -> None:
    assert SloTargets() == SloTargets(critical_s=300.0, standard_s=1800.0, live_window_s=3600.0)
    targets = SloTargets.from_env(
        {"TRIAGE_SLO_CRITICAL_S": "120", "TRIAGE_SLO_STANDARD_S": " ", "OTHER": "x"}
    )
    assert targets.critical_s == 120.0 and targets.standard_s == 1800.0


def test_targets_from_process_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_SLO_STANDARD_S", "900.5")
    monkeypatch.delenv("TRIAGE_SLO_CRITICAL_S", raising=False)
    assert SloTargets.from_env() == SloTargets(standard_s=900.5)


@pytest.mark.parametrize("raw", ["five", "0", "-3", "nan", "inf"])
def test_targets_reject_bad_env(raw: str) -> None:
    with pytest.raises(ValueError, match="TRIAGE_SLO_CRITICAL_S"):
        SloTargets.from_env({"TRIAGE_SLO_CRITICAL_S": raw})


def test_hop_latencies_on_silver_hops() -> None:
    silver = silver_frame(5)
    assert hop_latencies(silver, *HOPS["ingestion"][:2]) == [30.0] * 5
    assert hop_latencies(silver, *HOPS["enrichment"][:2]) == [60.0] * 5


def test_classification_hop_spans_a_join() -> None:
    from triage_platform.lib.annotate.taxonomy import load_taxonomy

    joined = silver_frame(4).merge(annotation_frame(4, load_taxonomy())[["review_key", "annotated_at"]])
    assert hop_latencies(joined, "processed_at", "annotated_at") == [60.0] * 4


def test_missing_ends_are_skipped_and_negative_durations_clipped() -> None:
    alerts = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2024-01-01T10:00:00Z"] * 3),
            "delivered_at": pd.to_datetime(
                ["2024-01-01T10:00:05Z", "2024-01-01T10:00:07Z", "2024-01-01T09:59:59Z"]
            ),
            "acknowledged_at": pd.to_datetime(["2024-01-01T10:10:05Z", None, None], utc=True),
        }
    )
    assert hop_latencies(alerts, *HOPS["alert_delivery"][:2]) == [5.0, 7.0, 0.0]
    assert hop_latencies(alerts, *HOPS["acknowledgement"][:2]) == [600.0]


def test_naive_timestamps_are_utc() -> None:
    frame = pd.DataFrame(
        {"a": [datetime(2024, 1, 1, 10, 0)], "b": pd.to_datetime(["2024-01-01T11:00:00+01:00"])}
    )
    assert hop_latencies(frame, "a", "b") == [0.0]


def test_unknown_column() -> None:
    with pytest.raises(KeyError, match="nope"):
        hop_latencies(silver_frame(1), "nope", "ingested_at")


def test_replayed_rows_are_left_out_by_the_cutoff() -> None:
    silver = silver_frame(4)
    # two rows replayed from files that landed three days ago
    silver.loc[[0, 1], "file_landed_at"] = T0 - timedelta(days=3)
    run_started = T0 + timedelta(minutes=5)
    cutoff = slo_cutoff(run_started)
    assert cutoff == T0 - timedelta(minutes=55)
    assert len(hop_latencies(silver, "file_landed_at", "ingested_at")) == 4
    live = hop_latencies(silver, "file_landed_at", "ingested_at", landed_after=cutoff)
    assert live == [30.0, 30.0]
    kept, excluded = split_live(silver, cutoff)
    assert len(kept) == 2 and excluded == 2
    assert slo_cutoff(run_started, SloTargets(live_window_s=60)) == run_started - timedelta(minutes=1)


def test_cutoff_uses_another_landing_column() -> None:
    alerts = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2024-01-01T10:00:00Z", "2023-12-01T10:00:00Z"]),
            "delivered_at": pd.to_datetime(["2024-01-01T10:00:05Z", "2024-01-01T10:00:05Z"]),
        }
    )
    latencies = hop_latencies(
        alerts,
        "created_at",
        "delivered_at",
        landed_after=datetime(2024, 1, 1, tzinfo=UTC),
        landed_col="created_at",
    )
    assert latencies == [5.0]
    with pytest.raises(KeyError, match="file_landed_at"):
        split_live(alerts, datetime(2024, 1, 1, tzinfo=UTC))


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 50) == 5.0
    assert percentile(values, 95) == 10.0
    assert percentile([7.0], 95) == 7.0


def test_latency_within_and_over_target() -> None:
    durations = [10.0] * 95 + [200.0] * 5
    ok = latency_outcome("ingestion", durations, p95_target_s=60)
    assert ok.passed and ok.severity == "ERROR"
    assert ok.metadata["p50_s"] == 10.0 and ok.metadata["p95_s"] == 10.0 and ok.metadata["max_s"] == 200.0
    assert ok.metadata["count"] == 100 and ok.metadata["over_p95_target"] == 5
    breached = latency_outcome("ingestion", [*durations, 200.0], p95_target_s=60)
    assert not breached.passed
    assert "p95 200.0s > target 60s" in breached.description


def test_latency_p50_target() -> None:
    outcome = latency_outcome(
        "triage", [100.0, 120.0, 130.0], p95_target_s=1800, p50_target_s=60, severity="WARN"
    )
    assert not outcome.passed and outcome.severity == "WARN"
    assert "p50 120.0s > target 60s" in outcome.description
    assert outcome.metadata["p50_target_s"] == 60.0


def test_latency_without_rows_passes_with_note() -> None:
    outcome = latency_outcome("alert_delivery", [], p95_target_s=300, excluded_rows=12)
    assert outcome.passed
    assert outcome.metadata["count"] == 0 and outcome.metadata["excluded_rows"] == 12
    assert "no rows" in outcome.description


def test_latency_rejects_bad_targets() -> None:
    with pytest.raises(ValueError):
        latency_outcome("x", [1.0], p95_target_s=0)


def test_freshness() -> None:
    now = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    fresh = freshness_outcome(now - timedelta(minutes=10), now, timedelta(hours=1), name="gold/reviews")
    assert fresh.passed and fresh.metadata["age_s"] == 600.0 and fresh.metadata["max_age_s"] == 3600.0
    assert "fresh" in fresh.description
    stale = freshness_outcome(now - timedelta(hours=3), now, 3600)
    assert not stale.passed and "stale" in stale.description and "3.0h" in stale.description
    never = freshness_outcome(None, now, 3600)
    assert not never.passed and never.metadata["last_update"] == "never"
    naive = freshness_outcome(datetime(2024, 1, 1, 11, 59), now, 120, severity="WARN")
    assert naive.passed and naive.severity == "WARN" and naive.metadata["age_s"] == 60.0
    assert freshness_outcome(pd.Timestamp("2024-01-01T11:00:00Z"), now, 7200).passed
    assert not freshness_outcome(pd.NaT, now, 7200).passed
