"""A small driver for end-to-end tests: real Delta tables, a real Dagster instance, the real sensor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import dagster as dg
import pandas as pd

from triage_platform.lib.delta import read_table
from triage_platform.lib.paths import TriagePaths
from triage_platform.runner import load_definitions, prepare_instance
from triage_platform.settings import Settings

# Columns that record when or by which run a row was (re)built; everything else must be reproducible.
VOLATILE_COLUMNS = {"run_id", "processed_at", "annotated_at"}


@dataclass
class Platform:
    paths: TriagePaths
    instance: dg.DagsterInstance
    defs: dg.Definitions
    cursor: str | None = None
    runs: list[str] = field(default_factory=list)

    @classmethod
    def start(cls) -> Platform:
        settings = Settings.from_env()
        instance = prepare_instance(settings.paths)
        return cls(paths=settings.paths, instance=instance, defs=load_definitions())

    @property
    def landing(self) -> Path:
        return self.paths.landing

    def tick(self, cursor: str | None = None, use_own_cursor: bool = True) -> list[dg.RunRequest]:
        """One landing-sensor evaluation, then each requested run executed like the daemon would."""
        sensor = self.defs.resolve_sensor_def("landing_sensor")
        context = dg.build_sensor_context(
            instance=self.instance,
            cursor=self.cursor if use_own_cursor and cursor is None else cursor,
            definitions=self.defs,
            resources=dict(self.defs.resources or {}),
        )
        result = sensor.evaluate_tick(context)
        self.cursor = result.cursor
        for request in result.run_requests or []:
            self.materialize(request.partition_key)
        return list(result.run_requests or [])

    def schedule_requests(self, name: str, at: datetime) -> list[dg.RunRequest]:
        """The runs schedule `name` asks for at `at`, evaluated against this instance like the daemon would."""
        context = dg.build_schedule_context(
            instance=self.instance,
            resources=dict(self.defs.resources or {}),
            scheduled_execution_time=at,
            repository_def=self.defs.get_repository_def(),
        )
        return list(self.defs.resolve_schedule_def(name).evaluate_tick(context).run_requests or [])

    def materialize(self, day: str) -> None:
        job = self.defs.resolve_job_def("medallion_job")
        result = job.execute_in_process(partition_key=day, instance=self.instance)
        assert result.success
        self.runs.append(result.run_id)

    def table(self, layer: str, name: str) -> pd.DataFrame:
        return read_table(self.paths.table(layer, name))

    def day_rows(self, layer: str, name: str, day: str) -> pd.DataFrame:
        frame = self.table(layer, name)
        return frame[frame["day"].astype(str) == day].reset_index(drop=True)


def stable(frame: pd.DataFrame, key: str = "review_key") -> pd.DataFrame:
    """A frame without run-specific columns, in a canonical row order, for equality checks."""
    columns = [c for c in frame.columns if c not in VOLATILE_COLUMNS]
    out = frame[columns].copy()
    for column in out.columns:
        out[column] = out[column].map(
            lambda v: tuple(v) if hasattr(v, "__len__") and not isinstance(v, str) else v
        )
    sort_by = [key] if key in out.columns else list(out.columns[:4])
    return out.sort_values(sort_by).reset_index(drop=True)
