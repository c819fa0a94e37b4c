"""Settings read once from the environment. The embedded default needs none of them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

from triage_platform.lib.paths import TriagePaths

DEFAULT_PARTITION_START = "2025-01-01"


@dataclass(frozen=True)
class Settings:
    paths: TriagePaths
    partition_start: date
    deployment: str
    webserver_url: str
    taxonomy_path: str | None

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            paths=TriagePaths.from_env(),
            partition_start=date.fromisoformat(
                os.environ.get("TRIAGE_PARTITION_START", DEFAULT_PARTITION_START)
            ),
            deployment=os.environ.get("TRIAGE_DEPLOYMENT", "local").lower(),
            webserver_url=os.environ.get("TRIAGE_DAGSTER_URL", "http://127.0.0.1:3000"),
            taxonomy_path=os.environ.get("TRIAGE_TAXONOMY") or None,
        )
