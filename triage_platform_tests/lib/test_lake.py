"""The lake root is decided in one place: TRIAGE_LAKE_URI (plain path, file:// URI, Azure URI with storage
options from the environment) or TRIAGE_HOME/lake; table locations, the quarantine and the landing archive
follow it; missing credentials fail with what to set, and no secret shows."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from triage_platform.lib.delta import DeltaLocation, append, read_table, table_exists
from triage_platform.lib.lake import LakeConfigError, resolve_lake
from triage_platform.lib.paths import TriagePaths

SECRET = "s3cr3t-value-never-shown"
ACCOUNT = "triagelake"
ABFSS = f"abfss://lake@{ACCOUNT}.dfs.core.windows.net/triage"
SERVICE_PRINCIPAL = {
    "AZURE_CLIENT_ID": "client-1",
    "AZURE_CLIENT_SECRET": SECRET,
    "AZURE_TENANT_ID": "tenant-1",
}


def test_without_a_lake_uri_the_lake_is_triage_home_lake(tmp_path: Path) -> None:
    paths = TriagePaths.from_env({"TRIAGE_HOME": str(tmp_path)})
    assert paths.lake_uri is None and paths.lake.provider == "local"
    assert paths.lake.local_root == tmp_path / "lake"
    assert paths.table("gold", "reviews") == DeltaLocation(str(tmp_path / "lake" / "gold" / "reviews"))
    assert paths.registry_table.local_path == tmp_path / "lake" / "landing" / "files"
    # the historical layout is kept: quarantine beside the lake, the archive inside it
    assert paths.quarantine_table.local_path == tmp_path / "quarantine" / "records"
    assert paths.landing_archive == tmp_path / "lake" / "landing" / "archive"


@pytest.mark.parametrize("form", ["plain", "relative", "file_uri"])
def test_a_local_lake_uri_moves_every_table_out_of_triage_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    root = tmp_path / "elsewhere" / "lake"
    monkeypatch.chdir(tmp_path)
    uri = {"plain": str(root), "relative": "elsewhere/lake/", "file_uri": root.as_uri()}[form]
    paths = TriagePaths.from_env({"TRIAGE_HOME": str(tmp_path / "home"), "TRIAGE_LAKE_URI": uri})
    assert paths.lake_uri == str(root)  # made absolute once, so every process agrees
    assert paths.lake.local_root == root
    assert paths.table("ml", "llm_usage").local_path == root / "ml" / "llm_usage"
    assert paths.quarantine_table.local_path == root / "quarantine" / "records"
    assert paths.landing_archive == root / "landing" / "archive"
    paths.ensure()
    assert root.is_dir() and not (tmp_path / "home" / "lake").exists()
    assert not (tmp_path / "home" / "quarantine").exists()


def test_a_file_uri_table_reads_and_writes_like_a_folder(tmp_path: Path) -> None:
    location = DeltaLocation((tmp_path / "gold" / "labels").as_uri())
    assert location.local_path == tmp_path / "gold" / "labels" and not table_exists(location)
    append(location, pa.table({"n": [1, 2]}))
    assert table_exists(tmp_path / "gold" / "labels") and location.version() == 0
    assert list(read_table(location)["n"]) == [1, 2]


def test_a_file_uri_must_be_local(tmp_path: Path) -> None:
    with pytest.raises(LakeConfigError, match="local path"):
        resolve_lake(tmp_path, "file://fileserver/share/lake", {})


def test_abfss_takes_the_service_principal_from_the_environment(tmp_path: Path) -> None:
    lake = resolve_lake(tmp_path, ABFSS + "/", {"AZURE_STORAGE_ACCOUNT_NAME": ACCOUNT, **SERVICE_PRINCIPAL})
    assert (lake.provider, lake.root, lake.local_root) == ("azure", ABFSS, None)
    assert dict(lake.storage_options) == {
        "account_name": ACCOUNT,
        "client_id": "client-1",
        "client_secret": SECRET,
        "tenant_id": "tenant-1",
    }
    assert lake.option_env["client_secret"] == "AZURE_CLIENT_SECRET"
    table = lake.table("gold", "alerts")
    assert table.uri == f"{ABFSS}/gold/alerts" and table.local_path is None
    assert table.storage_options["client_secret"] == SECRET
    for shown in (repr(lake), str(table), repr(table), lake.display):
        assert SECRET not in shown


def test_abfss_account_from_the_uri_and_other_credentials(tmp_path: Path) -> None:
    keyed = resolve_lake(tmp_path, ABFSS, {"AZURE_STORAGE_ACCOUNT_KEY": SECRET, **SERVICE_PRINCIPAL})
    assert dict(keyed.storage_options) == {"account_name": ACCOUNT, "account_key": SECRET}
    assert "account_name" not in keyed.option_env  # read from the URI: not a secret
    sas = resolve_lake(tmp_path, ABFSS, {"AZURE_STORAGE_SAS_TOKEN": "sv=1&sig=x"})
    assert sas.storage_options["sas_key"] == "sv=1&sig=x"
    workload = resolve_lake(
        tmp_path,
        ABFSS,
        {"AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_FEDERATED_TOKEN_FILE": "/var/token"},
    )
    assert workload.storage_options["federated_token_file"] == "/var/token"
    cli = resolve_lake(tmp_path, ABFSS, {"AZURE_USE_AZURE_CLI": "true"})
    assert cli.storage_options["use_azure_cli"] == "true"
    managed = resolve_lake(tmp_path, ABFSS, {"AZURE_USE_MANAGED_IDENTITY": "1"})
    assert dict(managed.storage_options) == {"account_name": ACCOUNT}
    paths = TriagePaths.from_env(
        {"TRIAGE_HOME": str(tmp_path), "TRIAGE_LAKE_URI": ABFSS, **SERVICE_PRINCIPAL}
    )
    assert paths.landing_archive == tmp_path / "landing_archive"  # raw files stay on a local volume


def test_missing_azure_credentials_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LakeConfigError) as missing:
        resolve_lake(tmp_path, ABFSS, {})
    message = str(missing.value)
    assert "no Azure credentials" in message
    assert all(name in message for name in ("AZURE_CLIENT_SECRET", "AZURE_STORAGE_ACCOUNT_KEY"))
    with pytest.raises(LakeConfigError, match=r"service principal \(missing AZURE_TENANT_ID\)") as partial:
        resolve_lake(tmp_path, ABFSS, {"AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": SECRET})
    assert SECRET not in str(partial.value)
    with pytest.raises(LakeConfigError, match="AZURE_STORAGE_ACCOUNT_NAME"):
        resolve_lake(tmp_path, "az://container/triage", SERVICE_PRINCIPAL)
    with pytest.raises(LakeConfigError, match="unsupported scheme 's3'"):
        resolve_lake(tmp_path, "s3://bucket/lake", {})
    with pytest.raises(LakeConfigError, match="no Azure credentials"):
        TriagePaths.from_env({"TRIAGE_HOME": str(tmp_path), "TRIAGE_LAKE_URI": ABFSS})


def test_a_lake_uri_carrying_a_secret_is_refused_without_repeating_it(tmp_path: Path) -> None:
    for uri in (f"{ABFSS}?sig={SECRET}", f"abfss://lake:{SECRET}@{ACCOUNT}.dfs.core.windows.net/triage"):
        with pytest.raises(LakeConfigError, match="AZURE_STORAGE_SAS_TOKEN") as refused:
            resolve_lake(tmp_path, uri, {"AZURE_USE_MANAGED_IDENTITY": "1"})
        assert SECRET not in str(refused.value)
