"""The alert outbox: the `gold/alerts` Delta table, written BEFORE anything is delivered.

Every change is one optimistic Delta transaction: read the table at version v, compute the rows to write
(with the pure policy), and `MERGE` them on `alert_id` against version v. If another writer committed in
between (a Dagster sensor tick and a `triage run` at the same time), Delta refuses the commit
(`CommitFailedError`: a concurrent transaction touched the data we read) and the operation is recomputed
on the new version. So two processes planning the same candidates still create one row, and a deliverer
claiming alerts never races another deliverer for the same alert.

The table is small (one row per alert, not per review) and unpartitioned; every operation reads it whole.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pandas as pd
from deltalake import DeltaTable
from deltalake import Field as DeltaField
from deltalake.exceptions import CommitFailedError

from triage_platform.lib.alerts.model import (
    ALERTS_SCHEMA,
    LIFECYCLE,
    PRIORITY_RANK,
    Alert,
    alerts_from_table,
    alerts_to_table,
    empty_frame,
    utc,
)
from triage_platform.lib.alerts.policy import AlertPlan, AlertPolicy, due_digests, plan_alerts
from triage_platform.lib.delta import TableRef, as_location

T = TypeVar("T")

LIFECYCLE_STEPS: tuple[str, ...] = (
    "acknowledged",
    "investigating",
    "fix_deployed",
    "customer_contacted",
    "closed",
)
"""The people's workflow in order; `open` and `reopened` are where it starts."""
STAMPED_STEPS: frozenset[str] = frozenset(
    {"acknowledged_at", "investigating_at", "fix_deployed_at", "customer_contacted_at"}
)
"""Lifecycle steps whose first time is kept in a column (`closed_at` is set and cleared separately)."""


@dataclass(frozen=True)
class AttemptRecord:
    """The outcome of one delivery attempt of one alert, as `record_attempt` stores it."""

    delivery_status: str
    sink_message_ids: dict[str, dict[str, Any]] = field(default_factory=dict)
    attempted: bool = True
    """Whether any sink was actually called (only then does `attempts` grow)."""
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None
    notified_count: int | None = None
    """The count the delivered message showed (base for follow-ups)."""


class OutboxError(RuntimeError):
    """The outbox could not commit after repeated conflicts, or an alert does not exist."""


class AlertOutbox:
    """`gold/alerts` as an outbox: enqueue (plan + write), claim, record attempts, lifecycle."""

    def __init__(self, table: TableRef, policy: AlertPolicy | None = None, *, max_conflicts: int = 20):
        self.location = as_location(table)
        self.policy = policy or AlertPolicy()
        self.max_conflicts = max_conflicts

    def __repr__(self) -> str:
        return f"AlertOutbox({self.location.uri!r})"

    # ----------------------------------------------------------------------------------------- reading

    def exists(self) -> bool:
        return self.location.exists()

    def all(self) -> pd.DataFrame:
        """The whole table as a DataFrame (`ALERTS_SCHEMA` columns; empty when nothing was written)."""
        if not self.exists():
            return empty_frame()
        return self.location.open().to_pyarrow_table().to_pandas()

    def alerts(self) -> list[Alert]:
        if not self.exists():
            return []
        return alerts_from_table(self.location.open().to_pyarrow_table())

    def get(self, alert_id: str) -> Alert | None:
        return next((a for a in self.alerts() if a.alert_id == alert_id), None)

    def version(self) -> int | None:
        return self.location.version()

    def pending(self, now: datetime, limit: int | None = None) -> list[Alert]:
        """Alerts due for delivery: status `pending` and `next_attempt_at` <= now; most urgent first."""
        now = utc(now)
        due = [
            a
            for a in self.alerts()
            if a.delivery_status == "pending" and (a.next_attempt_at is None or a.next_attempt_at <= now)
        ]
        due.sort(
            key=lambda a: (
                -PRIORITY_RANK[a.priority],
                a.next_attempt_at or now,
                a.created_at or now,
                a.alert_id,
            )
        )
        return due[:limit] if limit is not None else due

    # ----------------------------------------------------------------------------------------- writing

    def enqueue(self, candidates: Sequence[Alert], now: datetime) -> AlertPlan:
        """Plan `candidates` against the table (see `policy.plan_alerts`) and write the plan, before any
        delivery. Idempotent: the same candidates again plan nothing and write nothing."""
        now = utc(now)

        def step(current: list[Alert]) -> tuple[list[Alert], AlertPlan]:
            plan = plan_alerts(candidates, current, now, self.policy)
            return plan.rows, plan

        if not candidates:
            return AlertPlan()
        return self._transact(step)

    def enqueue_digests(self, now: datetime) -> AlertPlan:
        """Build the digests that are due at `now` (held alerts per UTC day and owner) and write them as
        pending alerts, marking their members with `digest_id`. Idempotent."""
        now = utc(now)
        if not self.exists():
            return AlertPlan()
        return self._transact(lambda current: ((plan := due_digests(current, now, self.policy)).rows, plan))

    def claim(self, alert_ids: Iterable[str], now: datetime, lease: timedelta) -> list[Alert]:
        """Take alerts for delivery: those still due are marked in flight (`inflight_since` = now) and
        hidden from other deliverers until `now + lease`. Returns them as they were *before* the claim, so
        a still-set `inflight_since` tells the caller that a previous deliverer died mid-attempt."""
        now = utc(now)
        wanted = list(dict.fromkeys(alert_ids))

        def step(current: list[Alert]) -> tuple[list[Alert], list[Alert]]:
            by_id = {a.alert_id: a for a in current}
            claimed, rows = [], []
            for alert_id in wanted:
                alert = by_id.get(alert_id)
                if alert is None or alert.delivery_status != "pending":
                    continue
                if alert.next_attempt_at is not None and alert.next_attempt_at > now:
                    continue
                claimed.append(alert)
                rows.append(alert.model_copy(update={"inflight_since": now, "next_attempt_at": now + lease}))
            return rows, claimed

        return self._transact(step) if wanted else []

    def record_attempt(self, alert_id: str, result: AttemptRecord, now: datetime | None = None) -> Alert:
        """Store the outcome of a delivery attempt (status, per-sink ids, retry time, error) and clear the
        in-flight mark. Only delivery columns change: counts merged meanwhile are kept."""
        moment = utc(now) if now is not None else utc(datetime.now().astimezone())

        def step(current: list[Alert]) -> tuple[list[Alert], Alert]:
            alert = _find(current, alert_id)
            update: dict[str, Any] = {
                "delivery_status": result.delivery_status,
                "sink_message_ids": result.sink_message_ids,
                "attempts": alert.attempts + (1 if result.attempted else 0),
                "next_attempt_at": result.next_attempt_at,
                "last_error": result.last_error,
                "inflight_since": None,
                "updated_at": moment,
            }
            if result.delivered_at is not None:
                update["delivered_at"] = result.delivered_at
                update["notified_at"] = result.delivered_at
                update["notified_count"] = (
                    result.notified_count if result.notified_count is not None else alert.review_count
                )
            updated = alert.model_copy(update=update)
            return [updated], updated

        return self._transact(step)

    def set_lifecycle(self, alert_id: str, status: str, now: datetime) -> Alert:
        """Move an alert along open → acknowledged → investigating → fix_deployed → customer_contacted →
        closed (any order is accepted; the workflow belongs to the people). `closed` stamps `closed_at`;
        any other status clears it. A follow-up message row forwards to the alert it follows up."""
        if status not in LIFECYCLE:
            raise ValueError(f"unknown lifecycle status {status!r}; known: {list(LIFECYCLE)}")
        now = utc(now)

        def step(current: list[Alert]) -> tuple[list[Alert], Alert]:
            alert = _find(current, alert_id)
            if alert.followup_of:
                alert = _find(current, alert.followup_of)
            update: dict[str, object] = {
                "lifecycle_status": status,
                "closed_at": now if status == "closed" else None,
                "updated_at": now,
            }
            # Each step's first time is kept. Any step implies acknowledgement (acknowledgement lag counts
            # from creation to the first human action of any kind); the others are stamped only when set.
            stamped = {f"{status}_at", "acknowledged_at"} if status in LIFECYCLE_STEPS else set()
            for column in sorted(stamped & STAMPED_STEPS):
                if getattr(alert, column) is None:
                    update[column] = now
            updated = alert.model_copy(update=update)
            return [updated], updated

        return self._transact(step)

    def requeue(self, alert_id: str, now: datetime) -> Alert:
        """Give a `failed` alert a fresh set of attempts (e.g. after fixing a token or a channel)."""
        now = utc(now)

        def step(current: list[Alert]) -> tuple[list[Alert], Alert]:
            alert = _find(current, alert_id)
            if alert.delivery_status != "failed":
                return [], alert
            updated = alert.model_copy(
                update={
                    "delivery_status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "updated_at": now,
                }
            )
            return [updated], updated

        return self._transact(step)

    # ----------------------------------------------------------------------------------------- internals

    def _ensure_table(self) -> None:
        if self.exists():
            return
        try:
            self.location.write(ALERTS_SCHEMA.empty_table(), mode="append")
        except Exception:
            if not self.exists():  # lost a creation race: fine if the winner created it
                raise

    def _with_all_columns(self, table: DeltaTable) -> DeltaTable:
        """`table`, after adding as nullable columns any `ALERTS_SCHEMA` gained since it was created (e.g.
        the lifecycle timestamps), so an outbox written by an older version keeps working. Reads only the
        schema of the snapshot already loaded."""
        present = set(table.schema().to_arrow().names)
        missing = [ALERTS_SCHEMA.field(name) for name in ALERTS_SCHEMA.names if name not in present]
        if missing:
            table.alter.add_columns([DeltaField.from_arrow(field) for field in missing])
            table = self.location.open()
        return table

    def _transact(self, step: Callable[[list[Alert]], tuple[list[Alert], T]]) -> T:
        """Run `step` on the current rows and merge what it returns, retrying on write conflicts."""
        self._ensure_table()
        for conflict in range(self.max_conflicts):
            table = self._with_all_columns(self.location.open())
            rows, result = step(alerts_from_table(table.to_pyarrow_table()))
            if not rows:
                return result
            unique = list({row.alert_id: row for row in rows}.values())
            try:
                (
                    table.merge(
                        alerts_to_table(unique),
                        predicate="t.alert_id = s.alert_id",
                        source_alias="s",
                        target_alias="t",
                    )
                    .when_matched_update_all()
                    .when_not_matched_insert_all()
                    .execute()
                )
            except CommitFailedError:
                time.sleep(random.uniform(0.005, 0.05) * (conflict + 1))
                continue
            return result
        raise OutboxError(
            f"{self.location}: gave up after {self.max_conflicts} conflicting concurrent writes"
        )


def _find(alerts: list[Alert], alert_id: str) -> Alert:
    for alert in alerts:
        if alert.alert_id == alert_id:
            return alert
    raise OutboxError(f"no alert {alert_id!r} in the outbox")
