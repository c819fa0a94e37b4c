"""When the dbt manifest is re-parsed, which lake tables dbt needs, and pruning of per-run dbt folders."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from triage_platform.lib.dbt import (
    DBT_PROJECT_DIR,
    manifest_is_stale,
    missing_source_tables,
    prepare_manifest,
    project_files,
    prune_run_folders,
)
from triage_platform.lib.lake import Lake


def _project(root: Path) -> tuple[Path, Path]:
    project = root / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: x\n")
    (project / "models" / "a.sql").write_text("select 1\n")
    return project, project / "target" / "manifest.json"


def _age(path: Path, seconds: float) -> None:
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))


def test_manifest_is_stale_when_missing_or_older_than_a_project_file(tmp_path: Path) -> None:
    project, manifest = _project(tmp_path)
    assert manifest_is_stale(project, manifest)
    manifest.parent.mkdir()
    manifest.write_text("{}")
    for path in project_files(project):
        _age(path, 60)
    assert not manifest_is_stale(project, manifest)
    (project / "models" / "b.sql").write_text("select 2\n")  # a new model
    assert manifest_is_stale(project, manifest)


def test_prepare_manifest_parses_once_even_when_two_callers_race(tmp_path: Path) -> None:
    project, manifest = _project(tmp_path)
    for path in project_files(project):
        _age(path, 60)
    calls: list[int] = []

    def parse() -> None:
        calls.append(1)
        time.sleep(0.2)
        manifest.write_text("{}")

    threads = [threading.Thread(target=prepare_manifest, args=(project, manifest, parse)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and manifest.is_file()
    assert prepare_manifest(project, manifest, parse) is False  # fresh: nothing to do


def test_the_real_project_lists_its_models_seeds_and_reference_dimensions() -> None:
    names = {path.name for path in project_files(DBT_PROJECT_DIR)}
    assert {"dbt_project.yml", "roi_summary.sql", "unit_economics.csv", "dim_sku.csv", "sources.yml"} <= names


def test_missing_source_tables_names_what_dbt_still_needs(tmp_path: Path) -> None:
    lake = Lake(root=str(tmp_path))
    assert missing_source_tables(lake) == [
        "gold/reviews",
        "gold/issue_daily",
        "gold/alerts",
        "silver/annotations",
    ]
    (tmp_path / "gold" / "reviews" / "_delta_log").mkdir(parents=True)
    assert "gold/reviews" not in missing_source_tables(lake)


def test_prune_run_folders_keeps_the_newest(tmp_path: Path) -> None:
    for index in range(5):
        folder = tmp_path / f"run-{index}"
        folder.mkdir()
        _age(folder, 100 - index)
    removed = prune_run_folders(tmp_path, keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run-3", "run-4"]
    assert len(removed) == 3
    assert prune_run_folders(tmp_path / "absent", keep=2) == []
