"""Delivery through the real slack_sdk clients against a real local Slack/Teams server: routing, outages,
rate limits, partial success, crashes, and exactly one message per alert and sink."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

import pandas as pd
import pytest

from triage_platform.lib.alerts.candidates import review_alerts, run_failure_alert
from triage_platform.lib.alerts.delivery import RetryPolicy, deliver_pending
from triage_platform.lib.alerts.outbox import AlertOutbox
from triage_platform.lib.alerts.sinks import (
    LogSink,
    SlackBotSink,
    SlackWebhookSink,
    TeamsWebhookSink,
    sinks_from_env,
)
from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform_tests.fakes.slack_server import (
    Delay,
    FakeSlackServer,
    Hang,
    RateLimited,
    ServerError,
    SlackError,
)
from triage_platform_tests.lib.alerts.helpers import TOKEN, candidate

TIMEOUT = 0.3  # client timeout; Delay(...) beyond it is a timeout


def bot(slack: FakeSlackServer, taxonomy: Taxonomy | None = None) -> SlackBotSink:
    owners = taxonomy.owners if taxonomy is not None else {}
    return SlackBotSink(TOKEN, base_url=slack.api_base_url, channel_for_owner=owners, timeout=TIMEOUT)


def gold_rows(now: datetime) -> pd.DataFrame:
    base = {"day": now.date(), "submitted_at": now, "severity": "high", "confidence": 0.9, "route": "alert"}
    rows = [
        {
            **base,
            "review_key": "onsite_review:1",
            "primary_issue": "packaging_damage",
            "product_family": "kitchen",
            "region": "BR-SP",
            "sku": "SKU-0042",
            "text_redacted": "Box crushed <!channel> mail me at joe@example.com",
        },
        {
            **base,
            "review_key": "onsite_review:2",
            "primary_issue": "packaging_damage",
            "product_family": "kitchen",
            "region": "BR-SP",
            "sku": "SKU-0042",
            "text_redacted": "Arrived broken",
        },
        {
            **base,
            "review_key": "app_store:3",
            "primary_issue": "safety_hazard",
            "product_family": "electronics",
            "region": "US-CA",
            "sku": "SKU-0100",
            "severity": "critical",
            "text_redacted": "It caught fire",
        },
        {
            **base,
            "review_key": "app_store:4",
            "primary_issue": "sizing_fit",
            "product_family": "apparel",
            "region": "US-CA",
            "route": "human_review",
            "text_redacted": "runs small",
        },
    ]
    return pd.DataFrame(rows)


def per_alert(messages) -> Counter:
    return Counter(m.alert_id for m in messages)


def test_bot_sink_routes_each_alert_to_its_owners_channel(
    outbox: AlertOutbox, slack: FakeSlackServer, taxonomy: Taxonomy, now: datetime
) -> None:
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_BASE_URL": slack.api_base_url}
    sinks = sinks_from_env(env, taxonomy)
    assert [type(s) for s in sinks] == [SlackBotSink]
    candidates = review_alerts(gold_rows(now), taxonomy, dagster_url="http://dagster:3000", now=now)
    candidates.append(
        run_failure_alert(
            job="medallion_job",
            run_id="run-1",
            partition="2026-11-24",
            error="boom\ntraceback",
            dagster_url="http://dagster:3000",
            now=now,
        )
    )
    outbox.enqueue(candidates, now)

    report = deliver_pending(outbox, sinks, now)

    assert len(report.delivered) == 3 and not report.retried
    (packaging,) = slack.messages_in(taxonomy.channel_of("packaging_damage"))
    (safety,) = slack.messages_in(taxonomy.channel_of("safety_hazard"))
    (run_failed,) = slack.messages_in("#triage-alerts")  # no channel for the platform team: the default
    assert "2 reviews" in packaging.text and "SKU SKU-0042" in packaging.text
    assert "&lt;!channel&gt;" in packaging.text and "<!channel>" not in packaging.text  # cannot ping anyone
    assert "[PHONE]" in packaging.text or "555-0100" not in packaging.text
    assert "<http://dagster:3000/assets/gold/reviews?partition=" in packaging.text
    assert packaging.blocks and packaging.blocks[0]["type"] == "header"
    assert safety.text.startswith("🔴 [CRITICAL]")
    assert "medallion_job" in run_failed.text and "http://dagster:3000/runs/run-1" in run_failed.text
    stored = {a.alert_id: a for a in outbox.alerts()}
    assert (
        packaging.alert_id in stored
        and stored[packaging.alert_id].sink_message_ids["slack_bot"]["id"] == packaging.ts
    )
    assert all(a.delivery_status == "delivered" for a in stored.values())


def test_webhook_and_teams_sinks_deliver(outbox: AlertOutbox, slack: FakeSlackServer, now: datetime) -> None:
    outbox.enqueue([candidate("r1", at=now)], now)
    sinks = [
        SlackWebhookSink(slack.webhook_url, timeout=TIMEOUT),
        TeamsWebhookSink(slack.teams_url, timeout=TIMEOUT),
    ]

    report = deliver_pending(outbox, sinks, now)

    (alert,) = outbox.alerts()
    assert report.delivered == [alert.alert_id]
    (hook,) = slack.webhook_messages
    (teams,) = slack.teams_messages
    assert hook.alert_id == teams.alert_id == alert.alert_id
    assert "1 review" in hook.text and hook.blocks
    card = teams.payload["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["actions"][0]["url"] == alert.link
    assert set(alert.sink_message_ids) == {"slack_webhook", "teams"}


def test_outage_then_recovery_delivers_each_alert_exactly_once(
    outbox: AlertOutbox, slack: FakeSlackServer, now: datetime
) -> None:
    outbox.enqueue(
        [candidate("r1", at=now), candidate("r2", at=now, region="US"), candidate("r3", at=now, region="MX")],
        now,
    )
    slack.script(
        [
            ServerError(),
            Delay(1.0),  # Slack posts the message, the answer comes after our timeout
            ServerError(html=True),
            ServerError(503),
            Hang(1.0),  # times out, nothing posted
        ],
        target="chat.postMessage",
    )
    sink = bot(slack)
    clock, runs = now, 0
    while outbox.pending(clock + timedelta(days=1)) and runs < 20:
        deliver_pending(outbox, [sink], clock)
        clock += timedelta(minutes=10)
        runs += 1

    alerts = outbox.alerts()
    assert {a.delivery_status for a in alerts} == {"delivered"}
    assert per_alert(slack.api_messages) == Counter({a.alert_id: 1 for a in alerts})
    assert slack.requests_to("conversations.history")  # the ambiguous attempts were checked, not re-posted
    assert max(a.attempts for a in alerts) >= 3
    assert slack.pending_script("chat.postMessage") == 0


def test_rate_limit_waits_for_retry_after_without_duplicates(
    outbox: AlertOutbox, slack: FakeSlackServer, now: datetime
) -> None:
    outbox.enqueue([candidate("r1", at=now), candidate("r2", at=now, region="US")], now)
    slack.script([RateLimited(retry_after=1)], target="chat.postMessage")

    first = deliver_pending(outbox, [bot(slack)], now)

    assert len(first.retried) == 1 and len(first.skipped) == 1  # the second alert did not hammer Slack
    assert len(slack.requests_to("chat.postMessage")) == 1 and slack.api_messages == []
    assert {a.next_attempt_at for a in outbox.alerts()} == {now + timedelta(seconds=1)}
    assert outbox.pending(now + timedelta(milliseconds=999)) == []

    second = deliver_pending(outbox, [bot(slack)], now + timedelta(seconds=1))

    assert len(second.delivered) == 2
    assert per_alert(slack.api_messages) == Counter({a.alert_id: 1 for a in outbox.alerts()})


def test_partial_success_across_two_sinks_does_not_repost(
    outbox: AlertOutbox, slack: FakeSlackServer, now: datetime
) -> None:
    outbox.enqueue([candidate("r1", at=now)], now)
    sinks = [bot(slack), TeamsWebhookSink(slack.teams_url, timeout=TIMEOUT)]
    slack.script([ServerError(502)], target="teams")

    first = deliver_pending(outbox, sinks, now)
    (alert,) = outbox.alerts()
    assert first.retried == [alert.alert_id] and alert.delivery_status == "pending"
    assert (
        alert.sink_message_ids["slack_bot"]["ok"] is True and alert.sink_message_ids["teams"]["ok"] is False
    )
    assert alert.next_attempt_at == now + timedelta(seconds=30)  # backoff after the first failure

    second = deliver_pending(outbox, sinks, now + timedelta(seconds=30))

    assert second.delivered == [alert.alert_id]
    assert len(slack.requests_to("chat.postMessage")) == 1  # Slack already had it: not called again
    assert len(slack.api_messages) == 1 and len(slack.teams_messages) == 1


def test_crash_between_slack_accepting_and_our_write_does_not_duplicate(
    outbox: AlertOutbox, slack: FakeSlackServer, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox.enqueue([candidate("r1", at=now)], now)

    def crash(*args, **kwargs):
        raise SystemExit("deliverer killed")

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "record_attempt", crash)
        with pytest.raises(SystemExit):
            deliver_pending(outbox, [bot(slack)], now)
    assert len(slack.api_messages) == 1
    (alert,) = outbox.alerts()
    assert alert.inflight_since == now and alert.delivery_status == "pending"

    retry = RetryPolicy()
    assert outbox.pending(now + retry.lease - timedelta(seconds=1)) == []  # leased to the dead deliverer
    report = deliver_pending(outbox, [bot(slack)], now + retry.lease, retry=retry)

    assert report.delivered == [alert.alert_id]
    assert len(slack.api_messages) == 1  # found by its metadata, not posted again
    (after,) = outbox.alerts()
    assert after.sink_message_ids["slack_bot"]["id"] == slack.api_messages[0].ts


def test_unusable_owner_channel_falls_back_to_the_default_channel(
    outbox: AlertOutbox, slack: FakeSlackServer, now: datetime
) -> None:
    outbox.enqueue([candidate("r1", at=now)], now)
    slack.script([SlackError("channel_not_found")], target="chat.postMessage")

    report = deliver_pending(outbox, [bot(slack)], now)

    assert len(report.delivered) == 1 and slack.messages_in("#triage-logistics") == []
    (message,) = slack.messages_in("#triage-alerts")
    assert message.text.startswith("Could not post to #triage-logistics (channel_not_found).")


def test_permanent_errors_and_exhausted_attempts_fail_but_stay_in_the_table(
    outbox: AlertOutbox, slack: FakeSlackServer, now: datetime
) -> None:
    outbox.enqueue([candidate("r1", at=now), candidate("r2", at=now, region="US", priority="critical")], now)
    slack.script([SlackError("invalid_blocks"), ServerError(), ServerError()], target="chat.postMessage")
    retry = RetryPolicy(max_attempts=2, base_delay=timedelta(seconds=1))

    first = deliver_pending(outbox, [bot(slack)], now, retry=retry)
    # the critical one went first and was rejected for good; the other got a 500 (attempt 1 of 2)
    assert len(first.failed) == 1 and len(first.retried) == 1
    second = deliver_pending(outbox, [bot(slack)], now + timedelta(seconds=1), retry=retry)
    assert second.failed == first.retried

    alerts = outbox.alerts()
    assert {a.delivery_status for a in alerts} == {"failed"} and slack.api_messages == []
    assert all(a.last_error for a in alerts)

    (requeued,) = [
        outbox.requeue(a.alert_id, now + timedelta(minutes=1)) for a in alerts if a.priority == "high"
    ]
    assert deliver_pending(outbox, [bot(slack)], now + timedelta(minutes=1)).delivered == [requeued.alert_id]


def test_without_configuration_alerts_go_to_the_log(
    outbox: AlertOutbox, now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    sinks = sinks_from_env({}, None)
    assert [type(s) for s in sinks] == [LogSink]
    outbox.enqueue([candidate("r1", at=now)], now)
    with caplog.at_level(logging.INFO):
        report = deliver_pending(outbox, sinks, now)
    assert len(report.delivered) == 1
    assert "[HIGH] Review alert: packaging_damage · kitchen · BR-SP" in caplog.text
    assert outbox.alerts()[0].sink_message_ids["log"]["ok"] is True
