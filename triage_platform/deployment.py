"""The one place that decides the deployment (local / test / prod) and the resources it gets.

Assets never branch on the environment: they receive resources, and this module picks them.
- local (default): Delta tables under TRIAGE_HOME/lake, the local annotator, in-process execution.
- test: the same parts on a temporary TRIAGE_HOME (tests set it), so every test runs the real stack.
- prod: the lake at TRIAGE_LAKE_URI (e.g. an abfss:// Unity Catalog location) with cloud credentials
  from the environment, multiprocess execution.
"""

from __future__ import annotations

import os
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_deltalake import AzureConfig, LocalConfig

from triage_platform.io import TriageDeltaIOManager
from triage_platform.lib.dbt import DBT_PROJECT_DIR, dbt_executable
from triage_platform.resources import AlertingResource, AnnotatorResource, TriageStorage
from triage_platform.settings import Settings

DEPLOYMENTS = ("local", "test", "prod")


def _lake_io_manager(settings: Settings) -> TriageDeltaIOManager:
    if settings.deployment == "prod" and os.environ.get("TRIAGE_LAKE_URI"):
        return TriageDeltaIOManager(
            root_uri=os.environ["TRIAGE_LAKE_URI"],
            storage_options=AzureConfig(
                account_name=dg.EnvVar("AZURE_STORAGE_ACCOUNT_NAME"),
                client_id=dg.EnvVar("AZURE_CLIENT_ID"),
                client_secret=dg.EnvVar("AZURE_CLIENT_SECRET"),
                tenant_id=dg.EnvVar("AZURE_TENANT_ID"),
            ),
        )
    return TriageDeltaIOManager(root_uri=str(settings.paths.lake), storage_options=LocalConfig())


def resources_for(settings: Settings) -> dict[str, Any]:
    """The resources of the deployment named by TRIAGE_DEPLOYMENT."""
    if settings.deployment not in DEPLOYMENTS:
        raise ValueError(f"TRIAGE_DEPLOYMENT must be one of {DEPLOYMENTS}, not {settings.deployment!r}")
    return {
        "io_manager": _lake_io_manager(settings),
        "storage": TriageStorage(
            home=str(settings.paths.home), partition_start=settings.partition_start.isoformat()
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
        ),
    }


def executor_for(settings: Settings) -> dg.ExecutorDefinition:
    """In process on a laptop and in tests (fast start); one process per step in production."""
    return dg.multiprocess_executor if settings.deployment == "prod" else dg.in_process_executor


def deployment_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    return dg.Definitions(resources=resources_for(settings), executor=executor_for(settings))
