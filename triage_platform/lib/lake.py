"""The lake: the one root under which every Delta table of the platform lives, decided here and only here.

`TRIAGE_LAKE_URI` when it is set (in any deployment), else `TRIAGE_HOME/lake`. The root is
- a local folder: a plain path (`/data/lake`, `~/lake`, relative to the working directory) or a `file://`
  URI, normalised to an absolute path;
- an Azure Data Lake / Blob location (`abfss://container@account.dfs.core.windows.net/path`, `abfs://`,
  `az://`, `azure://`, `adl://`), opened with storage options read from the environment (below).

The Dagster IO manager (`deployment.py`) and every direct read or write (labels, audit log, alert outbox,
LLM usage, landing registry, quarantine, summary, web app, CLI, dbt's copy into DuckDB) take their table
locations from the same `Lake`, so one deployment never reads and writes two lakes. The options may hold
secrets: they are never part of a `repr`, a message or the Dagster resource configuration
(`option_env` names the environment variable behind each option, for `dg.EnvVar`).

Azure credentials, the first complete set wins:
- `AZURE_STORAGE_ACCOUNT_KEY` (account key), or `AZURE_STORAGE_SAS_TOKEN` (shared access signature);
- `AZURE_CLIENT_ID` + `AZURE_CLIENT_SECRET` + `AZURE_TENANT_ID` (service principal);
- `AZURE_CLIENT_ID` + `AZURE_TENANT_ID` + `AZURE_FEDERATED_TOKEN_FILE` (workload identity);
- `AZURE_USE_AZURE_CLI=true` (the `az login` of the host), or `AZURE_USE_MANAGED_IDENTITY=true` (the
  instance's managed identity, no options).
The account is `AZURE_STORAGE_ACCOUNT_NAME`, else the `<account>` of a `...@<account>.dfs.core.windows.net`
URI. Missing or partial credentials are a `LakeConfigError` naming the variables to set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from triage_platform.lib.delta import DeltaLocation, local_path_of
from triage_platform.lib.env import is_true

LAKE_URI_ENV = "TRIAGE_LAKE_URI"
LAKE_FOLDER = "lake"
"""The default lake: TRIAGE_HOME/lake."""

AZURE_SCHEMES = frozenset({"abfss", "abfs", "az", "azure", "adl"})
ACCOUNT_ENV = "AZURE_STORAGE_ACCOUNT_NAME"

AZURE_CREDENTIAL_SETS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("account key", (("account_key", "AZURE_STORAGE_ACCOUNT_KEY"),)),
    ("shared access signature", (("sas_key", "AZURE_STORAGE_SAS_TOKEN"),)),
    (
        "service principal",
        (
            ("client_id", "AZURE_CLIENT_ID"),
            ("client_secret", "AZURE_CLIENT_SECRET"),
            ("tenant_id", "AZURE_TENANT_ID"),
        ),
    ),
    (
        "workload identity",
        (
            ("client_id", "AZURE_CLIENT_ID"),
            ("tenant_id", "AZURE_TENANT_ID"),
            ("federated_token_file", "AZURE_FEDERATED_TOKEN_FILE"),
        ),
    ),
)
"""(name, ((storage option, environment variable), ...)): the option names are those of object_store
(and of dagster-deltalake's `AzureConfig` fields), so the same mapping feeds both."""

AZURE_CLI_ENV = "AZURE_USE_AZURE_CLI"
MANAGED_IDENTITY_ENV = "AZURE_USE_MANAGED_IDENTITY"


class LakeConfigError(ValueError):
    """TRIAGE_LAKE_URI cannot be used as given (unsupported scheme, missing credentials)."""


@dataclass(frozen=True)
class Lake:
    """The lake root and the storage options that open it (see the module doc)."""

    root: str
    """An absolute local path, or a URI (`abfss://...`)."""
    storage_options: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    option_env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    """The environment variable each storage option was read from (for `dg.EnvVar`); options absent here
    (e.g. the account taken from the URI) are not secret."""
    provider: str = "local"
    """`local` or `azure`."""

    @property
    def local_root(self) -> Path | None:
        """The lake's folder when it is on the local filesystem, else None."""
        return local_path_of(self.root) if self.provider == "local" else None

    @property
    def display(self) -> str:
        """The root for messages and logs (a lake URI carries no secret: `resolve_lake` refuses one with a
        password or query string)."""
        return self.root

    def location(self, *parts: str) -> DeltaLocation:
        """A table (or folder) under the root, with the lake's storage options."""
        local = self.local_root
        if local is not None:
            return DeltaLocation(str(local.joinpath(*parts)))
        return DeltaLocation("/".join([self.root.rstrip("/"), *parts]), dict(self.storage_options))

    def table(self, layer: str, name: str) -> DeltaLocation:
        """The Delta table of asset key `layer/name` (the IO manager's layout: one folder per key)."""
        return self.location(layer, name)


def resolve_lake(home: Path, lake_uri: str | None, environ: Mapping[str, str] | None = None) -> Lake:
    """The lake of an installation: `lake_uri` (TRIAGE_LAKE_URI) when given, else `home/lake`."""
    environ = os.environ if environ is None else environ
    uri = (lake_uri or "").strip()
    if not uri:
        return Lake(root=str(home / LAKE_FOLDER))
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if parts.query or parts.fragment or parts.password:
        raise LakeConfigError(
            f"{LAKE_URI_ENV} must not carry credentials or a query string: put them in the environment "
            "(e.g. AZURE_STORAGE_SAS_TOKEN)"
        )
    local = local_path_of(uri)
    if local is not None:
        return Lake(root=str(local.expanduser().resolve()))
    if scheme == "file":
        raise LakeConfigError(f"{LAKE_URI_ENV}: a file:// URI must name a local path (file:///...)")
    if scheme in AZURE_SCHEMES:
        options, option_env = azure_storage_options(uri, environ)
        return Lake(root=uri.rstrip("/"), storage_options=options, option_env=option_env, provider="azure")
    raise LakeConfigError(
        f"{LAKE_URI_ENV}: unsupported scheme {scheme!r}; use a local path, a file:// URI or an Azure URI "
        f"({', '.join(sorted(AZURE_SCHEMES))}://...)"
    )


def _account_from_uri(uri: str) -> str | None:
    """`account` of `abfss://container@account.dfs.core.windows.net/...` (or `.blob.`); None otherwise."""
    host = urlsplit(uri).hostname or ""
    if host.endswith(".core.windows.net") or host.endswith(".fabric.microsoft.com"):
        return host.split(".", 1)[0]
    return None


def azure_storage_options(uri: str, environ: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Storage options for an Azure lake, from the environment, and the variable each came from."""

    def value(name: str) -> str:
        return environ.get(name, "").strip()

    options: dict[str, str] = {}
    option_env: dict[str, str] = {}
    account = value(ACCOUNT_ENV)
    if account:
        options["account_name"], option_env["account_name"] = account, ACCOUNT_ENV
    else:
        from_uri = _account_from_uri(uri)
        if from_uri is None:
            raise LakeConfigError(
                f"{LAKE_URI_ENV} is an Azure URI without an account (…@<account>.dfs.core.windows.net): "
                f"set {ACCOUNT_ENV}"
            )
        options["account_name"] = from_uri
    for _name, pairs in AZURE_CREDENTIAL_SETS:
        if all(value(env) for _option, env in pairs):
            for option, env in pairs:
                options[option], option_env[option] = value(env), env
            return options, option_env
    if is_true(value(AZURE_CLI_ENV)):
        options["use_azure_cli"] = "true"
        return options, option_env
    if is_true(value(MANAGED_IDENTITY_ENV)):
        return options, option_env
    partial = [
        f"{name} (missing {', '.join(env for _o, env in pairs if not value(env))})"
        for name, pairs in AZURE_CREDENTIAL_SETS
        if len(pairs) > 1 and any(value(env) for _o, env in pairs)
    ]
    choices = "; ".join(
        " + ".join(env for _o, env in pairs) + f" ({name})" for name, pairs in AZURE_CREDENTIAL_SETS
    )
    hint = f" Incomplete: {'; '.join(partial)}." if partial else ""
    raise LakeConfigError(
        f"{LAKE_URI_ENV} points to Azure storage but the environment holds no Azure credentials.{hint} "
        f"Set one of: {choices}; or {AZURE_CLI_ENV}=true (az login) or {MANAGED_IDENTITY_ENV}=true."
    )
