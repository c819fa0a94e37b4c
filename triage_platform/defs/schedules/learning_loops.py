"""Schedules of the learning loops: weekly retraining, daily evaluation, nightly reprocessing.

All start RUNNING (like the sensors): each job is safe to run unattended (a worse model is never promoted,
evaluation only appends trend rows, reprocessing keeps every older annotation) and each can be launched
by hand from the UI or with `dagster job launch`. Stop one in the UI (Automation) to pause that loop.
Times are UTC and ordered so that each night's reprocess runs after the day closed and a Monday's
retraining is evaluated the same morning.
"""

from datetime import timedelta

import dagster as dg

from triage_platform.lib.delta import read_table
from triage_platform.lib.transform.annotations import reprocess_days
from triage_platform.resources import AnnotatorResource, TriageStorage

REPROCESS_MAX_DAYS = 31
"""At most this many days (the most recent ones) are reprocessed per night; older ones follow later."""

weekly_retraining_schedule = dg.ScheduleDefinition(
    name="weekly_retraining_schedule",
    job_name="weekly_retraining",
    cron_schedule="0 3 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Mondays 03:00 UTC: rebuild the labeled sets, train a candidate, gate it, promote it.",
)


@dg.schedule(
    name="daily_evaluation_schedule",
    job_name="daily_evaluation",
    cron_schedule="30 4 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily 04:30 UTC: score the live model on the evaluation set and on yesterday's human "
    "labels; one ml/evaluation_history partition per day.",
)
def daily_evaluation_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    yesterday = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
    return dg.RunRequest(run_key=f"daily_evaluation-{yesterday}", partition_key=yesterday)


@dg.schedule(
    name="nightly_reprocess_schedule",
    job_name="nightly_reprocess",
    cron_schedule="30 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Nightly 02:30 UTC: one nightly_reprocess run per day that has low-confidence or "
    f"outdated annotations (the {REPROCESS_MAX_DAYS} most recent such days per night).",
)
def nightly_reprocess_schedule(
    context: dg.ScheduleEvaluationContext, storage: TriageStorage, annotator: AnnotatorResource
) -> list[dg.RunRequest] | dg.SkipReason:
    annotations = read_table(storage.paths.table("silver", "annotations"))
    days = reprocess_days(annotations, annotator.live_versions(), annotator.review_threshold)
    if not days:
        return dg.SkipReason("no low-confidence or outdated annotations")
    tick = context.scheduled_execution_time.date().isoformat()
    chosen = sorted(days)[-REPROCESS_MAX_DAYS:]
    return [
        dg.RunRequest(
            run_key=f"nightly_reprocess-{tick}-{day.isoformat()}",
            partition_key=day.isoformat(),
            tags={"triage/reprocess_candidates": str(days[day])},
        )
        for day in chosen
    ]


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        schedules=[weekly_retraining_schedule, daily_evaluation_schedule, nightly_reprocess_schedule]
    )
