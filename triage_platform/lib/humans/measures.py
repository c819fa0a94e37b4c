"""How fast people (and the platform) act: time to first triage, acknowledgement lag and time to
resolution, per category and owner.

- **time to first triage** (per review): from when its file landed (`file_landed_at`, else `ingested_at`)
  to the first decision about it: the automatic decision (`annotated_at`) for reviews routed to `alert`
  or `none`, the first human label (`labeled_at` in `gold/labels`) for reviews routed to a person
  (`human_review`, `labeling_backlog`); still pending when nobody labeled them yet.
- **acknowledgement lag** (per alert): `acknowledged_at − created_at` (any lifecycle step counts as
  acknowledgement); pending while open and unacknowledged.
- **time to resolution** (per alert): `closed_at − created_at`; pending while not closed.

`triage_measures` returns one row per (measure, category, owner) with the count measured, the count still
pending, and p50/p95/mean in seconds; the `ack_lag_slo` asset check on `gold/alerts` and the ROI models
read it (table `gold/triage_measures`).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa

MEASURES_SCHEMA = pa.schema(
    [
        ("measure", pa.string()),
        ("category", pa.string()),
        ("owner", pa.string()),
        ("measured", pa.int64()),
        ("pending", pa.int64()),
        ("p50_s", pa.float64()),
        ("p95_s", pa.float64()),
        ("mean_s", pa.float64()),
        ("max_pending_age_s", pa.float64()),
    ]
)
ALL = "*"
"""The category/owner value of the overall rows."""


def _seconds(end: pd.Series, start: pd.Series) -> pd.Series:
    return (pd.to_datetime(end, utc=True) - pd.to_datetime(start, utc=True)).dt.total_seconds()


def first_triage_durations(gold: pd.DataFrame, labels: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per review: category, owner, start, first decision time (NaT while pending) and seconds."""
    if gold.empty:
        return pd.DataFrame(columns=["category", "owner", "start", "decided_at", "seconds"])
    start = pd.to_datetime(gold["file_landed_at"], utc=True).fillna(
        pd.to_datetime(gold["ingested_at"], utc=True)
    )
    automatic = gold["route"].isin(["alert", "none"])
    decided = pd.to_datetime(gold["annotated_at"], utc=True).where(automatic)
    if labels is not None and not labels.empty:
        first_label = labels.groupby("review_key")["labeled_at"].min()
        human = pd.to_datetime(gold["review_key"].map(first_label), utc=True)
        decided = decided.fillna(human.where(~automatic))
    frame = pd.DataFrame(
        {
            "category": gold["primary_issue"].fillna("none").to_numpy(),
            "owner": gold["owner"].fillna("unowned").to_numpy(),
            "start": start.to_numpy(),
            "decided_at": decided.to_numpy(),
        }
    )
    frame["seconds"] = _seconds(frame["decided_at"], frame["start"])
    return frame


def alert_durations(alerts: pd.DataFrame, end_column: str) -> pd.DataFrame:
    """Per alert of kind review/spike: category, owner, created_at, `end_column` and seconds."""
    if alerts.empty:
        return pd.DataFrame(columns=["category", "owner", "start", "decided_at", "seconds"])
    people = alerts[alerts["kind"].isin(["review", "spike"]) & alerts["followup_of"].isna()]
    frame = pd.DataFrame(
        {
            "category": people["category"].fillna("none").to_numpy(),
            "owner": people["owner"].fillna("unowned").to_numpy(),
            "start": pd.to_datetime(people["created_at"], utc=True).to_numpy(),
            "decided_at": pd.to_datetime(people[end_column], utc=True).to_numpy(),
        }
    )
    frame["seconds"] = _seconds(frame["decided_at"], frame["start"])
    return frame


def summarize(durations: pd.DataFrame, measure: str, now: datetime) -> list[dict]:
    """Rows per (category, owner), plus per category, per owner and overall (`*`)."""
    if durations.empty:
        return []
    now_ts = pd.Timestamp(now).tz_convert("UTC") if pd.Timestamp(now).tzinfo else pd.Timestamp(now, tz="UTC")
    rows = []
    groupings = [["category", "owner"], ["category"], ["owner"], []]
    for keys in groupings:
        groups = durations.groupby(keys) if keys else [((), durations)]
        for key, group in groups:
            key = key if isinstance(key, tuple) else (key,)
            values = dict(zip(keys, key, strict=True))
            done = group["seconds"].dropna()
            waiting = group[group["seconds"].isna()]
            ages = (now_ts - pd.to_datetime(waiting["start"], utc=True)).dt.total_seconds()
            rows.append(
                {
                    "measure": measure,
                    "category": values.get("category", ALL),
                    "owner": values.get("owner", ALL),
                    "measured": len(done),
                    "pending": len(waiting),
                    "p50_s": float(np.percentile(done, 50)) if len(done) else None,
                    "p95_s": float(np.percentile(done, 95)) if len(done) else None,
                    "mean_s": float(done.mean()) if len(done) else None,
                    "max_pending_age_s": float(ages.max()) if len(ages) else None,
                }
            )
    return rows


def triage_measures(
    gold: pd.DataFrame, alerts: pd.DataFrame, labels: pd.DataFrame | None, now: datetime
) -> pd.DataFrame:
    """Time to first triage, acknowledgement lag and time to resolution per category × owner (and rolled
    up per category, per owner and overall, marked `*`)."""
    rows = summarize(first_triage_durations(gold, labels), "time_to_first_triage", now)
    rows += summarize(alert_durations(alerts, "acknowledged_at"), "acknowledgement_lag", now)
    rows += summarize(alert_durations(alerts, "closed_at"), "time_to_resolution", now)
    return pa.Table.from_pylist(rows, schema=MEASURES_SCHEMA).to_pandas()


def ack_lag_breaches(measures: pd.DataFrame, slo_seconds: float) -> pd.DataFrame:
    """Per (category, owner) rows whose acknowledgement lag p95 exceeds the SLO, or whose oldest
    unacknowledged alert is older than it."""
    rows = measures[
        (measures["measure"] == "acknowledgement_lag")
        & (measures["category"] != ALL)
        & (measures["owner"] != ALL)
    ]
    late = (rows["p95_s"].fillna(0) > slo_seconds) | (rows["max_pending_age_s"].fillna(0) > slo_seconds)
    return rows[late].reset_index(drop=True)
