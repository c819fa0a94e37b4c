"""The demo end to end: generated landing files → `triage run` → lake, dbt marts and ROI dashboard (through
Dagster, offline on DuckDB) and Slack (a real HTTP server on 127.0.0.1 speaking Slack's webhook protocol,
driven by the real slack_sdk client)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

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
    # `triage run` also built every dbt model (tests as asset checks) and the dashboard, in the same instance.
    assert report.roi_ok and report.dashboard == settings.paths.reports / "roi.html"
    assert "data:image/png;base64," in report.dashboard.read_text()
    instance = prepare_instance(settings.paths)
    (roi_run,) = instance.get_run_records(dg.RunsFilter(job_name="daily_roi"))
    checks = instance.all_logs(roi_run.dagster_run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    assert len(checks) > 30 and all(c.dagster_event.event_specific_data.passed for c in checks)
    # One ROI figure recomputed from the lake with pandas: negative review rate, baseline vs current period
    # (the first and last 4 of the 9 days), and the negative review rate mart agrees with gold row for row.
    gold = read_table(settings.paths.table("gold", "reviews"))
    first, last = gold["day"].min(), gold["day"].max()
    negative = gold["sentiment"].isin(["negative", "mixed"])
    baseline_rate = negative[gold["day"] <= first + timedelta(days=3)].mean()
    current_rate = negative[gold["day"] >= last - timedelta(days=3)].mean()
    with duckdb.connect(str(settings.paths.warehouse), read_only=True) as warehouse:
        (dbt_reviews,) = warehouse.execute("select sum(reviews) from negative_review_rate_daily").fetchone()
        dbt_rates = warehouse.execute(
            "select baseline_value, current_value from roi_summary where measure = 'negative_review_rate'"
        ).fetchone()
    assert dbt_reviews == summary.table_rows["gold/reviews"]
    assert dbt_rates == (pytest.approx(baseline_rate), pytest.approx(current_rate))
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
