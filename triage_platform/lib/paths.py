"""Where the platform keeps its state: local files under one folder, TRIAGE_HOME, and the Delta tables
in the lake (TRIAGE_HOME/lake, or TRIAGE_LAKE_URI: see `lib/lake.py`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from triage_platform.lib.delta import DeltaLocation
from triage_platform.lib.lake import LAKE_URI_ENV, Lake, resolve_lake

DEFAULT_HOME = ".triage"


@dataclass(frozen=True)
class TriagePaths:
    """The places of one platform installation (laptop, CI run or server): local files under `home`, Delta
    tables in the lake (`lake_uri`, else `home/lake`).

    What must be a local file stays under `home` whatever the lake: the landing zone, the Dagster instance,
    the model registry, the LLM cache, the DuckDB warehouse, reports, users and CLI state. The landing
    archive (raw bytes of every ingested file version, which bronze is rebuilt from) is local too: under a
    local lake (`<lake>/landing/archive`, the historical place), else `home/landing_archive`."""

    home: Path
    landing_override: Path | None = None
    lake_uri: str | None = None
    """TRIAGE_LAKE_URI (None: the default lake, `home/lake`)."""
    resolved_lake: Lake | None = field(default=None, repr=False, compare=False)
    """The lake as `from_env` resolved it, with the credentials of that environment (None: resolved from
    `lake_uri` and the process environment on first use)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, home: Path | None = None) -> TriagePaths:
        """TRIAGE_HOME (or ./.triage, or `home`) and TRIAGE_LAKE_URI (a local one made absolute). An unusable
        TRIAGE_LAKE_URI (unsupported scheme, missing credentials) fails here, with what to set."""
        environ = os.environ if environ is None else environ
        home = (home or Path(environ.get("TRIAGE_HOME", DEFAULT_HOME))).expanduser().resolve()
        lake = resolve_lake(home, environ.get(LAKE_URI_ENV, "").strip() or None, environ)
        return cls(
            home, lake_uri=lake.root if environ.get(LAKE_URI_ENV, "").strip() else None, resolved_lake=lake
        )

    @property
    def landing(self) -> Path:
        return self.landing_override or self.home / "landing"

    @cached_property
    def lake(self) -> Lake:
        """The lake every Delta table lives in (root and storage options, resolved once)."""
        return self.resolved_lake or resolve_lake(self.home, self.lake_uri)

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster_home"

    @property
    def models(self) -> Path:
        return self.home / "models"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def registry_table(self) -> DeltaLocation:
        """The landing file registry: every file version the platform has seen."""
        return self.lake.table("landing", "files")

    @property
    def quarantine_table(self) -> DeltaLocation:
        """The quarantine records: TRIAGE_HOME/quarantine/records with the default lake (where it always
        was), `<lake>/quarantine/records` with TRIAGE_LAKE_URI."""
        if self.lake_uri is None:
            return DeltaLocation(str(self.quarantine / "records"))
        return self.lake.table("quarantine", "records")

    @property
    def landing_archive(self) -> Path:
        """The content-addressed copies of every registered landing file (always a local folder)."""
        local = self.lake.local_root
        return local / "landing" / "archive" if local is not None else self.home / "landing_archive"

    @property
    def warehouse(self) -> Path:
        """The DuckDB file the local dbt target builds (dbt_project/profiles.yml)."""
        return self.home / "warehouse.duckdb"

    @property
    def reports(self) -> Path:
        """Rendered reports, e.g. the ROI dashboard (reports/roi.html)."""
        return self.home / "reports"

    @property
    def dbt_runs(self) -> Path:
        """Per-run dbt target folders (compiled SQL, run results, logs) of the dbt assets."""
        return self.home / "dbt" / "runs"

    def table(self, layer: str, name: str) -> DeltaLocation:
        """The Delta table of asset key `layer/name` in the lake."""
        return self.lake.table(layer, name)

    @property
    def state(self) -> Path:
        """Small bookkeeping files of the CLI (e.g. the `triage run` discovery cursor)."""
        return self.home / "state"

    def ensure(self) -> TriagePaths:
        """Create the local folders (and a local lake's root)."""
        folders = [self.landing, self.dagster_home, self.models, self.state]
        if self.lake.local_root is not None:
            folders.append(self.lake.local_root)
        if self.lake_uri is None:
            folders.append(self.quarantine)
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        return self
