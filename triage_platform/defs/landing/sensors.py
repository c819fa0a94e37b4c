"""The landing sensor: Auto Loader semantics for the landing zone."""

import hashlib

import dagster as dg

from triage_platform.defs.jobs import medallion_job
from triage_platform.lib.ingest.discovery import decode_cursor, encode_cursor
from triage_platform.lib.ingest.plan import discover_new_files
from triage_platform.resources import TriageStorage


@dg.sensor(
    name="landing_sensor",
    job=medallion_job,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Finds new or rewritten files in the landing zone, registers each version once (path, size, "
        "modified time and content hash are kept in the cursor), and requests a medallion run for every "
        "day partition the files touch, late days included."
    ),
)
def landing_sensor(context: dg.SensorEvaluationContext, storage: TriageStorage) -> dg.SensorResult:
    plan = discover_new_files(storage.registry(), decode_cursor(context.cursor))
    batch = hashlib.sha256(
        "".join(sorted(r.fingerprint.path + r.fingerprint.sha256 for r in plan.registered)).encode()
    ).hexdigest()[:16]
    requests = [
        dg.RunRequest(
            partition_key=day.isoformat(),
            run_key=f"{day.isoformat()}:{batch}",
            tags={"triage/trigger": "landing_sensor"},
        )
        for day in plan.days
    ]
    events = []
    if plan.registered:
        events.append(
            dg.AssetMaterialization(
                asset_key=["landing", "files"],
                metadata={
                    "new_file_versions": len(plan.registered),
                    "rows_valid": sum(len(r.parsed.records) for r in plan.registered),
                    "rows_quarantined": sum(len(r.parsed.rejects) for r in plan.registered),
                    "days": ", ".join(day.isoformat() for day in plan.days),
                },
            )
        )
        context.log.info(f"registered {len(plan.registered)} file versions touching {len(plan.days)} days")
    return dg.SensorResult(run_requests=requests, cursor=encode_cursor(plan.cursor), asset_events=events)
