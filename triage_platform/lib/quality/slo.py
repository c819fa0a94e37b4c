"""Latency and freshness SLOs: how long a review takes from landing to an owner's attention.

The field's targets (`SloTargets`): a **critical** item reaches its owner's alert channel within
5 minutes of landing; a **standard** item is triaged (annotated and routed) within 30 minutes of landing.
Override them with `TRIAGE_SLO_CRITICAL_S` / `TRIAGE_SLO_STANDARD_S` (seconds) through
`SloTargets.from_env()`.

Hops (`HOPS`: name -> start column, end column, and the table holding both):

| hop | start -> end | table |
|---|---|---|
| `ingestion` | `file_landed_at` -> `ingested_at` | bronze/silver/gold reviews |
| `enrichment` | `ingested_at` -> `processed_at` | silver/reviews |
| `classification` | `processed_at` -> `annotated_at` | silver/reviews joined to silver/annotations |
| `alert_delivery` | `created_at` -> `delivered_at` | alerts |
| `acknowledgement` | `delivered_at` -> `acknowledged_at` | alerts (rows not yet acknowledged are skipped) |
| `triage` (end to end) | `file_landed_at` -> `annotated_at` | gold/reviews: the standard target |
| `critical_alert` (end to end) | `file_landed_at` -> `delivered_at` | alerts of critical items: the critical target |

`hop_latencies(frame, start, end)` returns the durations in seconds of the rows where both ends are
present (a row not yet acknowledged has no acknowledgement latency); a negative duration (clock skew
between hosts) counts as 0. `latency_outcome` turns them into an outcome on p95 (and optionally p50).
Percentiles are nearest-rank (`inverted_cdf`): p95 is an observed duration that at least 95% of the rows
did not exceed, so with 10 rows p95 is the slowest one; no interpolation makes a target look met.

**Backfills and replays.** A backfill, or the demo replaying files that landed days ago, carries old
landing times: landing -> anything then measures the age of the data, not the speed of the platform,
and a healthy run would breach every SLO by days. Latency SLOs are about *live* traffic, so measure only
rows that landed in the run's live window: pass `landed_after=slo_cutoff(run_started_at)` (run start
minus `SloTargets.live_window_s`, default 1 hour, `TRIAGE_SLO_LIVE_WINDOW_S`). A row that landed earlier is
either a replay or has already waited twice the standard target before its run even began: it is not
hidden (its count goes into the outcome's `excluded_rows`, see `split_live`), and a stuck landing zone is
caught by the freshness check rather than by latency percentiles. A backfill run can skip the latency
checks altogether; the cut-off keeps them meaningful when it does not.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd

from triage_platform.lib.quality.contracts import CheckOutcome, MetadataValue, Severity


class Hop(NamedTuple):
    start_col: str
    end_col: str
    table: str


HOPS: dict[str, Hop] = {
    "ingestion": Hop("file_landed_at", "ingested_at", "bronze/reviews"),
    "enrichment": Hop("ingested_at", "processed_at", "silver/reviews"),
    "classification": Hop("processed_at", "annotated_at", "silver/reviews + silver/annotations"),
    "alert_delivery": Hop("created_at", "delivered_at", "alerts"),
    "acknowledgement": Hop("delivered_at", "acknowledged_at", "alerts"),
    "triage": Hop("file_landed_at", "annotated_at", "gold/reviews"),
    "critical_alert": Hop("file_landed_at", "delivered_at", "alerts"),
}
"""The measured hops and their end-to-end spans (see the module doc)."""


def _env_seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {raw!r}")
    return value


@dataclass(frozen=True)
class SloTargets:
    """Latency targets in seconds. Defaults: critical items alerted within 5 minutes of landing, standard
    items triaged within 30 minutes; rows that landed more than `live_window_s` (1 hour) before a run
    started are not live traffic (see the module doc)."""

    critical_s: float = 300.0
    standard_s: float = 1800.0
    live_window_s: float = 3600.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SloTargets:
        """Targets from `TRIAGE_SLO_CRITICAL_S`, `TRIAGE_SLO_STANDARD_S` and `TRIAGE_SLO_LIVE_WINDOW_S`
        (seconds; unset or empty means the default). `ValueError` names a variable that is not a positive
        number."""
        env = os.environ if env is None else env
        defaults = cls()
        return cls(
            critical_s=_env_seconds(env, "TRIAGE_SLO_CRITICAL_S", defaults.critical_s),
            standard_s=_env_seconds(env, "TRIAGE_SLO_STANDARD_S", defaults.standard_s),
            live_window_s=_env_seconds(env, "TRIAGE_SLO_LIVE_WINDOW_S", defaults.live_window_s),
        )


def _utc(value: datetime | pd.Timestamp) -> pd.Timestamp:
    """A tz-aware UTC timestamp; a naive one is taken to be UTC already (the platform's convention)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)


def _utc_column(series: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(series, utc=False)
    if getattr(stamps.dt, "tz", None) is None:
        return stamps.dt.tz_localize(UTC)
    return stamps.dt.tz_convert(UTC)


def slo_cutoff(run_started_at: datetime, targets: SloTargets | None = None) -> datetime:
    """The earliest landing time that counts as live traffic for a run started at `run_started_at`."""
    targets = targets or SloTargets()
    return _utc(run_started_at).to_pydatetime() - timedelta(seconds=targets.live_window_s)


def split_live(
    frame: pd.DataFrame, landed_after: datetime, *, landed_col: str = "file_landed_at"
) -> tuple[pd.DataFrame, int]:
    """The rows that landed at or after `landed_after`, and how many rows were left out as replays.

    Rows with no landing time are left out too (they cannot be placed in time)."""
    if landed_col not in frame.columns:
        raise KeyError(f"no landing-time column {landed_col!r} in the frame; columns: {list(frame.columns)}")
    landed = _utc_column(frame[landed_col])
    live = landed.notna() & (landed >= _utc(landed_after))
    return frame[live.to_numpy()], int((~live).sum())


def hop_latencies(
    frame: pd.DataFrame,
    start_col: str,
    end_col: str,
    *,
    landed_after: datetime | None = None,
    landed_col: str = "file_landed_at",
) -> list[float]:
    """Seconds from `start_col` to `end_col` for each row where both are present (negative -> 0.0).

    With `landed_after`, only rows whose `landed_col` is at or after it count (see the module doc on
    backfills). Naive timestamps are taken as UTC.
    """
    for column in (start_col, end_col):
        if column not in frame.columns:
            raise KeyError(f"no column {column!r} in the frame; columns: {list(frame.columns)}")
    if landed_after is not None:
        frame, _ = split_live(frame, landed_after, landed_col=landed_col)
    if frame.empty:
        return []
    start = _utc_column(frame[start_col])
    end = _utc_column(frame[end_col])
    seconds = (end - start).dt.total_seconds()
    seconds = seconds[seconds.notna()]
    return [max(0.0, float(s)) for s in seconds]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (`q` in 0-100) of a non-empty sequence."""
    return float(np.percentile(np.asarray(values, dtype=float), q, method="inverted_cdf"))


def latency_outcome(
    name: str,
    durations_seconds: Sequence[float],
    *,
    p95_target_s: float,
    p50_target_s: float | None = None,
    excluded_rows: int = 0,
    severity: Severity = "ERROR",
) -> CheckOutcome:
    """Did a hop meet its latency target? Fails when p95 (or, when given, p50) exceeds its target.

    No durations (nothing landed in the window) passes with a note: there is no latency to judge.
    Metadata: `count`, `p50_s`, `p95_s`, `max_s`, `mean_s`, `p95_target_s`, `p50_target_s` (when set),
    `over_p95_target` (rows slower than the p95 target) and `excluded_rows` (left out by the cut-off).
    """
    if p95_target_s <= 0 or (p50_target_s is not None and p50_target_s <= 0):
        raise ValueError("latency targets must be positive")
    values = [float(v) for v in durations_seconds if v is not None and not math.isnan(v)]
    metadata: dict[str, MetadataValue] = {
        "count": len(values),
        "p95_target_s": float(p95_target_s),
        "excluded_rows": int(excluded_rows),
    }
    if p50_target_s is not None:
        metadata["p50_target_s"] = float(p50_target_s)
    if not values:
        return CheckOutcome(
            passed=True,
            severity=severity,
            description=f"{name}: no rows to measure (excluded {excluded_rows} outside the live window)",
            metadata=metadata,
        )
    p50, p95 = percentile(values, 50), percentile(values, 95)
    metadata.update(
        p50_s=round(p50, 3),
        p95_s=round(p95, 3),
        max_s=round(max(values), 3),
        mean_s=round(sum(values) / len(values), 3),
        over_p95_target=sum(v > p95_target_s for v in values),
    )
    breaches = []
    if p95 > p95_target_s:
        breaches.append(f"p95 {p95:.1f}s > target {p95_target_s:g}s")
    if p50_target_s is not None and p50 > p50_target_s:
        breaches.append(f"p50 {p50:.1f}s > target {p50_target_s:g}s")
    summary = f"{len(values)} rows, p50 {p50:.1f}s, p95 {p95:.1f}s, max {max(values):.1f}s"
    if breaches:
        description = f"{name}: SLO breached ({'; '.join(breaches)}): {summary}"
    else:
        description = f"{name}: within SLO (p95 target {p95_target_s:g}s): {summary}"
    return CheckOutcome(passed=not breaches, severity=severity, description=description, metadata=metadata)


def freshness_outcome(
    last_update: datetime | None,
    now: datetime,
    max_age: timedelta | float,
    *,
    name: str = "freshness",
    severity: Severity = "ERROR",
) -> CheckOutcome:
    """Was the table (or the landing zone, or a sensor's cursor) updated within `max_age` of `now`?

    `max_age` is a timedelta or seconds; `last_update` None means never updated (fails). Naive datetimes
    are taken as UTC. Metadata: `age_s` (absent when never updated), `max_age_s`, `last_update` (ISO).
    """
    max_age_s = max_age.total_seconds() if isinstance(max_age, timedelta) else float(max_age)
    metadata: dict[str, MetadataValue] = {"max_age_s": max_age_s}
    if last_update is None or pd.isna(last_update):
        metadata["last_update"] = "never"
        return CheckOutcome(
            passed=False, severity=severity, description=f"{name}: never updated", metadata=metadata
        )
    last = _utc(last_update)
    age_s = (_utc(now) - last).total_seconds()
    metadata.update(age_s=round(age_s, 3), last_update=last.isoformat())
    passed = age_s <= max_age_s
    verdict = "fresh" if passed else "stale"
    description = f"{name}: {verdict}, last updated {_human(age_s)} ago (max {_human(max_age_s)})"
    return CheckOutcome(passed=passed, severity=severity, description=description, metadata=metadata)


def _human(seconds: float) -> str:
    if seconds < 0:
        return f"{seconds:.0f}s (in the future)"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"
