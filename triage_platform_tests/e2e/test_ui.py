"""The Dagster UI (`make ui`): a real `dagster dev` (webserver + daemon) on 127.0.0.1 shows the asset graph
with its groups, partitions and sensor, and a backfill launched through its GraphQL API materializes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from triage_platform.lib.delta import read_table
from triage_platform.lib.ingest.plan import discover_new_files
from triage_platform.lib.ingest.registry import LandingRegistry
from triage_platform.runner import prepare_instance
from triage_platform.settings import Settings
from triage_platform_tests.conftest import review, write_jsonl

REPO = Path(__file__).resolve().parents[2]
DAYS = ["2026-03-01", "2026-03-02"]

ASSETS_QUERY = """
{
  assetNodes {
    assetKey { path } groupName isPartitioned partitionDefinition { type }
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
  }
  sensorsOrError(repositorySelector: {repositoryName: "__repository__", repositoryLocationName: "triage_platform"}) {
    ... on Sensors { results { name sensorState { status } } }
  }
}
"""
LAUNCH = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}
"""
STATUS = """
query($id: String!) {
  partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill { status } ... on PythonError { message } }
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"{url}/graphql", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = json.loads(response.read())
    assert "errors" not in payload, payload
    return payload["data"]


@pytest.fixture
def dagster_dev(triage_home: Path) -> Iterator[str]:
    settings = Settings.from_env()
    prepare_instance(settings.paths)
    port = free_port()
    log = (triage_home / "dagster_dev.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster"),
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env={**os.environ, "DAGSTER_HOME": str(settings.paths.dagster_home)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (triage_home / "dagster_dev.log").read_text()[-3000:]
            try:
                if graphql(url, "{ version }"):
                    nodes = graphql(url, "{ assetNodes { id } }")["assetNodes"]
                    if nodes:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "dagster dev did not come up"
            time.sleep(1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.mark.slow
def test_ui_shows_graph_and_a_graphql_backfill_materializes(triage_home: Path, dagster_dev: str) -> None:
    settings = Settings.from_env()
    write_jsonl(
        settings.paths.landing / "onsite_review" / "a.jsonl",
        [review("1", DAYS[0], "The strap snapped on day two."), review("2", DAYS[1], "Lovely, fits well.")],
    )
    # Registered (as the sensor would) so the backfill has files to build from; no runs requested here.
    discover_new_files(LandingRegistry(settings.paths, date(2025, 1, 1)), {})

    data = graphql(dagster_dev, ASSETS_QUERY)
    groups = {"/".join(n["assetKey"]["path"]): n["groupName"] for n in data["assetNodes"]}
    assert groups["bronze/reviews"] == "bronze" and groups["gold/issue_daily"] == "gold"
    assert groups["silver/annotations"] == "ml" and groups["landing/files"] == "landing"
    partitioned = {"/".join(n["assetKey"]["path"]) for n in data["assetNodes"] if n["isPartitioned"]}
    assert {"bronze/reviews", "silver/reviews", "gold/reviews"} <= partitioned
    sensors = {s["name"]: s["sensorState"]["status"] for s in data["sensorsOrError"]["results"]}
    assert sensors["landing_sensor"] == "RUNNING"
    assert sensors["alert_delivery_sensor"] == sensors["check_alert_sensor"] == "RUNNING"
    checks = {
        "/".join(n["assetKey"]["path"]): {
            c["name"]: c["blocking"] for c in n["assetChecksOrError"].get("checks", [])
        }
        for n in data["assetNodes"]
    }
    assert checks["bronze/reviews"]["schema_contract"] is True
    assert {"data_quality", "latency_slo", "drift"} <= set(checks["gold/reviews"])
    assert checks["ml/candidate_model"]["recall_floor_safety_hazard"] is True

    selection = [
        {"path": key}
        for key in (
            ["bronze", "reviews"],
            ["silver", "reviews"],
            ["silver", "annotations"],
            ["gold", "reviews"],
            ["gold", "issue_daily"],
        )
    ]
    launched = graphql(dagster_dev, LAUNCH, {"params": {"partitionNames": DAYS, "assetSelection": selection}})
    result = launched["launchPartitionBackfill"]
    assert result["__typename"] == "LaunchBackfillSuccess", result
    deadline = time.monotonic() + 240
    status = None
    while time.monotonic() < deadline:
        status = graphql(dagster_dev, STATUS, {"id": result["backfillId"]})["partitionBackfillOrError"][
            "status"
        ]
        if status in ("COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"):
            break
        time.sleep(2)
    assert status in ("COMPLETED", "COMPLETED_SUCCESS"), status
    gold = read_table(settings.paths.table("gold", "reviews"))
    assert sorted(gold["day"].astype(str)) == DAYS
