"""`deployment.py` gives the IO manager and the resources that read tables directly the same lake, in every
deployment; Azure credentials reach the IO manager as environment-variable references, never as values."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster_deltalake import AzureConfig, LocalConfig

from triage_platform.deployment import resources_for
from triage_platform.lib.lake import LakeConfigError
from triage_platform.settings import Settings

SECRET = "never-in-config-or-logs"
ABFSS = "abfss://lake@triagelake.dfs.core.windows.net/triage"


def test_the_default_lake_is_triage_home_lake_for_every_seam(triage_home: Path) -> None:
    resources = resources_for(Settings.from_env())
    io_manager = resources["io_manager"]
    assert io_manager.root_uri == str(triage_home / "lake")
    assert isinstance(io_manager.storage_options, LocalConfig)
    assert resources["storage"].lake_uri is None and resources["alerting"].lake_uri is None
    assert resources["storage"].paths.table("gold", "labels").local_path == triage_home / "lake/gold/labels"


@pytest.mark.parametrize("deployment", ["test", "prod"])
def test_an_azure_lake_uri_is_the_lake_of_the_io_manager_and_every_resource(
    triage_home: Path, monkeypatch: pytest.MonkeyPatch, deployment: str
) -> None:
    monkeypatch.setenv("TRIAGE_DEPLOYMENT", deployment)
    monkeypatch.setenv("TRIAGE_LAKE_URI", ABFSS)
    monkeypatch.setenv("AZURE_CLIENT_ID", "client-1")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("AZURE_TENANT_ID", "tenant-1")
    monkeypatch.delenv("AZURE_STORAGE_ACCOUNT_NAME", raising=False)
    resources = resources_for(Settings.from_env())
    io_manager = resources["io_manager"]
    assert io_manager.root_uri == ABFSS
    options = io_manager.storage_options
    assert isinstance(options, AzureConfig) and options.account_name == "triagelake"
    assert isinstance(options.client_secret, dg.EnvVar) and options.client_secret == "AZURE_CLIENT_SECRET"
    assert SECRET not in repr(resources)
    for name in ("storage", "alerting"):
        assert resources[name].lake_uri == ABFSS
    alerts = resources["storage"].paths.table("gold", "alerts")
    assert alerts.uri == f"{ABFSS}/gold/alerts" and alerts.storage_options["client_secret"] == SECRET
    assert resources["alerting"].outbox().location == alerts


def test_an_azure_lake_without_credentials_fails_at_load(
    triage_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_DEPLOYMENT", "prod")
    monkeypatch.setenv("TRIAGE_LAKE_URI", ABFSS)
    for name in (
        "AZURE_CLIENT_SECRET",
        "AZURE_STORAGE_ACCOUNT_KEY",
        "AZURE_STORAGE_SAS_TOKEN",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_USE_AZURE_CLI",
        "AZURE_USE_MANAGED_IDENTITY",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(LakeConfigError, match="no Azure credentials"):
        resources_for(Settings.from_env())
