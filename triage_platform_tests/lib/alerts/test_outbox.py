"""The `gold/alerts` outbox: written before delivery, idempotent, safe under concurrent writers."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from triage_platform.lib.alerts.delivery import deliver_pending
from triage_platform.lib.alerts.model import ALERTS_SCHEMA, TIMESTAMP_COLUMNS, Alert
from triage_platform.lib.alerts.outbox import AlertOutbox
from triage_platform.lib.alerts.sinks import SinkResult, SlackBotSink
from triage_platform_tests.fakes.slack_server import FakeSlackServer
from triage_platform_tests.lib.alerts.helpers import candidate, hours


def test_enqueue_writes_pending_alerts_and_a_second_enqueue_is_a_no_op(
    outbox: AlertOutbox, now: datetime
) -> None:
    candidates = [candidate("r1", at=now), candidate("r2", at=now), candidate("r3", at=now, region="US-CA")]

    plan = outbox.enqueue(candidates, now)
    version = outbox.version()
    again = outbox.enqueue(candidates, now + hours(1))

    assert len(plan.new) == 2 and again.is_empty
    assert outbox.version() == version  # nothing written the second time
    table = DeltaTable(str(outbox.location)).to_pyarrow_table()
    assert table.schema.equals(ALERTS_SCHEMA, check_metadata=False)
    frame = outbox.all()
    assert len(frame) == 2 and set(frame["delivery_status"]) == {"pending"}
    assert sorted(frame["review_count"]) == [1, 2]
    assert {a.alert_id for a in outbox.pending(now)} == {a.alert_id for a in plan.new}
    assert outbox.pending(now - hours(1)) == []  # not due before their next_attempt_at


def test_alert_is_in_the_table_before_any_request_reaches_slack(
    outbox: AlertOutbox, slack: FakeSlackServer, now: datetime
) -> None:
    outbox.enqueue([candidate("r1", at=now)], now)
    assert slack.requests == []  # enqueue never talks to Slack
    (stored,) = outbox.alerts()
    assert stored.delivery_status == "pending" and stored.attempts == 0

    seen: list[Alert | None] = []
    real = SlackBotSink(slack.token, base_url=slack.api_base_url, timeout=2)

    class Spy:
        name = "slack_bot"

        def send(self, alert: Alert) -> SinkResult:
            seen.append(outbox.get(alert.alert_id))  # what the table says at the moment of sending
            assert slack.requests == []
            return real.send(alert)

    report = deliver_pending(outbox, [Spy()], now)

    assert report.delivered == [stored.alert_id]
    (at_send,) = seen
    assert at_send is not None and at_send.delivery_status == "pending" and at_send.inflight_since == now
    assert len(slack.api_messages) == 1
    (after,) = outbox.alerts()
    assert after.delivery_status == "delivered" and after.inflight_since is None and after.attempts == 1


def test_concurrent_enqueues_of_the_same_candidates_create_one_row(
    outbox: AlertOutbox, now: datetime
) -> None:
    candidates = [candidate(f"r{i}", at=now) for i in range(5)]
    outbox.enqueue([candidate("seed", at=now, region="XX")], now)  # table exists: writers really race
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            AlertOutbox(outbox.location).enqueue(candidates, now)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    frame = outbox.all()
    assert len(frame) == 2
    assert int(frame.loc[frame["region"] == "BR-SP", "review_count"].iloc[0]) == 5


def test_claim_hides_alerts_from_a_second_deliverer(outbox: AlertOutbox, now: datetime) -> None:
    (alert,) = outbox.enqueue([candidate("r1", at=now)], now).new
    lease = timedelta(minutes=5)
    assert [a.alert_id for a in outbox.claim([alert.alert_id], now, lease)] == [alert.alert_id]
    assert outbox.claim([alert.alert_id], now, lease) == []  # already taken
    assert outbox.pending(now) == []
    # the first deliverer died: after the lease the alert is due again, flagged as in flight before
    (again,) = outbox.claim([alert.alert_id], now + lease, lease)
    assert again.inflight_since == now


def test_lifecycle_and_reopen_through_the_outbox(outbox: AlertOutbox, now: datetime) -> None:
    (first,) = outbox.enqueue([candidate("r1", at=now)], now).new
    for status in ("acknowledged", "investigating", "fix_deployed", "customer_contacted"):
        assert outbox.set_lifecycle(first.alert_id, status, now).lifecycle_status == status
    closed = outbox.set_lifecycle(first.alert_id, "closed", now + hours(1))
    assert closed.closed_at == now + hours(1)

    plan = outbox.enqueue([candidate("r2", at=now + hours(2))], now + hours(2))

    (reopened,) = plan.new
    assert reopened.reopened_from == first.alert_id and reopened.lifecycle_status == "reopened"
    statuses = dict(zip(outbox.all()["alert_id"], outbox.all()["lifecycle_status"], strict=True))
    assert statuses == {first.alert_id: "closed", reopened.alert_id: "reopened"}


def test_lifecycle_keeps_the_first_time_of_each_step(outbox: AlertOutbox, now: datetime) -> None:
    (alert,) = outbox.enqueue([candidate("r1", at=now)], now).new
    assert alert.acknowledged_at is None
    outbox.set_lifecycle(alert.alert_id, "investigating", now + hours(1))  # implies acknowledgement
    outbox.set_lifecycle(alert.alert_id, "acknowledged", now + hours(2))  # a later click changes nothing
    closed = outbox.set_lifecycle(alert.alert_id, "closed", now + hours(3))
    assert closed.acknowledged_at == now + hours(1) and closed.investigating_at == now + hours(1)
    assert closed.fix_deployed_at is None and closed.customer_contacted_at is None  # skipped steps
    assert closed.closed_at == now + hours(3)


def test_an_outbox_written_before_the_lifecycle_columns_gains_them(tmp_path: Path, now: datetime) -> None:
    lifecycle = {"acknowledged_at", "investigating_at", "fix_deployed_at", "customer_contacted_at"}
    old_schema = pa.schema([f for f in ALERTS_SCHEMA if f.name not in lifecycle])
    write_deltalake(str(tmp_path / "alerts"), old_schema.empty_table())
    outbox = AlertOutbox(tmp_path / "alerts")
    (alert,) = outbox.enqueue([candidate("r1", at=now)], now).new
    assert outbox.set_lifecycle(alert.alert_id, "acknowledged", now).acknowledged_at == now
    assert lifecycle <= set(DeltaTable(str(outbox.location)).schema().to_arrow().names)


def test_digests_are_built_once_when_due(outbox: AlertOutbox, now: datetime) -> None:
    outbox.enqueue(
        [candidate("r1", at=now, priority="low"), candidate("r2", at=now, priority="normal", region="US")],
        now,
    )
    assert outbox.pending(now) == []
    due_at = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo) + hours(
        8
    )

    plan = outbox.enqueue_digests(due_at)
    assert len(plan.new) == 1 and outbox.enqueue_digests(due_at + hours(1)).is_empty
    (pending,) = outbox.pending(due_at)
    assert pending.kind == "digest" and pending.review_count == 2


def test_all_on_a_missing_table_is_empty_with_the_schema(tmp_path) -> None:
    frame = AlertOutbox(tmp_path / "nothing").all()
    assert frame.empty and list(frame.columns) == ALERTS_SCHEMA.names
    assert pa.Table.from_pandas(frame, schema=ALERTS_SCHEMA, preserve_index=False).num_rows == 0


def test_every_timestamp_column_is_aware_utc_or_none(now: datetime) -> None:
    naive = pd.Timestamp(now).tz_localize(None)
    alert = candidate("r1", at=now)
    stamped = Alert.model_validate(
        {**alert.model_dump(), **dict.fromkeys(TIMESTAMP_COLUMNS, naive), "investigating_at": pd.NaT}
    )
    for name in TIMESTAMP_COLUMNS:
        value = getattr(stamped, name)
        assert (value is None) if name == "investigating_at" else (value == now and value.tzinfo), name
