"""The one place that decides the deployment (local / test / prod) and the resources it gets.

Assets never branch on the environment: they receive resources, and this module picks them.
- local (default): the local annotator, in-process execution.
- test: the same parts on a temporary TRIAGE_HOME (tests set it), so every test runs the real stack.
- prod: multiprocess execution.
The lake is the same notion in every deployment (`lib/lake.py`): TRIAGE_LAKE_URI when set (e.g. an abfss://
Unity Catalog external location, credentials from the environment), else TRIAGE_HOME/lake. The IO manager
and every resource that reads or writes tables directly get it from `settings.paths`.
"""

from __future__ import annotations

import os
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_deltalake import AzureConfig, LocalConfig

from triage_platform.io import TriageDeltaIOManager
from triage_platform.lib.dbt import DBT_PROJECT_DIR, dbt_executable
from triage_platform.lib.lake import Lake
from triage_platform.resources import AlertingResource, AnnotatorResource, TriageStorage
from triage_platform.settings import Settings

DEPLOYMENTS = ("local", "test", "prod")


def _storage_config(lake: Lake) -> AzureConfig | LocalConfig:
    """The IO manager's storage options for `lake`: every option read from the environment is passed as a
    `dg.EnvVar` (resolved when the run starts), so no credential is part of the resource configuration the
    UI shows."""
    if lake.provider == "local":
        return LocalConfig()
    options: dict[str, Any] = {
        option: dg.EnvVar(lake.option_env[option]) if option in lake.option_env else value
        for option, value in lake.storage_options.items()
    }
    if "use_azure_cli" in options:
        options["use_azure_cli"] = True
    return AzureConfig(**options)


def _lake_io_manager(settings: Settings) -> TriageDeltaIOManager:
    """The medallion tables' IO manager, at the root of the installation's one lake."""
    lake = settings.paths.lake
    return TriageDeltaIOManager(root_uri=lake.root, storage_options=_storage_config(lake))


def resources_for(settings: Settings) -> dict[str, Any]:
    """The resources of the deployment named by TRIAGE_DEPLOYMENT."""
    if settings.deployment not in DEPLOYMENTS:
        raise ValueError(f"TRIAGE_DEPLOYMENT must be one of {DEPLOYMENTS}, not {settings.deployment!r}")
    return {
        "io_manager": _lake_io_manager(settings),
        "storage": TriageStorage(
            home=str(settings.paths.home),
            partition_start=settings.partition_start.isoformat(),
            lake_uri=settings.paths.lake_uri,
        ),
        "annotator": AnnotatorResource(
            home=str(settings.paths.home),
            taxonomy_path=os.environ.get("TRIAGE_TAXONOMY"),
            use_llm=os.environ.get("TRIAGE_LLM", "on").lower() != "off",
        ),
        # The dbt target follows TRIAGE_DBT_TARGET (profiles.yml): DuckDB locally, Databricks in prod.
        "dbt": DbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()),
        "alerting": AlertingResource(
            home=str(settings.paths.home),
            dagster_url=settings.webserver_url,
            taxonomy_path=os.environ.get("TRIAGE_TAXONOMY"),
            lake_uri=settings.paths.lake_uri,
        ),
    }


def executor_for(settings: Settings) -> dg.ExecutorDefinition:
    """In process on a laptop and in tests (fast start); one process per step in production."""
    return dg.multiprocess_executor if settings.deployment == "prod" else dg.in_process_executor


def deployment_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    return dg.Definitions(resources=resources_for(settings), executor=executor_for(settings))
