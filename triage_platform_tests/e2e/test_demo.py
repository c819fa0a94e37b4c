"""The demo end to end: generated landing files → `triage run` → lake, dbt and Slack (a real HTTP server on
127.0.0.1 speaking Slack's webhook protocol, driven by the real slack_sdk client)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from triage_platform.lib.delta import read_table
from triage_platform_tests.fakes.slack_server import FakeSlackServer, ServerError


def test_demo_surfaces_the_incident_and_alerts_slack_through_an_outage(
    triage_home: Path, slack: FakeSlackServer
) -> None:
    from triage_platform.lib.demo import generate_demo
    from triage_platform.lib.summary import summarize_lake
    from triage_platform.runner import prepare_instance, run_available_now
    from triage_platform.settings import Settings

    settings = Settings.from_env()
    end = date.today() - timedelta(days=1)
    manifest = generate_demo(settings.paths.landing, days=9, per_day=100, end_day=end, seed=11)
    slack.script([ServerError(500)] * 3, target="webhook")  # Slack is down when the run starts delivering
    report = run_available_now(settings, prepare_instance(settings.paths))
    assert not report.failed_days and len(report.plan.days) == 9
    assert report.delivery is not None and report.delivery.retried
    summary = summarize_lake(settings.paths)
    incident = manifest.incident
    spikes = {(s.issue_type, s.product_family, s.region) for s in summary.spikes}
    assert (incident.category, incident.product_family, incident.region) in spikes
    spike_days = {
        s.day for s in summary.spikes if s.region == incident.region and s.issue_type == incident.category
    }
    assert spike_days <= set(incident.days) and spike_days
    assert summary.rows_quarantined >= manifest.malformed_rows
    assert summary.table_rows["silver/reviews"] < summary.table_rows["bronze/reviews"]
    silver = read_table(settings.paths.table("silver", "reviews"))
    bronze = read_table(settings.paths.table("bronze", "reviews"))
    assert (~bronze["sku"].dropna().str.fullmatch(r"SKU-\d{4}")).sum() > 0  # loosely typed upstream...
    assert silver["sku"].dropna().str.fullmatch(r"SKU-\d{4}").all()  # ...standardized in silver
    assert (silver.loc[silver["sku"].notna(), "product_family"] != "unknown").all()
    assert set(silver["language"]) >= {"en", "pt", "es", "de", "fr"}
    # The dbt project builds offline over the same lake and agrees with gold.
    dbt_dir = Path(__file__).resolve().parents[2] / "dbt_project"
    target = settings.paths.home / "dbt_target"
    completed = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--profiles-dir",
            str(dbt_dir),
            "--project-dir",
            str(dbt_dir),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    with duckdb.connect(str(settings.paths.home / "warehouse.duckdb"), read_only=True) as warehouse:
        (dbt_reviews,) = warehouse.execute("select sum(reviews) from negative_review_rate_daily").fetchone()
    assert dbt_reviews == summary.table_rows["gold/reviews"]
    # A second pass over the same landing zone is a no-op.
    again = run_available_now(settings, prepare_instance(settings.paths))
    assert again.plan.registered == [] and again.plan.days == []

    # Slack recovers: the next delivery (the alert sensor's, or the next run's) sends what is owed, once.
    from triage_platform.runner import load_definitions

    alerting = load_definitions().resources["alerting"]
    for hours in range(1, 6):  # the alert sensor's next ticks, after the backoff
        alerting.deliver(datetime.now(UTC) + timedelta(hours=hours))
    outbox = read_table(settings.paths.table("gold", "alerts"))
    delivered = outbox[outbox["delivery_status"] == "delivered"]
    ids = [m.alert_id for m in slack.webhook_messages]
    assert len(ids) == len(delivered) > 0
    assert Counter(ids).most_common(1)[0][1] == 1  # never twice
    last_tick = pd.Timestamp(datetime.now(UTC) + timedelta(hours=5))
    due = outbox[(outbox["delivery_status"] == "pending") & (outbox["next_attempt_at"] <= last_tick)]
    assert due.empty  # what is still pending is deferred by the cooldown, not stuck
    spike_messages = [m.text for m in slack.webhook_messages if "baseline" in (m.text or "")]
    assert any(incident.region in text and "kitchen" in text for text in spike_messages), spike_messages
