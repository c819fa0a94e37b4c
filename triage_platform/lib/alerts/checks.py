"""Turn what a Dagster run reported (failed asset checks, a failed run) into alert candidates.

Plain data in, candidates out: the Dagster sensor extracts the evaluations from the run's event log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from triage_platform.lib.alerts.candidates import check_alert, run_failure_alert
from triage_platform.lib.alerts.model import Alert


@dataclass(frozen=True)
class CheckEvaluation:
    """One asset-check result as recorded in a run."""

    asset: str
    check: str
    passed: bool
    severity: str  # "ERROR" or "WARN"
    partition: str | None
    description: str


def describe_failure(evaluation: CheckEvaluation, metadata: dict[str, str]) -> str:
    """What failed, in one or two lines: the check's description plus the most telling metadata."""
    details = [
        f"{key}: {value}" for key, value in metadata.items() if "FAILED" in value or key.endswith("_count")
    ]
    text = evaluation.description or f"{evaluation.check} did not pass"
    if details:
        text += " (" + "; ".join(details[:4]) + ")"
    return text


def run_alerts(
    *,
    run_id: str,
    job: str,
    partition: str | None,
    failed_checks: Sequence[tuple[CheckEvaluation, dict[str, str]]],
    run_failed: bool,
    run_error: str,
    dagster_url: str,
    now: datetime,
) -> list[Alert]:
    """One alert per failed check of the run; a run that failed without a failed check gets a run-failure
    alert instead (a blocking check that fails also fails its run: that is one problem, one message)."""
    alerts = [
        check_alert(
            asset=evaluation.asset,
            check=evaluation.check,
            partition=evaluation.partition or partition,
            description=describe_failure(evaluation, metadata),
            run_id=run_id,
            dagster_url=dagster_url,
            now=now,
            severity=evaluation.severity.lower(),
        )
        for evaluation, metadata in failed_checks
    ]
    if run_failed and not alerts:
        alerts.append(
            run_failure_alert(
                job=job, run_id=run_id, partition=partition, error=run_error, dagster_url=dagster_url, now=now
            )
        )
    return alerts
