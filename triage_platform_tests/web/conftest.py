"""`triage serve` in-process on 127.0.0.1 (uvicorn in a thread, ephemeral port) over a tiny lake."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from slack_sdk import WebClient

from triage_platform.lib.annotate.taxonomy import load_taxonomy
from triage_platform.lib.humans.auth import UserDirectory
from triage_platform.lib.paths import TriagePaths
from triage_platform.web.app import WebConfig, create_app
from triage_platform_tests.fakes.slack_server import FakeSlackServer
from triage_platform_tests.humans_lake import write_tiny_lake

SIGNING_SECRET = "test-signing-secret-0123456789"


@dataclass
class RunningApp:
    url: str
    paths: TriagePaths
    made: dict
    config: WebConfig
    slack: FakeSlackServer


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # not the main thread
        return


@pytest.fixture
def slack() -> Iterator[FakeSlackServer]:
    with FakeSlackServer(token="xoxb-web-test") as server:
        yield server


@pytest.fixture
def web(triage_home: Path, slack: FakeSlackServer) -> Iterator[RunningApp]:
    paths = TriagePaths(triage_home)
    made = write_tiny_lake(paths)
    config = WebConfig(
        paths=paths,
        taxonomy=load_taxonomy(None),
        users=UserDirectory(triage_home / "users.yaml"),
        secret_key="test-secret-key-for-sessions",
        dagster_url="http://127.0.0.1:3000",
        slack_signing_secret=SIGNING_SECRET,
        slack_client=WebClient(token=slack.token, base_url=slack.api_base_url, retry_handlers=[]),
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(create_app(config), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="triage-serve")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "triage serve did not start"
    try:
        yield RunningApp(f"http://127.0.0.1:{port}", paths, made, config, slack)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
