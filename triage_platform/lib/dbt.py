"""Where the dbt project lives, which dbt executable runs it, and when its manifest must be re-parsed.

The Dagster code location builds one asset per dbt model from `target/manifest.json`. A clean checkout has
no manifest (target/ is not in git), and an edited model makes an old one wrong, so the definitions parse
the project at load time whenever `manifest_is_stale` says so.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from filelock import FileLock

from triage_platform.lib.lake import Lake

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
"""The dbt project at the repository root (dbt_project.yml, profiles.yml, models, macros, seeds)."""

DBT_MANIFEST_TARGET = "target"
"""Where `dbt parse` writes the manifest the definitions read (relative to the project; git-ignored)."""

PROJECT_FILE_SUFFIXES = (".sql", ".yml", ".yaml", ".csv", ".md")


def dbt_executable() -> str:
    """The `dbt` next to this Python (the virtualenv's), else whatever `dbt` is on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.is_file():
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise FileNotFoundError(
            "no `dbt` executable beside this Python or on PATH: install dbt-core/dbt-duckdb"
        )
    return found


def project_files(project_dir: Path) -> Iterable[Path]:
    """Every file whose change changes the manifest: project and profile config, models, macros, seeds
    (including the seed paths outside the project, such as the packaged reference dimensions)."""
    yield from (p for p in (project_dir / "dbt_project.yml", project_dir / "profiles.yml") if p.is_file())
    folders = [project_dir / name for name in ("models", "macros", "seeds", "tests", "snapshots")]
    folders.append(project_dir.parent / "triage_platform" / "reference")
    for folder in folders:
        if folder.is_dir():
            yield from (p for p in folder.rglob("*") if p.is_file() and p.suffix in PROJECT_FILE_SUFFIXES)


def manifest_is_stale(project_dir: Path, manifest_path: Path) -> bool:
    """True when the manifest is missing or older than any project file."""
    if not manifest_path.is_file():
        return True
    built = manifest_path.stat().st_mtime
    return any(path.stat().st_mtime > built for path in project_files(project_dir))


def prune_run_folders(root: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest per-run dbt target folders under `root`; returns what went."""
    if not root.is_dir():
        return []
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = folders[keep:]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


def prepare_manifest(
    project_dir: Path, manifest_path: Path, parse: Callable[[], None], timeout: float = 300
) -> bool:
    """Run `parse` (which writes `manifest_path`) when the manifest is stale, one process at a time: a
    process that waited for another's parse does not parse again. Returns whether this process parsed."""
    if not manifest_is_stale(project_dir, manifest_path):
        return False
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(manifest_path.with_name(".manifest.lock")).acquire(timeout=timeout):
        if not manifest_is_stale(project_dir, manifest_path):
            return False
        parse()
    if not manifest_path.is_file():
        raise FileNotFoundError(f"dbt parse wrote no manifest at {manifest_path}")
    return True


DBT_SOURCE_TABLES: tuple[tuple[str, str], ...] = (
    ("gold", "reviews"),
    ("gold", "issue_daily"),
    ("gold", "alerts"),
    ("silver", "annotations"),
)
"""The lake tables the dbt sources read (models/staging/sources.yml) that a build waits for. The other
source, `ml/llm_usage`, is optional: the dbt asset creates it empty on a lake predating it
(`lib.annotate.usage.ensure_usage_table`), so an old lake still builds with an LLM cost of 0."""


def missing_source_tables(lake: Lake) -> list[str]:
    """The dbt source tables not yet written in `lake` (a build needs them all)."""
    return [f"{layer}/{name}" for layer, name in DBT_SOURCE_TABLES if not lake.table(layer, name).exists()]
