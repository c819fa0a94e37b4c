"""Where the platform keeps its state: everything lives under one folder, TRIAGE_HOME."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = ".triage"


@dataclass(frozen=True)
class TriagePaths:
    """The folders of one platform installation (laptop, CI run or server)."""

    home: Path
    landing_override: Path | None = None

    @classmethod
    def from_env(cls) -> TriagePaths:
        """TRIAGE_HOME, or ./.triage when it is not set."""
        return cls(Path(os.environ.get("TRIAGE_HOME", DEFAULT_HOME)).expanduser().resolve())

    @property
    def landing(self) -> Path:
        return self.landing_override or self.home / "landing"

    @property
    def lake(self) -> Path:
        return self.home / "lake"

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
    def registry_table(self) -> Path:
        """The landing file registry: every file version the platform has seen."""
        return self.lake / "landing" / "files"

    @property
    def quarantine_table(self) -> Path:
        return self.quarantine / "records"

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

    def table(self, layer: str, name: str) -> Path:
        return self.lake / layer / name

    @property
    def state(self) -> Path:
        """Small bookkeeping files of the CLI (e.g. the `triage run` discovery cursor)."""
        return self.home / "state"

    def ensure(self) -> TriagePaths:
        for folder in (self.landing, self.lake, self.dagster_home, self.models, self.quarantine, self.state):
            folder.mkdir(parents=True, exist_ok=True)
        return self
