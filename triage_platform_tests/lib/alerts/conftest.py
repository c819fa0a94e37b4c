"""Fixtures of the alert tests: a fake Slack/Teams server, an outbox in a temporary folder, a clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from triage_platform.lib.alerts.outbox import AlertOutbox
from triage_platform.lib.annotate.taxonomy import Taxonomy, load_taxonomy
from triage_platform_tests.fakes.slack_server import FakeSlackServer
from triage_platform_tests.lib.alerts.helpers import TOKEN


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk and urllib honour proxy variables (and slack_sdk ignores NO_PROXY): talk to 127.0.0.1."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture
def now() -> datetime:
    """The clock of a test: the current hour (real time, so Slack timestamps of the fake line up)."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def slack() -> Iterator[FakeSlackServer]:
    with FakeSlackServer(token=TOKEN) as server:
        yield server


@pytest.fixture
def outbox(tmp_path: Path) -> AlertOutbox:
    return AlertOutbox(tmp_path / "lake" / "gold" / "alerts")
