"""Time to first triage, acknowledgement lag and time to resolution per category and owner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from triage_platform.lib.alerts.model import Alert, alerts_to_frame
from triage_platform.lib.humans.measures import ack_lag_breaches, triage_measures
from triage_platform_tests.humans_lake import gold_frame

NOW = datetime(2026, 3, 2, 18, tzinfo=UTC)


def _alert(key: str, category: str, owner: str, created: datetime, **extra: object) -> Alert:
    return Alert(
        kind="review",
        dedupe_key=key,
        window_start=created,
        category=category,
        owner=owner,
        title=key,
        created_at=created,
        **extra,
    ).with_id()


def test_measures_per_category_and_owner() -> None:
    gold = gold_frame()
    landed = gold.set_index("review_key")["file_landed_at"]
    labels = pd.DataFrame(
        {
            "review_key": ["r-q1", "r-q1"],
            "labeled_at": [landed["r-q1"] + timedelta(minutes=30), landed["r-q1"] + timedelta(hours=2)],
        }
    )
    t0 = datetime(2026, 3, 2, 10, tzinfo=UTC)
    alerts = alerts_to_frame(
        [
            _alert(
                "a",
                "safety_hazard",
                "product-safety",
                t0,
                acknowledged_at=t0 + timedelta(minutes=10),
                closed_at=t0 + timedelta(hours=3),
                lifecycle_status="closed",
            ),
            _alert("b", "safety_hazard", "product-safety", t0, acknowledged_at=t0 + timedelta(minutes=50)),
            _alert("c", "packaging_damage", "logistics", t0),
        ]
    )
    m = triage_measures(gold, alerts, labels, NOW)
    first = m[
        (m["measure"] == "time_to_first_triage") & (m["category"] == "packaging_damage") & (m["owner"] == "*")
    ].iloc[0]
    # r-q1 labeled 30 min after landing (the first label counts); r-a2 decided automatically 3 min after landing
    assert first["measured"] == 2 and first["pending"] == 0
    assert sorted([first["p50_s"]]) == [(1800 + 180) / 2]
    overall = m[(m["measure"] == "time_to_first_triage") & (m["category"] == "*") & (m["owner"] == "*")].iloc[
        0
    ]
    assert overall["pending"] == 5  # the other queue and backlog items wait for a person
    ack = m[
        (m["measure"] == "acknowledgement_lag")
        & (m["category"] == "safety_hazard")
        & (m["owner"] == "product-safety")
    ].iloc[0]
    assert ack["measured"] == 2 and ack["p50_s"] == 1800.0
    resolution = m[
        (m["measure"] == "time_to_resolution") & (m["owner"] == "product-safety") & (m["category"] == "*")
    ].iloc[0]
    assert resolution["measured"] == 1 and resolution["mean_s"] == 3 * 3600 and resolution["pending"] == 1
    logistics = m[
        (m["measure"] == "acknowledgement_lag")
        & (m["owner"] == "logistics")
        & (m["category"] == "packaging_damage")
    ].iloc[0]
    assert logistics["pending"] == 1 and logistics["max_pending_age_s"] == 8 * 3600

    breaches = ack_lag_breaches(m, slo_seconds=3600)
    assert list(zip(breaches["category"], breaches["owner"], strict=True)) == [
        ("packaging_damage", "logistics")
    ]
    assert len(ack_lag_breaches(m, slo_seconds=10 * 3600)) == 0
    assert len(ack_lag_breaches(m, slo_seconds=1200)) == 2
