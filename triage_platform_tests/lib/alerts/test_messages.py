"""Candidate builders and message text for every kind, and the row ↔ table round trip."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from triage_platform.lib.alerts.candidates import check_alert, run_failure_alert, spike_alert
from triage_platform.lib.alerts.messages import (
    render_slack_blocks,
    render_slack_text,
    render_teams_card,
    render_text,
)
from triage_platform.lib.alerts.model import alerts_from_frame, alerts_to_frame
from triage_platform.lib.alerts.policy import build_digest, plan_alerts
from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.spikes import find_spikes
from triage_platform_tests.lib.alerts.helpers import candidate

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
UI = "http://dagster.example:3000"


def test_spike_candidate_from_issue_daily(taxonomy: Taxonomy) -> None:
    days = [date(2026, 11, 24) - timedelta(days=i) for i in range(8)]
    daily = pd.DataFrame(
        {
            "day": days,
            "issue_type": "packaging_damage",
            "product_family": "kitchen",
            "region": "BR-SP",
            "reviews": [15, 1, 2, 1, 0, 1, 2, 1],
        }
    )
    (spike,) = find_spikes(daily)
    alert = spike_alert(spike, taxonomy, dagster_url=UI)
    assert alert.kind == "spike" and alert.review_count == 15 and alert.owner == "logistics"
    assert alert.channel == taxonomy.channel_of("packaging_damage")
    assert alert.window_start == datetime(2026, 11, 24, tzinfo=UTC)
    text = render_text(plan_alerts([alert], None, NOW).new[0])
    assert "Spike: Packaging damage · kitchen · BR-SP" in text and "15 reviews on 2026-11-24" in text
    assert f"{UI}/assets/gold/issue_daily?partition=2026-11-24" in text


def test_check_and_run_failure_messages_link_to_the_run() -> None:
    check = check_alert(
        asset="silver/reviews",
        check="no_null_keys",
        partition="2026-11-24",
        description="12 rows without review_key",
        run_id="abc-123",
        dagster_url=UI,
        now=NOW,
    )
    runs = [
        run_failure_alert(
            job="medallion_job",
            run_id=f"run-{i}",
            partition=f"2026-11-2{i}",
            error="ValueError: bad\n  at ...",
            dagster_url=UI,
            now=NOW,
        )
        for i in range(3)
    ]
    plan = plan_alerts([check, *runs], None, NOW)
    by_kind = {a.kind: a for a in plan.new}
    check_text = render_text(by_kind["check"])
    assert "Check failed: silver/reviews · no_null_keys · 2026-11-24" in check_text
    assert "12 rows without review_key" in check_text and f"{UI}/runs/abc-123" in check_text
    run_text = render_text(by_kind["run_failure"])
    assert "3 failed runs" in run_text and "Run failed: medallion_job" in run_text  # one message, not three
    assert "ValueError: bad" in run_text and "at ..." not in run_text


def test_slack_text_is_escaped_and_sized() -> None:
    alert = candidate(
        "r1", at=NOW, sample_text="<!channel> & <http://evil|click> " + "x" * 5000, body="a < b"
    )
    (planned,) = plan_alerts([alert], None, NOW).new
    text = render_slack_text(planned)
    assert "<!channel>" not in text and "&lt;!channel&gt; &amp; &lt;http://evil|click&gt;" in text
    assert len(text) <= 3500
    blocks = render_slack_blocks(planned)
    assert len(blocks[0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    card = render_teams_card(planned)["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and card["body"][0]["text"].startswith("🟠 [HIGH]")


def test_digest_message_lists_its_alerts() -> None:
    held = plan_alerts(
        [candidate("r1", at=NOW, priority="low"), candidate("r2", at=NOW, priority="normal", region="US")],
        None,
        NOW,
    ).new
    digest = build_digest(held, date(2026, 11, 24), now=NOW)
    assert digest is not None
    text = render_text(digest)
    assert text.startswith("🟡 [NORMAL] Daily digest: 2026-11-24 · logistics: 2 lower-priority alerts")
    assert text.count("• [") == 2


def test_alerts_round_trip_through_the_table_schema() -> None:
    (alert,) = plan_alerts([candidate("r1", at=NOW)], None, NOW).new
    alert = alert.model_copy(
        update={"sink_message_ids": {"slack_bot": {"ok": True, "id": "1.2"}}, "confidence": None}
    )
    (back,) = alerts_from_frame(alerts_to_frame([alert]))
    assert back == alert
