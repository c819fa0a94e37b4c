"""Guards and alerts end to end: asset checks in a real Dagster instance, the alert sensors' ticks, and
a real HTTP server on 127.0.0.1 speaking Slack's webhook protocol, driven by the real slack_sdk client."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from deltalake import write_deltalake

from triage_platform.lib.transform.bronze import BRONZE_SCHEMA
from triage_platform_tests.conftest import review, write_jsonl
from triage_platform_tests.e2e.platform import Platform
from triage_platform_tests.fakes.slack_server import FakeSlackServer

DAY = "2026-03-01"
DOWNSTREAM_OF_BRONZE = [
    ["silver", "reviews"],
    ["silver", "annotations"],
    ["gold", "reviews"],
    ["gold", "issue_daily"],
]


@pytest.fixture
def platform(triage_home: Path, slack: FakeSlackServer) -> Platform:
    return Platform.start()


def rebuild_from_stored_bronze(platform: Platform) -> dg.ExecuteInProcessResult:
    """Run the bronze checks and everything downstream of bronze on what bronze holds now."""
    bronze = dg.AssetKey(["bronze", "reviews"])
    selection = dg.AssetSelection.checks_for_assets(bronze) | dg.AssetSelection.assets(
        *[dg.AssetKey(k) for k in DOWNSTREAM_OF_BRONZE]
    )
    job = dg.define_asset_job("rebuild_from_bronze", selection=selection)
    defs = dg.Definitions.merge(platform.defs, dg.Definitions(jobs=[job]))
    return defs.resolve_job_def("rebuild_from_bronze").execute_in_process(
        partition_key=DAY, instance=platform.instance, raise_on_error=False
    )


def failure_sensor_tick(platform: Platform, result: dg.ExecuteInProcessResult) -> None:
    run = platform.instance.get_run_by_id(result.run_id)
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    sensor = platform.defs.resolve_sensor_def("run_failure_alert_sensor")
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_instance=platform.instance,
        dagster_run=run,
        dagster_event=failure,
        resources=dict(platform.defs.resources or {}),
    ).for_run_failure()
    sensor(context)


def test_schema_violation_in_bronze_blocks_silver_and_posts_exactly_one_message(
    platform: Platform, slack: FakeSlackServer
) -> None:
    write_jsonl(
        platform.landing / "onsite_review" / "a.jsonl",
        [review(str(i), DAY, f"Lovely dress {i}") for i in range(3)],
    )
    platform.tick()
    assert slack.messages == []  # praise raises no alert
    silver_before = platform.day_rows("silver", "reviews", DAY)
    # Someone (a notebook, a broken job) overwrites the day in bronze with rows that break the contract.
    bronze = platform.day_rows("bronze", "reviews", DAY)
    bronze["text"] = None
    write_deltalake(
        str(platform.paths.table("bronze", "reviews")),
        pa_table(bronze),
        mode="overwrite",
        predicate=f"day = '{DAY}'",
    )
    result = rebuild_from_stored_bronze(platform)
    assert not result.success
    evaluations = [e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    (evaluation,) = [e.event_specific_data for e in evaluations]
    assert (evaluation.check_name, evaluation.passed) == ("schema_contract", False)
    materialized = {
        tuple(e.asset_key.path) for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"
    }
    assert materialized == set()  # silver and everything after it were blocked
    assert (
        platform.day_rows("silver", "reviews", DAY)["review_key"].tolist()
        == silver_before["review_key"].tolist()
    )

    failure_sensor_tick(platform, result)
    failure_sensor_tick(platform, result)  # a second tick over the same run sends nothing new
    (message,) = slack.webhook_messages
    assert "bronze/reviews" in message.text and "schema_contract" in message.text and DAY in message.text
    assert result.run_id in message.text  # the link to the run in the Dagster UI


def pa_table(frame: pd.DataFrame):
    import pyarrow as pa

    return pa.Table.from_pandas(frame, schema=BRONZE_SCHEMA, preserve_index=False)


def test_bot_token_posts_through_dagster_slack_to_the_owners_channel(
    triage_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from triage_platform.lib.alerts.candidates import spike_alert
    from triage_platform.lib.spikes import Spike
    from triage_platform.runner import load_definitions

    for name in (
        "SLACK_WEBHOOK_URL",
        "TEAMS_WEBHOOK_URL",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    with FakeSlackServer(token="xoxb-test-token") as server:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
        monkeypatch.setenv("SLACK_API_BASE_URL", server.api_base_url)
        defs = load_definitions()
        alerting, annotator = defs.resources["alerting"], defs.resources["annotator"]
        now = datetime.now(UTC)
        spike = Spike(now.date(), "packaging_damage", "kitchen", "BR-SP", 52, 1.0)
        alerting.outbox().enqueue([spike_alert(spike, annotator.taxonomy, dagster_url="http://ui")], now)
        report = alerting.deliver(now)
        assert len(report.delivered) == 1
        (message,) = server.api_messages
        assert message.channel_name == annotator.taxonomy.channel_of("packaging_damage").lstrip("#")
        assert "BR-SP" in (message.text or "")
