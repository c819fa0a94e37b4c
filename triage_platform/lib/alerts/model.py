"""What an alert is, and how it is stored in the `gold/alerts` outbox table.

One row of `gold/alerts` is one alert: a message owed to a team (review alert, spike, failed check, failed
run, daily digest) together with everything needed to deliver it exactly once and to follow it afterwards:

- identity and deduplication: `alert_id` is deterministic (sha256 of dedupe key, window start, reopen
  generation and follow-up number), so re-planning the same evidence yields the same row;
- content: title, body, counts, samples, link (rendered into Slack/Teams text by `messages.py`);
- delivery (the outbox): `delivery_status`, `attempts`, `next_attempt_at`, `last_error`, `delivered_at` and
  `sink_message_ids` (per sink: message id/ts, or the last error of that sink);
- lifecycle (for the people acting on it): `lifecycle_status`, `closed_at`, `reopened_from`.

Columns beyond the issue's list (`evidence_keys`, `generation`, `followup_of`, `notified_count`,
`notified_at`, `digest_id`, `suppressed_reason`, `inflight_since`) are the bookkeeping the policy and the
delivery need to stay idempotent; see the module docstrings of `policy.py` and `delivery.py`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, Literal, get_args

import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Kind = Literal["review", "spike", "check", "run_failure", "digest"]
Priority = Literal["critical", "high", "normal", "low"]
Lifecycle = Literal[
    "open", "acknowledged", "investigating", "fix_deployed", "customer_contacted", "closed", "reopened"
]
DeliveryStatus = Literal["pending", "delivered", "suppressed", "failed"]

KINDS: tuple[str, ...] = get_args(Kind)
PRIORITIES: tuple[str, ...] = get_args(Priority)
LIFECYCLE: tuple[str, ...] = get_args(Lifecycle)
DELIVERY_STATUSES: tuple[str, ...] = get_args(DeliveryStatus)

PRIORITY_RANK: dict[str, int] = {"low": 0, "normal": 1, "high": 2, "critical": 3}
"""Compare priorities by rank, never as strings."""

ADDITIVE_KINDS: frozenset[str] = frozenset({"review", "check", "run_failure"})
"""Kinds whose `review_count` is the number of distinct evidence keys (reviews, failed runs); the other
kinds (`spike`, `digest`) carry a level: the count observed, merged by maximum."""

ID_LENGTH = 32
"""Hex characters kept of the sha256 alert id (128 bits)."""

TIMESTAMP = pa.timestamp("us", tz="UTC")

ALERTS_SCHEMA = pa.schema(
    [
        pa.field("alert_id", pa.string(), nullable=False),
        ("kind", pa.string()),
        ("dedupe_key", pa.string()),
        ("window_start", TIMESTAMP),
        ("category", pa.string()),
        ("product_family", pa.string()),
        ("sku", pa.string()),
        ("region", pa.string()),
        ("owner", pa.string()),
        ("channel", pa.string()),
        ("priority", pa.string()),
        ("title", pa.string()),
        ("body", pa.string()),
        ("sample_review_keys", pa.list_(pa.string())),
        ("sample_text", pa.string()),
        ("review_count", pa.int64()),
        ("confidence", pa.float64()),
        ("link", pa.string()),
        ("lifecycle_status", pa.string()),
        ("delivery_status", pa.string()),
        ("attempts", pa.int64()),
        ("next_attempt_at", TIMESTAMP),
        ("last_error", pa.string()),
        ("delivered_at", TIMESTAMP),
        ("sink_message_ids", pa.string()),
        ("created_at", TIMESTAMP),
        ("updated_at", TIMESTAMP),
        ("reopened_from", pa.string()),
        ("closed_at", TIMESTAMP),
        ("acknowledged_at", TIMESTAMP),
        ("investigating_at", TIMESTAMP),
        ("fix_deployed_at", TIMESTAMP),
        ("customer_contacted_at", TIMESTAMP),
        # bookkeeping beyond the column list
        ("evidence_keys", pa.list_(pa.string())),
        ("generation", pa.int64()),
        ("followup_of", pa.string()),
        ("notified_count", pa.int64()),
        ("notified_at", TIMESTAMP),
        ("digest_id", pa.string()),
        ("suppressed_reason", pa.string()),
        ("inflight_since", TIMESTAMP),
    ]
)
"""Schema of the `gold/alerts` Delta table (unpartitioned; one row per alert, merged on `alert_id`)."""

ALERT_COLUMNS: tuple[str, ...] = tuple(ALERTS_SCHEMA.names)
TIMESTAMP_COLUMNS: tuple[str, ...] = tuple(f.name for f in ALERTS_SCHEMA if f.type == TIMESTAMP)
"""The UTC timestamp columns: missing values read as None, values normalized to aware UTC datetimes."""


def utc(value: datetime) -> datetime:
    """A timezone-aware UTC datetime (a naive one is taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def make_alert_id(dedupe_key: str, window_start: datetime, generation: int = 0, followup: int = 0) -> str:
    """Deterministic id: sha256 of dedupe key, window start (UTC ISO), reopen generation and (for follow-up
    messages of an alert) the follow-up number."""
    parts = [dedupe_key, utc(window_start).isoformat(), str(int(generation))]
    if followup:
        parts.append(f"followup:{int(followup)}")
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:ID_LENGTH]


def dedupe_key_for(kind: str, *parts: str | None) -> str:
    """`kind|part|part...` with missing parts as `-`: e.g. `review|packaging_damage|kitchen|BR-SP`."""
    return "|".join([kind, *[(p if p not in (None, "") else "-") for p in parts]])


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, list | tuple | dict | set) else False
    except (TypeError, ValueError):
        return False


class Alert(BaseModel):
    """One alert (a candidate before planning, a stored row after). Timestamps are UTC-aware."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    alert_id: str = ""
    kind: Kind
    dedupe_key: str = Field(min_length=1)
    window_start: datetime
    category: str | None = None
    product_family: str | None = None
    sku: str | None = None
    region: str | None = None
    owner: str | None = None
    channel: str | None = None
    priority: Priority = "high"
    title: str
    body: str = ""
    sample_review_keys: list[str] = Field(default_factory=list)
    sample_text: str | None = None
    review_count: int = Field(default=1, ge=0)
    confidence: float | None = None
    link: str | None = None
    lifecycle_status: Lifecycle = "open"
    delivery_status: DeliveryStatus = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None
    sink_message_ids: dict[str, dict[str, Any]] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    reopened_from: str | None = None
    closed_at: datetime | None = None
    acknowledged_at: datetime | None = None
    """First time a person acknowledged the alert (any later lifecycle step implies acknowledgement)."""
    investigating_at: datetime | None = None
    fix_deployed_at: datetime | None = None
    customer_contacted_at: datetime | None = None
    evidence_keys: list[str] = Field(default_factory=list)
    """What this alert has counted (review keys, run ids, spike observations): a candidate whose evidence
    is already here is a repeat, which keeps `enqueue` idempotent."""
    generation: int = 0
    """Reopen generation: 0 for the first alert of an issue, +1 each time it recurs after being closed."""
    followup_of: str | None = None
    """For a follow-up message ("now 25 reviews, was 10"): the alert it follows up."""
    notified_count: int | None = None
    """`review_count` shown in the last message sent or queued for this alert (base for follow-ups)."""
    notified_at: datetime | None = None
    """When the last message for this alert was delivered or queued (base for the cooldown)."""
    digest_id: str | None = None
    """For a low-priority alert held back: the digest alert that carried it (None until then)."""
    suppressed_reason: str | None = None
    """Why a suppressed alert is not delivered on its own: `digest` (low priority) or `stale` (its window
    ended too long ago, e.g. a backfill); both go into the daily digest."""
    inflight_since: datetime | None = None
    """Set when a deliverer claims the alert, cleared when it records the attempt: still set on the next
    claim means the previous deliverer died mid-delivery (outcome unknown)."""

    @field_validator(
        "category",
        "product_family",
        "sku",
        "region",
        "owner",
        "channel",
        "sample_text",
        "confidence",
        "link",
        "last_error",
        "reopened_from",
        "followup_of",
        "notified_count",
        "digest_id",
        "suppressed_reason",
        *(name for name in TIMESTAMP_COLUMNS if name != "window_start"),
        mode="before",
    )
    @classmethod
    def _missing_is_none(cls, value: Any) -> Any:
        return None if _is_missing(value) else value

    @field_validator("sample_review_keys", "evidence_keys", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        if value is None or (not isinstance(value, str) and _is_missing(value)):
            return []
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value]

    @field_validator("sink_message_ids", mode="before")
    @classmethod
    def _parse_sink_ids(cls, value: Any) -> Any:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
            return {}
        if isinstance(value, str):
            return json.loads(value)
        return value

    @field_validator("review_count", "attempts", "generation", mode="before")
    @classmethod
    def _int_or_zero(cls, value: Any) -> Any:
        return 0 if _is_missing(value) else int(value)

    @model_validator(mode="after")
    def _normalize(self) -> Alert:
        for name in TIMESTAMP_COLUMNS:
            value = getattr(self, name)
            if isinstance(value, pd.Timestamp):
                value = value.to_pydatetime()
            if value is not None:
                object.__setattr__(self, name, utc(value))
        return self

    # ---------------------------------------------------------------------------------------- helpers

    @property
    def rank(self) -> int:
        return PRIORITY_RANK[self.priority]

    @property
    def is_closed(self) -> bool:
        return self.lifecycle_status == "closed"

    @property
    def additive(self) -> bool:
        return self.kind in ADDITIVE_KINDS

    def with_id(self, followup: int = 0) -> Alert:
        """This alert with its deterministic id (dedupe key, window start, generation, follow-up number)."""
        alert_id = make_alert_id(self.dedupe_key, self.window_start, self.generation, followup)
        return self.model_copy(update={"alert_id": alert_id})

    def to_row(self) -> dict[str, Any]:
        """A dict matching `ALERTS_SCHEMA` (sink ids as a JSON string)."""
        data = self.model_dump()
        data["sink_message_ids"] = json.dumps(self.sink_message_ids, sort_keys=True)
        return {name: data.get(name) for name in ALERT_COLUMNS}


def alerts_to_table(alerts: Iterable[Alert]) -> pa.Table:
    return pa.Table.from_pylist([a.to_row() for a in alerts], schema=ALERTS_SCHEMA)


def alerts_to_frame(alerts: Iterable[Alert]) -> pd.DataFrame:
    return alerts_to_table(alerts).to_pandas()


def alerts_from_table(table: pa.Table) -> list[Alert]:
    columns = [c for c in ALERT_COLUMNS if c in table.column_names]
    return [Alert.model_validate(row) for row in table.select(columns).to_pylist()]


def alerts_from_frame(frame: pd.DataFrame | None) -> list[Alert]:
    """Alerts of a `gold/alerts` frame (as `AlertOutbox.all()` returns it); [] for None or empty."""
    if frame is None or frame.empty:
        return []
    missing = [c for c in ALERT_COLUMNS if c not in frame.columns]
    if missing:
        frame = frame.assign(**{c: None for c in missing})
    table = pa.Table.from_pandas(frame[list(ALERT_COLUMNS)], schema=ALERTS_SCHEMA, preserve_index=False)
    return alerts_from_table(table)


def empty_frame() -> pd.DataFrame:
    return ALERTS_SCHEMA.empty_table().to_pandas()


def max_priority(priorities: Sequence[str]) -> str:
    return max(priorities, key=lambda p: PRIORITY_RANK[p])
