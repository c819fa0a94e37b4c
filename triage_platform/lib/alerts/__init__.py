"""Alerts: candidate alerts → fatigue policy → `gold/alerts` outbox (written before delivery) → sinks.

    outbox = AlertOutbox(paths.table("gold", "alerts"))
    outbox.enqueue(review_alerts(gold, taxonomy, dagster_url=url) + [spike_alert(s, ...) ...], now)
    report = deliver_pending(outbox, sinks_from_env(os.environ, taxonomy), now)

Plain Python (no Dagster imports): the sensor and `triage run` both call `deliver_pending`.
"""

from triage_platform.lib.alerts.candidates import (
    check_alert,
    review_alert,
    review_alerts,
    run_failure_alert,
    spike_alert,
)
from triage_platform.lib.alerts.delivery import DeliveryReport, RetryPolicy, deliver_pending
from triage_platform.lib.alerts.model import ALERTS_SCHEMA, Alert, make_alert_id
from triage_platform.lib.alerts.outbox import AlertOutbox, AttemptRecord
from triage_platform.lib.alerts.policy import AlertPlan, AlertPolicy, build_digest, plan_alerts
from triage_platform.lib.alerts.sinks import (
    LogSink,
    Sink,
    SinkResult,
    SlackBotSink,
    SlackWebhookSink,
    TeamsWebhookSink,
    sinks_from_env,
)

__all__ = [
    "ALERTS_SCHEMA",
    "Alert",
    "AlertOutbox",
    "AlertPlan",
    "AlertPolicy",
    "AttemptRecord",
    "DeliveryReport",
    "LogSink",
    "RetryPolicy",
    "Sink",
    "SinkResult",
    "SlackBotSink",
    "SlackWebhookSink",
    "TeamsWebhookSink",
    "build_digest",
    "check_alert",
    "deliver_pending",
    "make_alert_id",
    "plan_alerts",
    "review_alert",
    "review_alerts",
    "run_failure_alert",
    "sinks_from_env",
    "spike_alert",
]
