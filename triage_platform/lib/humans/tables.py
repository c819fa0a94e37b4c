"""The tables people write: `gold/labels` (human labels, append-only) and `gold/audit_log` (every human
action, append-only), with their readers.

Both are unpartitioned Delta tables in the lake (`TriagePaths.table("gold", ...)`), only ever appended
to, so nothing a person did is lost or rewritten; the current label of a review is its latest row
(`latest_labels`). Appends of several processes (the web app, the Slack endpoint, the CLI) are independent
Delta commits and never conflict.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from triage_platform.lib.delta import DeltaLocation, TableRef, append, as_location, read_table

TIMESTAMP = pa.timestamp("us", tz="UTC")

LABELS_SCHEMA = pa.schema(
    [
        pa.field("label_id", pa.string(), nullable=False),
        ("review_key", pa.string()),
        ("text", pa.string()),
        ("title", pa.string()),
        ("language", pa.string()),
        ("source", pa.string()),
        ("issue_types", pa.list_(pa.string())),
        ("primary_issue", pa.string()),
        ("severity", pa.string()),
        ("sentiment", pa.string()),
        ("annotator", pa.string()),
        ("labeled_at", TIMESTAMP),
        ("taxonomy_version", pa.string()),
        ("before_json", pa.string()),
        ("after_json", pa.string()),
    ]
)
"""`gold/labels`: one row per human label (accept or correction) of one review. `text`/`title` are the
redacted texts the labeler judged; `before_json`/`after_json` the annotation before and after (issue types,
primary issue, severity, sentiment). Append-only; the latest row per `review_key` is the review's label."""

AUDIT_SCHEMA = pa.schema(
    [
        pa.field("audit_id", pa.string(), nullable=False),
        ("at", TIMESTAMP),
        ("actor", pa.string()),
        ("role", pa.string()),
        ("via", pa.string()),
        ("action", pa.string()),
        ("target_type", pa.string()),
        ("target_id", pa.string()),
        ("before_json", pa.string()),
        ("after_json", pa.string()),
    ]
)
"""`gold/audit_log`: who did what to which item when, through which door (`web`, `slack`, `cli`,
`label-studio`), with the state before and after as JSON. Append-only."""

LABEL_FIELDS = ("issue_types", "primary_issue", "severity", "sentiment")
"""The annotation fields a person labels."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: Any) -> pd.Timestamp:
    """A timestamp in UTC (a naive one is taken to be UTC already)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def to_json(value: Any) -> str:
    """Stable JSON (sorted keys, datetimes as ISO strings, numpy/pandas scalars as plain values)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def label_id_for(review_key: str, annotator: str, labeled_at: datetime, after: Mapping[str, Any]) -> str:
    """Deterministic label id: the same label (review, person, time, values) always has the same id, so an
    import of an export recognises what it already has."""
    stamp = as_utc(labeled_at).isoformat() if labeled_at else ""
    raw = "|".join([review_key, annotator, stamp, to_json({k: after.get(k) for k in LABEL_FIELDS})])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class LabelStore:
    """`gold/labels`: append human labels, read the latest label per review."""

    location: DeltaLocation

    def __init__(self, table: TableRef) -> None:
        object.__setattr__(self, "location", as_location(table))

    def append(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Append label rows (dicts with the `LABELS_SCHEMA` columns); rows whose `label_id` is already
        stored are skipped (idempotent re-imports). Returns the number appended."""
        if not rows:
            return 0
        known = set(self.all()["label_id"]) if self.exists() else set()
        fresh = [dict(row) for row in rows if row["label_id"] not in known]
        fresh = list({row["label_id"]: row for row in fresh}.values())
        if not fresh:
            return 0
        for row in fresh:
            row["labeled_at"] = as_utc(row["labeled_at"]).to_pydatetime()
            row["issue_types"] = list(row.get("issue_types") or [])
        append(self.location, pa.Table.from_pylist(fresh, schema=LABELS_SCHEMA))
        return len(fresh)

    def exists(self) -> bool:
        return self.location.exists()

    def all(self) -> pd.DataFrame:
        return read_table(self.location, LABELS_SCHEMA)

    def latest(self) -> pd.DataFrame:
        """The current label of every labeled review (its latest row)."""
        return latest_labels(self.all())


def latest_labels(labels: pd.DataFrame) -> pd.DataFrame:
    """One row per `review_key`: the latest by `labeled_at` (ties broken by `label_id`)."""
    if labels.empty:
        return labels
    ordered = labels.sort_values(["review_key", "labeled_at", "label_id"])
    return ordered.drop_duplicates("review_key", keep="last").reset_index(drop=True)


@dataclass(frozen=True)
class AuditLog:
    """`gold/audit_log`: append one entry per human action; read them back."""

    location: DeltaLocation

    def __init__(self, table: TableRef) -> None:
        object.__setattr__(self, "location", as_location(table))

    def record(
        self,
        *,
        actor: str,
        action: str,
        target_type: str,
        target_id: str,
        before: Any = None,
        after: Any = None,
        role: str | None = None,
        via: str = "web",
        at: datetime | None = None,
    ) -> dict[str, Any]:
        entry = {
            "audit_id": uuid.uuid4().hex,
            "at": (at or utc_now()).astimezone(UTC),
            "actor": actor,
            "role": role,
            "via": via,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "before_json": None if before is None else to_json(before),
            "after_json": None if after is None else to_json(after),
        }
        append(self.location, pa.Table.from_pylist([entry], schema=AUDIT_SCHEMA))
        return entry

    def record_many(self, entries: Iterable[Mapping[str, Any]]) -> None:
        rows = [dict(e) for e in entries]
        if rows:
            append(self.location, pa.Table.from_pylist(rows, schema=AUDIT_SCHEMA))

    def all(self) -> pd.DataFrame:
        return read_table(self.location, AUDIT_SCHEMA).sort_values("at").reset_index(drop=True)

    def reopened(self) -> dict[str, pd.Timestamp]:
        """Latest `label.reopen` time per review key."""
        frame = read_table(self.location, AUDIT_SCHEMA, columns=["at", "action", "target_id"])
        frame = frame[frame["action"] == "label.reopen"]
        return {} if frame.empty else frame.groupby("target_id")["at"].max().to_dict()
