"""Deliver what the outbox owes: one function for the Dagster sensor and for `triage run`.

`deliver_pending(outbox, sinks, now)`:

1. builds the digests that are due (`AlertOutbox.enqueue_digests`), so they go out like any alert;
2. takes the due alerts (most urgent first, at most `max_alerts`) and *claims* them in one Delta
   transaction: they are marked in flight and hidden from other deliverers for `lease`;
3. sends each alert to each sink that has not accepted it yet (`sink_message_ids` remembers, per sink, the
   message id/ts of a success), and records the outcome of that alert in its own transaction right away:
   - every sink accepted (or rejected it permanently) → `delivered` (or `failed` if none accepted);
   - a 429 → pending again at `now + Retry-After`; that sink is not called again in this run;
   - a 5xx, a timeout, a connection error → pending again with exponential backoff
     (`base_delay` × 2^(attempts-1), at most `max_delay`); that sink is not called again in this run
     either (an outage must not cost one timeout per alert);
   - after `max_attempts` attempts that were not rate limits → `failed`, kept in the table
     (`AlertOutbox.requeue` sends it again after a fix). Rate limits alone never fail an alert.

Exactly once per sink, as far as we can tell: a sink that accepted an alert is never called for it again.
The remaining window is between a service accepting a message and our write of that fact:

- the request times out or gets a 5xx although the service accepted it ("ambiguous"), or
- the process dies after the service accepted and before `record_attempt` committed (the claim's
  `inflight_since` is then still set when the alert is next claimed, after the lease).

In both cases the Slack bot sink first searches the channel for a message carrying the alert id in its
metadata and records it instead of posting again. Webhooks (Slack, Teams) cannot be searched: there the
window can produce one duplicate; we prefer that to losing an alert.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from triage_platform.lib.alerts.model import Alert, utc
from triage_platform.lib.alerts.outbox import AlertOutbox, AttemptRecord
from triage_platform.lib.alerts.sinks import Sink, SinkResult, scrub

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 10
    lease: timedelta = timedelta(minutes=5)
    """How long a claimed alert stays hidden from other deliverers (longer than one delivery run)."""

    def backoff(self, attempts: int) -> timedelta:
        """Wait after the `attempts`-th failed attempt: base, 2×base, 4×base, ... capped."""
        return min(self.max_delay, self.base_delay * (2 ** max(0, attempts - 1)))


@dataclass
class DeliveryReport:
    """Alert ids by outcome of one `deliver_pending` run."""

    delivered: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    """Attempted, not (fully) accepted, pending again with a later `next_attempt_at`."""
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Claimed but not attempted (their sinks were rate limited or down earlier in this run)."""
    digests: list[str] = field(default_factory=list)
    """Digest alerts built in this run (delivered like any alert)."""

    @property
    def attempted(self) -> int:
        return len(self.delivered) + len(self.retried) + len(self.failed)

    def summary(self) -> str:
        return (
            f"{len(self.delivered)} delivered, {len(self.retried)} to retry, {len(self.failed)} failed, "
            f"{len(self.skipped)} skipped"
        )


def deliver_pending(
    outbox: AlertOutbox,
    sinks: Sequence[Sink],
    now: datetime | None = None,
    max_alerts: int = 50,
    *,
    retry: RetryPolicy | None = None,
    build_digests: bool = True,
) -> DeliveryReport:
    """Deliver the outbox's due alerts to `sinks` (see the module docstring). `now` is the clock (UTC);
    tests pass it to step through retries without sleeping."""
    if not sinks:
        raise ValueError(
            "deliver_pending needs at least one sink (sinks_from_env gives a LogSink by default)"
        )
    names = [s.name for s in sinks]
    if len(set(names)) != len(names):
        raise ValueError(f"sink names must be unique: {names}")
    retry = retry or RetryPolicy()
    now = utc(now) if now is not None else datetime.now(UTC)
    report = DeliveryReport()
    if build_digests:
        report.digests = [d.alert_id for d in outbox.enqueue_digests(now).new]
    due = outbox.pending(now, limit=max_alerts)
    if not due:
        return report
    claimed = outbox.claim([a.alert_id for a in due], now, retry.lease)
    blocked: dict[str, SinkResult] = {}
    for alert in claimed:
        record, attempted = _deliver_one(alert, sinks, now, retry, blocked)
        outbox.record_attempt(alert.alert_id, record, now)
        if record.delivery_status == "delivered":
            report.delivered.append(alert.alert_id)
        elif record.delivery_status == "failed":
            report.failed.append(alert.alert_id)
            logger.error(
                "alert %s failed for good after %d attempts: %s",
                alert.alert_id,
                alert.attempts + 1,
                record.last_error,
            )
        elif attempted:
            report.retried.append(alert.alert_id)
        else:
            report.skipped.append(alert.alert_id)
    logger.info("alert delivery: %s", report.summary())
    return report


def _deliver_one(
    alert: Alert, sinks: Sequence[Sink], now: datetime, retry: RetryPolicy, blocked: dict[str, SinkResult]
) -> tuple[AttemptRecord, bool]:
    states: dict[str, dict[str, Any]] = {name: dict(state) for name, state in alert.sink_message_ids.items()}
    crashed_before = alert.inflight_since is not None
    attempted = False
    waits: list[timedelta] = []
    errors: list[str] = []
    only_rate_limited = True
    for sink in sinks:
        state = states.get(sink.name) or {}
        if state.get("ok") or state.get("permanent"):
            continue
        if sink.name in blocked:
            waits.append(_wait(blocked[sink.name], alert.attempts + 1, retry))
            only_rate_limited &= blocked[sink.name].retry_after is not None
            continue
        result: SinkResult | None = None
        lookup = getattr(sink, "find_delivered", None)
        if lookup is not None and (crashed_before or state.get("ambiguous")):
            attempted = True
            result = _safe(lambda s=sink, lk=lookup: lk(alert), sink)
            if result is not None and result.ok:
                logger.info(
                    "alert %s was already posted to %s: recorded, not re-posted", alert.alert_id, sink.name
                )
        if result is None:
            attempted = True
            result = _safe(lambda s=sink: s.send(alert), sink)
            assert result is not None
        states[sink.name] = _state(result, now, keep_ambiguous=bool(state.get("ambiguous")))
        if not result.ok:
            errors.append(f"{sink.name}: {result.error}")
            if not result.permanent:
                blocked[sink.name] = result
                waits.append(_wait(result, alert.attempts + 1, retry))
                only_rate_limited &= result.retry_after is not None
            logger.warning("alert %s: %s did not accept it: %s", alert.alert_id, sink.name, result.error)
    accepted = [s.name for s in sinks if states.get(s.name, {}).get("ok")]
    open_sinks = [
        s.name
        for s in sinks
        if not (states.get(s.name, {}).get("ok") or states.get(s.name, {}).get("permanent"))
    ]
    last_error = scrub("; ".join(errors)) if errors else None
    if not open_sinks:
        if accepted:
            return (
                AttemptRecord(
                    "delivered", states, attempted, None, last_error, now, notified_count=alert.review_count
                ),
                attempted,
            )
        return AttemptRecord("failed", states, attempted, None, last_error), attempted
    attempts_after = alert.attempts + (1 if attempted else 0)
    if attempted and attempts_after >= retry.max_attempts and not only_rate_limited:
        return AttemptRecord("failed", states, attempted, None, last_error), attempted
    next_at = now + (max(waits) if waits else retry.backoff(attempts_after or 1))
    return AttemptRecord("pending", states, attempted, next_at, last_error or alert.last_error), attempted


def _wait(result: SinkResult, attempts: int, retry: RetryPolicy) -> timedelta:
    if result.retry_after is not None:
        return timedelta(seconds=result.retry_after)
    return retry.backoff(attempts)


def _safe(call: Any, sink: Sink) -> SinkResult | None:
    """A sink call that cannot raise (a bug in a sink becomes a retryable, ambiguous failure)."""
    try:
        return call()
    except Exception as exc:  # pragma: no cover - sinks catch their own errors
        logger.exception("sink %s raised", sink.name)
        return SinkResult(ok=False, error=scrub(f"{type(exc).__name__}: {exc}"), ambiguous=True)


def _state(result: SinkResult, now: datetime, keep_ambiguous: bool) -> dict[str, Any]:
    if result.ok:
        state: dict[str, Any] = {"ok": True, "id": result.message_id, "at": now.isoformat()}
        if result.channel:
            state["channel"] = result.channel
        return state
    return {
        "ok": False,
        "error": result.error,
        "permanent": result.permanent,
        "ambiguous": result.ambiguous or keep_ambiguous,
        "retry_after": result.retry_after,
        "at": now.isoformat(),
    }
