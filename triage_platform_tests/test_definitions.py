"""The code location loads, and its graph has the shape users see in the Dagster UI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from triage_platform.runner import load_definitions

REPO = Path(__file__).resolve().parents[1]
MEDALLION = {
    ("bronze", "reviews"): "bronze",
    ("silver", "reviews"): "silver",
    ("silver", "annotations"): "ml",
    ("gold", "reviews"): "gold",
    ("gold", "issue_daily"): "gold",
}


@pytest.fixture
def defs(triage_home: Path) -> dg.Definitions:
    return load_definitions()


def test_medallion_assets_are_day_partitioned_grouped_and_described(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for key, group in MEDALLION.items():
        node = graph.get(dg.AssetKey(list(key)))
        assert node.group_name == group
        assert isinstance(node.partitions_def, dg.DailyPartitionsDefinition)
        assert node.description and len(node.description) > 60
        assert node.owners
        assert node.metadata["partition_expr"] == "day"
    assert graph.get(dg.AssetKey(["silver", "reviews"])).parent_keys == {dg.AssetKey(["bronze", "reviews"])}
    assert graph.get(dg.AssetKey(["bronze", "reviews"])).parent_keys == {dg.AssetKey(["landing", "files"])}


def test_landing_sensor_is_on_by_default_and_targets_the_medallion_job(defs: dg.Definitions) -> None:
    sensor = defs.resolve_sensor_def("landing_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == "medallion_job"


def test_unknown_deployment_is_a_clear_error(triage_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_DEPLOYMENT", "staging")
    with pytest.raises(ValueError, match="TRIAGE_DEPLOYMENT must be one of"):
        load_definitions()


def test_dagster_definitions_validate_passes(triage_home: Path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(triage_home)}
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [str(bin_dir / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dbt_models_are_assets_under_the_lake_tables_with_their_tests_as_checks(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    staging = graph.get(dg.AssetKey(["staging", "stg_reviews"]))
    assert staging.parent_keys == {dg.AssetKey(["gold", "reviews"]), dg.AssetKey(["silver", "annotations"])}
    assert graph.get(dg.AssetKey(["staging", "stg_alerts"])).parent_keys == {dg.AssetKey(["gold", "alerts"])}
    summary = graph.get(dg.AssetKey(["roi", "roi_summary"]))
    assert summary.group_name == "roi" and summary.description and summary.owners == ["team:analytics"]
    assert graph.get(dg.AssetKey(["marts", "top_defect_themes"])).group_name == "marts"
    dashboard = graph.get(dg.AssetKey(["roi", "dashboard"]))
    assert dg.AssetKey(["roi", "roi_summary"]) in dashboard.parent_keys
    check_names = {key.name for key in graph.asset_check_keys if key.asset_key == summary.key}
    assert "unique_roi_summary_measure" in check_names


def test_roi_jobs_and_schedules_are_registered(defs: dg.Definitions) -> None:
    assert defs.resolve_schedule_def("daily_roi_schedule").job_name == "daily_roi"
    assert defs.resolve_schedule_def("weekly_roi_schedule").job_name == "weekly_roi"
    assert defs.resolve_schedule_def("weekly_roi_schedule").cron_schedule == "0 7 * * 1"


def test_learning_loop_jobs_and_schedules_are_visible_and_running_by_default(defs: dg.Definitions) -> None:
    schedules = {
        "weekly_retraining_schedule": "weekly_retraining",
        "daily_evaluation_schedule": "daily_evaluation",
        "nightly_reprocess_schedule": "nightly_reprocess",
    }
    for name, job in schedules.items():
        schedule = defs.resolve_schedule_def(name)
        assert schedule.job_name == job
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
        assert defs.resolve_job_def(job).description
    graph = defs.resolve_asset_graph()
    medallion = defs.resolve_job_def("medallion_job").asset_layer.selected_asset_keys
    for name in ("training_set", "evaluation_set", "candidate_model", "promoted_model", "evaluation_history"):
        key = dg.AssetKey(["ml", name])
        assert graph.get(key).description and key not in medallion
    reprocess = defs.resolve_job_def("nightly_reprocess").asset_layer.selected_asset_keys
    assert (
        dg.AssetKey(["silver", "annotations"]) in reprocess and dg.AssetKey(["gold", "reviews"]) in reprocess
    )
    assert dg.AssetKey(["silver", "reviews"]) not in reprocess
