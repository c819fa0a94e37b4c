"""Every dbt model, seed and test of `dbt_project/` as Dagster assets and asset checks.

The dbt sources are the Delta tables of the medallion assets (`meta.dagster.asset_key` in sources.yml),
so the marts and ROI models hang under gold/silver in the asset graph. The manifest is parsed at load time
when it is missing or older than the project files, so a clean checkout loads without a manual step.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from triage_platform.lib.annotate.usage import ensure_usage_table
from triage_platform.lib.dbt import (
    DBT_MANIFEST_TARGET,
    DBT_PROJECT_DIR,
    dbt_executable,
    prepare_manifest,
    prune_run_folders,
)
from triage_platform.resources import TriageStorage

DBT_OWNERS = ["team:analytics"]
DBT_POOL = "duckdb"
"""DuckDB allows one writer per file: dbt and the dashboard (a reader) share this concurrency pool."""
ROI_SEEDS = frozenset({"unit_economics", "delay_cost_by_category"})
KEPT_RUN_FOLDERS = 10


class TriageDbtTranslator(DagsterDbtTranslator):
    """Asset keys `<folder>/<model>` (staging/, marts/, roi/) and `seeds/<seed>`; group `roi` for the ROI
    models and the unit-economics seeds, `marts` for the rest; owned by analytics."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            return super().get_asset_key(dbt_resource_props)
        if resource_type == "seed":
            return dg.AssetKey(["seeds", dbt_resource_props["name"]])
        fqn = dbt_resource_props["fqn"]
        folder = fqn[1] if len(fqn) > 2 else "marts"
        return dg.AssetKey([folder, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        name, fqn = dbt_resource_props["name"], dbt_resource_props.get("fqn", [])
        if name in ROI_SEEDS or (len(fqn) > 2 and fqn[1] == "roi"):
            return "roi"
        return "marts"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return DBT_OWNERS


def prepared_dbt_project() -> DbtProject:
    """The dbt project with an up-to-date manifest (`dbt parse` when missing or stale)."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, target_path=DBT_MANIFEST_TARGET)
    prepare_manifest(
        project.project_dir,
        project.manifest_path,
        lambda: (
            DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
            .cli(["parse", "--quiet"], target_path=project.target_path)
            .wait()
        ),
    )
    return project


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=TriageDbtTranslator(),
        name="warehouse_models",
        pool=DBT_POOL,
    )
    def warehouse_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, storage: TriageStorage
    ) -> Iterator[Any]:
        """`dbt build` of the selected models and seeds over the Delta lake (DuckDB locally, Databricks in
        prod): the issue, triage, alert and theme marts and the ROI rollups; dbt tests report as asset
        checks. Each run keeps its compiled SQL, run results and logs in TRIAGE_HOME/dbt/runs/<run>."""
        # ml/llm_usage came after the other sources: an older lake gets it empty (no recorded LLM spend).
        ensure_usage_table(storage.paths.table("ml", "llm_usage"))
        runs = storage.paths.dbt_runs
        target = runs / f"{context.run.run_id[:8]}-{context.op_execution_context.op.name}"
        yield from dbt.cli(["build"], context=context, target_path=target).stream()
        prune_run_folders(runs, keep=KEPT_RUN_FOLDERS)

    return warehouse_models


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[build_dbt_assets(prepared_dbt_project())])
