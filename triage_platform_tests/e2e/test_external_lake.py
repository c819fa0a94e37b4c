"""One lake: with TRIAGE_LAKE_URI set, the landing sensor and the medallion job (IO manager and the assets'
direct reads and writes), alert delivery, the human actions, the CLI, the summary and a rebuild of gold
that must keep the humans' labels all read and write the Delta tables at that URI, here a `file://` folder
outside TRIAGE_HOME, and nothing creates a table under TRIAGE_HOME. (dbt's copy of the lake into DuckDB
reads a lake outside TRIAGE_HOME in `test_roi.py`.)"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest
from click.testing import CliRunner

from triage_platform.lib.annotate.taxonomy import load_taxonomy
from triage_platform.lib.delta import read_table
from triage_platform.lib.humans.actions import Actor, HumanActions
from triage_platform.lib.humans.tables import AuditLog, LabelStore
from triage_platform_tests.conftest import review, write_jsonl

EXPECTED_TABLES = {
    "landing/files",
    "quarantine/records",
    "bronze/reviews",
    "silver/reviews",
    "silver/annotations",
    "ml/llm_usage",
    "gold/reviews",
    "gold/issue_daily",
    "gold/alerts",
    "gold/labels",
    "gold/audit_log",
}


def delta_tables(root: Path) -> set[str]:
    """Every Delta table under `root`, as `layer/name` relative to it."""
    return {log.parent.relative_to(root).as_posix() for log in root.rglob("_delta_log")}


def test_every_table_lives_in_the_lake_uri_outside_triage_home(
    triage_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage_platform.cli import main
    from triage_platform.lib.summary import summarize_lake
    from triage_platform.settings import Settings
    from triage_platform_tests.e2e.platform import Platform

    lake_root = tmp_path / "elsewhere" / "lake"
    monkeypatch.setenv("TRIAGE_LAKE_URI", lake_root.as_uri())
    monkeypatch.setenv("TRIAGE_LLM", "off")
    settings = Settings.from_env()
    assert settings.paths.lake.local_root == lake_root and settings.paths.home == triage_home

    day = (date.today() - timedelta(days=1)).isoformat()
    write_jsonl(
        settings.paths.landing / "onsite_review" / "reviews.jsonl",
        [
            review("1", day, "The charger caught fire and burned my hand, dangerous!", rating=1),
            review("2", day, "The box arrived crushed and the mug inside was broken.", rating=2),
            review("3", day, "Delivery took three weeks and nobody answered my emails.", rating=2),
            review("4", day, "Lovely colour, fits well.", rating=5),
            "{not json",
        ],
    )
    platform = Platform.start()
    assert [request.partition_key for request in platform.tick()] == [day]
    assert platform.tick() == []  # the registry at the URI remembers the file
    platform.defs.resources["alerting"].deliver()

    gold = read_table(settings.paths.table("gold", "reviews")).set_index("review_key")
    assert len(gold) == 4
    alerts = read_table(settings.paths.table("gold", "alerts"))
    assert not alerts.empty and set(alerts["delivery_status"]) <= {"delivered", "held"}

    # People act on the same lake: a label (with its gold update) and an acknowledgement, both audited.
    actions = HumanActions(settings.paths, load_taxonomy(None))
    labeled = "onsite_review:3"
    actions.label(labeled, Actor("leo"), {"issue_types": ["customer_service"], "severity": "medium"})
    alert_id = alerts.iloc[0]["alert_id"]
    assert actions.alert_action(alert_id, "ack", Actor("olga")).acknowledged_at is not None
    listed = CliRunner().invoke(main, ["alert", "list", "--state", "acknowledged"])
    assert listed.exit_code == 0 and alert_id in listed.output

    # Rebuilding gold in Dagster reads the labels from the same lake: the human override survives.
    result = platform.defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=platform.instance, partition_key=day, asset_selection=[dg.AssetKey(["gold", "reviews"])]
    )
    assert result.success
    rebuilt = read_table(settings.paths.table("gold", "reviews")).set_index("review_key")
    assert (
        rebuilt.loc[labeled, "human_override"] and rebuilt.loc[labeled, "primary_issue"] == "customer_service"
    )
    assert len(LabelStore(settings.paths.table("gold", "labels")).all()) == 1
    assert set(AuditLog(settings.paths.table("gold", "audit_log")).all()["action"]) == {
        "label.correct",
        "alert.acknowledged",
    }

    summary = summarize_lake(settings.paths)
    assert summary.table_rows["gold/reviews"] == 4 and summary.rows_quarantined == 1
    assert summary.alerts_by_delivery and sum(summary.alerts_by_delivery.values()) == len(alerts)

    assert delta_tables(lake_root) >= EXPECTED_TABLES
    assert next((lake_root / "landing" / "archive").glob("*.jsonl"))  # the replay archive sits with it
    assert not (triage_home / "lake").exists()
    assert delta_tables(triage_home) == set()
