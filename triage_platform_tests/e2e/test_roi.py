"""The dbt marts, ROI rollups and dashboard through Dagster, on a small lake this test writes itself:
`daily_roi` and `weekly_roi` run in a real Dagster instance, dbt builds offline on DuckDB from the Delta
tables, dbt tests come back as asset checks, and the figures match a pandas recomputation from the lake.
The lake is at TRIAGE_LAKE_URI, a folder outside TRIAGE_HOME: dbt's copy into DuckDB reads it there."""

from __future__ import annotations

import csv
import re
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from deltalake import write_deltalake

from triage_platform.lib.alerts.model import ALERTS_SCHEMA
from triage_platform.lib.annotate.llm import LLMUsage
from triage_platform.lib.annotate.usage import append_usage, usage_row
from triage_platform.lib.dbt import DBT_PROJECT_DIR
from triage_platform.lib.paths import TriagePaths
from triage_platform.lib.roi.dashboard import FIGURE_IDS
from triage_platform.lib.transform.annotations import ANNOTATION_SCHEMA
from triage_platform.lib.transform.gold import GOLD_REVIEWS_SCHEMA, ISSUE_DAILY_SCHEMA, build_issue_daily

FIRST_DAY = date(2026, 3, 2)  # a Monday
DAYS = 6
LANDED = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)


def _review(day: date, index: int) -> dict:
    """A gold row whose traits vary with the index, so every measure has something to count."""
    negative = index % 3 != 0 or day >= FIRST_DAY + timedelta(days=4)  # the last days get worse
    issue = ["packaging_damage", "refund_request"][index % 2] if negative else None
    severity = "critical" if index % 5 == 0 and negative else ("high" if negative else "none")
    route = {"critical": "alert", "high": "human_review", "none": "none"}[severity]
    if index % 7 == 3:
        route = "labeling_backlog"
    return {
        "day": day,
        "review_key": f"onsite_review:{day}-{index}",
        "source": "support_ticket" if index % 4 == 0 else "onsite_review",
        "source_review_id": f"{day}-{index}",
        "submitted_at": datetime.combine(day, datetime.min.time(), tzinfo=UTC),
        "title_redacted": None,
        "text_redacted": f"box crushed <b>[EMAIL]</b> {index}" if issue else f"fine {index}",
        "rating": 1.0 if negative else 5.0,
        "sku": "SKU-1001" if index % 2 else None,
        "product": None,
        "product_family": "kitchen",
        "vendor": None,
        "launch_cohort": None,
        "region": "BR-SP",
        "country": "Brazil",
        "fulfillment_center": None,
        "language": "en",
        "duplicate_count": 1,
        "duplicate_sources": ["onsite_review"],
        "file_landed_at": LANDED,
        "ingested_at": LANDED,
        "processed_at": LANDED,
        "issue_types": [issue] if issue else [],
        "primary_issue": issue or "none",
        "sentiment": "negative" if negative else "positive",
        "severity": severity,
        "confidence": 0.9,
        "owner": "ops",
        "rationale": "",
        "needs_human": route != "alert" and route != "none",
        "stage": "rules",
        "model_version": "seed",
        "prompt_version": "p1",
        "taxonomy_version": "t1",
        "annotated_at": LANDED + timedelta(minutes=2 + index % 3),
        "route": route,
        "status": "alert_open" if route == "alert" else "no_action" if route == "none" else "awaiting_review",
        "human_override": index == 5,
    }


def _write(path: Path, rows: list[dict], schema: pa.Schema) -> None:
    write_deltalake(str(path), pa.Table.from_pylist(rows, schema=schema), mode="overwrite")


def _llm_usage_rows() -> list[dict]:
    """One daily run per day (the stage off on the first day: zeros) and a nightly reprocess on two days,
    with costs that differ per run."""
    rows = []
    for d in range(DAYS):
        day = FIRST_DAY + timedelta(days=d)
        runs = [("daily", d)] + ([("reprocess", d + 10)] if d in (1, 4) else [])
        for mode, seed in runs:
            spent = (
                LLMUsage()
                if d == 0
                else LLMUsage(calls=seed, input_tokens=1000 * seed, cost_usd=0.013 * seed)
            )
            rows.append(
                usage_row(
                    day=day, run_id=f"{mode}-{d}", mode=mode, reviews_annotated=12, before=None, after=spent
                )
            )
    return rows


def _alert(alert_id: str, evidence: list[str], lifecycle: str, acknowledged_after: float | None) -> dict:
    row = {name: None for name in ALERTS_SCHEMA.names}
    delivered = LANDED + timedelta(minutes=5)
    row.update(
        alert_id=alert_id,
        kind="review",
        window_start=datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=UTC),
        category="packaging_damage",
        product_family="kitchen",
        region="BR-SP",
        priority="critical",
        lifecycle_status=lifecycle,
        delivery_status="delivered",
        created_at=LANDED + timedelta(minutes=3),
        delivered_at=delivered,
        acknowledged_at=delivered + timedelta(minutes=acknowledged_after)
        if acknowledged_after is not None
        else None,
        evidence_keys=evidence,
        sample_review_keys=evidence[:1],
    )
    return row


@pytest.fixture
def lake(triage_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TriagePaths:
    monkeypatch.setenv("TRIAGE_LAKE_URI", str(tmp_path / "outside_lake"))
    paths = TriagePaths.from_env().ensure()
    reviews = [_review(FIRST_DAY + timedelta(days=d), i) for d in range(DAYS) for i in range(12)]
    _write(paths.table("gold", "reviews"), reviews, GOLD_REVIEWS_SCHEMA)
    annotations = [{name: row.get(name) for name in ANNOTATION_SCHEMA.names} for row in reviews]
    _write(paths.table("silver", "annotations"), annotations, ANNOTATION_SCHEMA)
    issue_daily = build_issue_daily(pd.DataFrame(reviews))
    write_deltalake(
        str(paths.table("gold", "issue_daily")),
        pa.Table.from_pandas(issue_daily, schema=ISSUE_DAILY_SCHEMA, preserve_index=False),
    )
    critical = [r["review_key"] for r in reviews if r["severity"] == "critical"]
    alerts = [
        _alert("a-closed", critical[:2], "closed", acknowledged_after=30),
        _alert("a-acked", critical[2:3], "acknowledged", acknowledged_after=90),
        _alert("a-open", critical[3:], "open", acknowledged_after=None),
    ]
    # a follow-up message of the acknowledged alert ("now 25 reviews"): a copy carrying its acknowledgement,
    # delivered later; it is not an alert of its own and must not count as acknowledged in no time
    followup = _alert("a-acked-followup", [], "acknowledged", acknowledged_after=90)
    followup.update(followup_of="a-acked", delivered_at=followup["acknowledged_at"] + timedelta(hours=2))
    alerts.append(followup)
    _write(paths.table("gold", "alerts"), alerts, ALERTS_SCHEMA)
    for row in _llm_usage_rows():
        append_usage(paths.table("ml", "llm_usage"), row)
    return paths


def _seed_value(parameter: str) -> float:
    with (DBT_PROJECT_DIR / "seeds" / "unit_economics.csv").open() as handle:
        return next(float(row["value"]) for row in csv.DictReader(handle) if row["parameter"] == parameter)


def test_daily_and_weekly_roi_build_the_marts_offline_and_agree_with_the_lake(lake: TriagePaths) -> None:
    from triage_platform.runner import load_definitions

    defs = load_definitions()
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("daily_roi").execute_in_process(instance=instance, raise_on_error=False)
    assert result.success
    materialized = {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}
    assert {
        "marts/issue_clusters_daily",
        "roi/roi_summary",
        "seeds/unit_economics",
        "roi/dashboard",
    } <= materialized
    checks = result.get_asset_check_evaluations()
    assert len(checks) > 30 and all(check.passed for check in checks), [
        c.check_name for c in checks if not c.passed
    ]

    # Offline: dbt's own guard (a singular test, as an asset check) saw no extension install/auto-load
    # allowed and none but the statically linked ones present; the extension folder stays empty.
    assert "duckdb_stays_offline" in {check.check_name for check in checks}
    extensions = lake.home / "duckdb_extensions"
    assert not extensions.exists() or not any(p.is_file() for p in extensions.rglob("*"))

    # Recompute from the lake with pandas: periods = first and last 3 days (6 days of data, 7 asked).
    gold = pd.DataFrame([_review(FIRST_DAY + timedelta(days=d), i) for d in range(DAYS) for i in range(12)])
    baseline = gold[gold["day"] <= FIRST_DAY + timedelta(days=2)]
    current = gold[gold["day"] >= FIRST_DAY + timedelta(days=3)]
    auto = current["route"].isin(["alert", "none"]) & ~current["human_override"]
    hours_saved = auto.sum() * _seed_value("manual_triage_minutes_per_item") / 60
    with duckdb.connect(str(lake.warehouse), read_only=True) as warehouse:
        summary = warehouse.execute("select * from roi_summary").df().set_index("measure")
        acknowledgement = warehouse.execute(
            "select alert_id, minutes_to_acknowledge from alert_acknowledgement order by alert_id"
        ).fetchall()
        unresolved = {
            row[0] for row in warehouse.execute("select review_key from unresolved_high_severity").fetchall()
        }
        clusters = warehouse.execute("select sum(reviews) from issue_clusters_daily").fetchone()[0]
    negative = summary.loc["negative_review_rate"]
    assert negative["baseline_value"] == pytest.approx(baseline["sentiment"].eq("negative").mean())
    assert negative["current_value"] == pytest.approx(current["sentiment"].eq("negative").mean())
    assert negative["verdict"] == "worse"
    assert summary.loc["analyst_hours_saved", "current_value"] == pytest.approx(hours_saved)
    assert summary.loc["support_tickets_per_day", "current_value"] == pytest.approx(
        current["source"].eq("support_ticket").sum() / 3
    )
    assert (
        summary.loc["median_minutes_to_acknowledge", "current_value"]
        != summary.loc["median_minutes_to_acknowledge", "current_value"]
    )  # no alert in the current period: no acknowledgement time
    assert summary.loc["median_minutes_to_acknowledge", "baseline_value"] == pytest.approx(
        60
    )  # median(30, 90)
    assert acknowledgement == [
        ("a-acked", pytest.approx(90)),
        ("a-closed", pytest.approx(30)),
        ("a-open", None),
    ]
    high = gold[gold["severity"].isin(["high", "critical"]) & ~gold["status"].eq("no_action")]
    closed_keys = set(gold.loc[gold["severity"] == "critical", "review_key"].tolist()[:2])
    assert unresolved == set(high["review_key"]) - closed_keys
    assert clusters == gold["issue_types"].map(len).sum()
    usage = pd.DataFrame(_llm_usage_rows())
    llm_cost = usage.loc[usage["day"] >= FIRST_DAY + timedelta(days=3), "cost_usd"].sum()
    assert llm_cost > 0
    assert summary.loc["llm_cost_usd", "current_value"] == pytest.approx(llm_cost)
    assert summary.loc["llm_cost_usd", "baseline_value"] == pytest.approx(
        usage.loc[usage["day"] <= FIRST_DAY + timedelta(days=2), "cost_usd"].sum()
    )
    assert summary.loc["net_value_usd", "current_value"] == pytest.approx(
        summary.loc["analyst_cost_saved_usd", "current_value"]
        + summary.loc["cost_of_delay_avoided_usd", "current_value"]
        - llm_cost
    )

    # The dashboard: one file under TRIAGE_HOME with every plot embedded and the samples escaped.
    dashboard = lake.reports / "roi.html"
    page = dashboard.read_text()
    for figure_id in FIGURE_IDS:
        assert re.search(
            rf'<figure id="{figure_id}"><img [^>]*src="data:image/png;base64,[A-Za-z0-9+/=]{{1000,}}"', page
        )
    assert "<b>[EMAIL]</b>" not in page and "&lt;b&gt;[EMAIL]&lt;/b&gt;" in page
    assert "http://" not in page and "https://" not in page  # nothing fetched from a CDN
    dashboard_event = instance.get_latest_materialization_event(dg.AssetKey(["roi", "dashboard"]))
    assert dashboard_event.asset_materialization.metadata["path"].value == str(dashboard)

    # weekly_roi, as its schedule or a person would launch it, in the same instance, on a lake predating
    # ml/llm_usage: dbt still builds (an empty typed table stands in) and the LLM cost is 0.
    shutil.rmtree(lake.table("ml", "llm_usage").local_path)
    weekly = defs.resolve_job_def("weekly_roi").execute_in_process(instance=instance, raise_on_error=False)
    assert weekly.success
    weekly_keys = {event.asset_key.to_user_string() for event in weekly.get_asset_materialization_events()}
    assert {"roi/roi_weekly", "roi/roi_summary", "roi/dashboard"} <= weekly_keys
    assert "marts/top_defect_themes" not in weekly_keys
    with duckdb.connect(str(lake.warehouse), read_only=True) as warehouse:
        weeks = warehouse.execute("select week_start, reviews from roi_weekly order by 1").fetchall()
        week_llm_cost = warehouse.execute("select llm_cost_usd from roi_weekly").fetchall()
    assert weeks == [(FIRST_DAY, len(gold))]
    assert week_llm_cost == [(0,)]
    assert lake.table("ml", "llm_usage").exists()
    assert not (lake.home / "lake").exists()  # every read and write went to the lake at the URI


def test_roi_schedules_skip_until_the_lake_has_the_source_tables(triage_home: Path) -> None:
    from triage_platform.runner import load_definitions

    defs = load_definitions()
    resources = dict(defs.resources or {})
    for name in ("daily_roi_schedule", "weekly_roi_schedule"):
        schedule = defs.resolve_schedule_def(name)
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
        with dg.build_schedule_context(resources=resources) as context:
            skipped = schedule.evaluate_tick(context)
        assert not skipped.run_requests and "gold/reviews" in (skipped.skip_message or "")
    paths = TriagePaths(triage_home)
    for layer, name in (
        ("gold", "reviews"),
        ("gold", "issue_daily"),
        ("gold", "alerts"),
        ("silver", "annotations"),
    ):
        (paths.table(layer, name).local_path / "_delta_log").mkdir(parents=True)
    with dg.build_schedule_context(resources=resources) as context:
        requested = defs.resolve_schedule_def("daily_roi_schedule").evaluate_tick(context)
    assert len(requested.run_requests or []) == 1
