"""Alert sensors: failed checks and runs become alerts; the outbox is delivered every 30 seconds."""

from datetime import UTC, datetime

import dagster as dg

from triage_platform.lib.alerts.checks import CheckEvaluation, run_alerts
from triage_platform.resources import AlertingResource


def _metadata_text(metadata: dict) -> dict[str, str]:
    return {key: str(getattr(value, "value", value)) for key, value in metadata.items()}


def _alert_on_run(context: dg.RunStatusSensorContext, alerting: AlertingResource, run_failed: bool) -> str:
    run = context.dagster_run
    records = context.instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    failed = []
    for record in records:
        evaluation = record.get_dagster_event().asset_check_evaluation_data
        if evaluation.passed:
            continue
        failed.append(
            (
                CheckEvaluation(
                    asset=evaluation.asset_key.to_user_string(),
                    check=evaluation.check_name,
                    passed=False,
                    severity=evaluation.severity.value,
                    partition=evaluation.partition,
                    description=evaluation.description or "",
                ),
                _metadata_text(dict(evaluation.metadata)),
            )
        )
    error = ""
    if run_failed and context.failure_event is not None:
        error = context.failure_event.message or ""
    now = datetime.now(UTC)
    candidates = run_alerts(
        run_id=run.run_id,
        job=run.job_name,
        partition=run.tags.get("dagster/partition"),
        failed_checks=failed,
        run_failed=run_failed,
        run_error=error,
        dagster_url=alerting.dagster_url,
        now=now,
    )
    if not candidates:
        return "no failed checks"
    plan = alerting.outbox().enqueue(candidates, now)
    report = alerting.deliver(now)
    return f"{len(candidates)} alert candidates, {len(plan.new)} new; delivery: {report.summary()}"


@dg.run_status_sensor(
    name="check_alert_sensor",
    run_status=dg.DagsterRunStatus.SUCCESS,
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Posts one alert per failed or warning asset check of every successful run (asset, check, "
    "partition, what failed, link to the run), through the alert outbox.",
)
def check_alert_sensor(context: dg.RunStatusSensorContext, alerting: AlertingResource) -> dg.SkipReason:
    return dg.SkipReason(_alert_on_run(context, alerting, run_failed=False))


@dg.run_failure_sensor(
    name="run_failure_alert_sensor",
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alerts on failed runs: the blocking checks that stopped them, or the run failure itself.",
)
def run_failure_alert_sensor(
    context: dg.RunFailureSensorContext, alerting: AlertingResource
) -> dg.SkipReason:
    return dg.SkipReason(_alert_on_run(context, alerting, run_failed=True))


@dg.sensor(
    name="alert_delivery_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Delivers pending alerts of the gold/alerts outbox to Slack / Teams (retries after outages "
    "and rate limits, never twice to the same sink) and builds the daily digest when it is due.",
)
def alert_delivery_sensor(context: dg.SensorEvaluationContext, alerting: AlertingResource) -> dg.SkipReason:
    report = alerting.deliver()
    return dg.SkipReason(f"delivery: {report.summary()}")
