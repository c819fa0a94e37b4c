"""Sink configuration from the environment, and secrets: never in a repr, a log line or the outbox."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest

from triage_platform.lib.alerts.delivery import deliver_pending
from triage_platform.lib.alerts.outbox import AlertOutbox
from triage_platform.lib.alerts.sinks import (
    LogSink,
    Secret,
    SlackBotSink,
    SlackWebhookSink,
    TeamsWebhookSink,
    parse_retry_after,
    sinks_from_env,
)
from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform_tests.fakes.slack_server import (
    WEBHOOK_PATH,
    Delay,
    FakeSlackServer,
    RateLimited,
    ServerError,
)
from triage_platform_tests.lib.alerts.helpers import TOKEN, candidate


def test_sinks_from_env(taxonomy: Taxonomy) -> None:
    assert [type(s) for s in sinks_from_env({}, taxonomy)] == [LogSink]
    hook = {"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T1/B1/abc"}
    assert [type(s) for s in sinks_from_env(hook, taxonomy)] == [SlackWebhookSink]
    both = {
        **hook,
        "SLACK_BOT_TOKEN": "xoxb-1",
        "TEAMS_WEBHOOK_URL": "https://x.webhook.office.com/webhookb2/k",
    }
    sinks = sinks_from_env(
        {**both, "SLACK_API_BASE_URL": "http://proxy:8080/api", "TRIAGE_ALERTS_TIMEOUT": "3"}, taxonomy
    )
    assert [type(s) for s in sinks] == [SlackBotSink, TeamsWebhookSink]  # a bot token wins over the webhook
    bot = sinks[0]
    assert isinstance(bot, SlackBotSink)
    assert bot.base_url == "http://proxy:8080/api/" and bot.timeout == 3.0
    assert bot.channel_for_owner == taxonomy.owners and bot.default_channel == "#triage-alerts"


def test_parse_retry_after() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None, 1.0) == 1.0
    assert parse_retry_after("garbage", 2.0) == 2.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: now


def test_secrets_never_reach_reprs_logs_or_the_table(
    outbox: AlertOutbox,
    slack: FakeSlackServer,
    taxonomy: Taxonomy,
    now: datetime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_BASE_URL": slack.api_base_url,
        "TEAMS_WEBHOOK_URL": slack.teams_url,
        "TRIAGE_ALERTS_TIMEOUT": "0.3",
    }
    sinks = [*sinks_from_env(env, taxonomy), SlackWebhookSink(slack.webhook_url, timeout=0.3)]
    secrets = [TOKEN, WEBHOOK_PATH, "secret-teams-key"]
    outbox.enqueue([candidate("r1", at=now)], now)
    slack.script([ServerError(html=True)], target="chat.postMessage")
    slack.script([Delay(1.0)], target="teams")
    slack.script([RateLimited(retry_after=1)], target="webhook")

    with caplog.at_level(logging.DEBUG):
        deliver_pending(outbox, sinks, now)
        deliver_pending(outbox, sinks, now + timedelta(minutes=5))
        for sink in sinks:
            logging.getLogger("test").info("configured %r %s", sink, sink)

    assert outbox.alerts()[0].delivery_status == "delivered"
    stored = outbox.all().to_json()
    # the documented webhook window: Teams accepted the first post but answered after our timeout, and a
    # webhook cannot be searched, so the retry posted it again
    assert len(slack.teams_messages) == 2 and len(slack.api_messages) == len(slack.webhook_messages) == 1
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in stored
        assert all(secret not in repr(s) and secret not in str(s) for s in sinks)
    assert repr(Secret(TOKEN)) == "Secret('***')" and f"{Secret(TOKEN)}" == "***"
    assert "token=***" in repr(sinks[0])
