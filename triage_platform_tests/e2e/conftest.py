"""Fixtures of the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from triage_platform_tests.fakes.slack_server import FakeSlackServer

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlackServer]:
    """A Slack server on 127.0.0.1, configured as the platform's incoming webhook (and nothing else)."""
    for name in ("SLACK_BOT_TOKEN", "TEAMS_WEBHOOK_URL", *PROXY_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    with FakeSlackServer() as server:
        monkeypatch.setenv("SLACK_WEBHOOK_URL", server.webhook_url)
        yield server
