"""Humans in the loop through Dagster: rebuilding gold/reviews from silver keeps human labels; the review
queue, labeling backlog and triage measures materialize; the acknowledgement-lag check warns."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from triage_platform.lib.alerts.outbox import AlertOutbox
from triage_platform.lib.annotate.taxonomy import load_taxonomy
from triage_platform.lib.delta import read_table
from triage_platform.lib.humans.actions import Actor, HumanActions
from triage_platform.lib.paths import TriagePaths
from triage_platform.runner import load_definitions, prepare_instance
from triage_platform.settings import Settings
from triage_platform_tests.humans_lake import DAY, write_tiny_lake


def test_gold_rebuild_keeps_labels_and_human_tables_materialize(triage_home: Path, monkeypatch) -> None:
    paths = TriagePaths(triage_home)
    made = write_tiny_lake(paths, with_users=False)
    actions = HumanActions(paths, load_taxonomy(None))
    actions.label("r-q3", Actor("leo"), {"issue_types": ["not_as_described"], "severity": "high"})
    actions.label("r-b2", Actor("leo"), None)
    old = datetime.now(UTC) - timedelta(hours=3)
    outbox = AlertOutbox(paths.table("gold", "alerts"))
    late = made["alert_ids"][0]
    actions.alert_action(made["alert_ids"][1], "ack", Actor("olga"))

    defs = load_definitions()
    instance = prepare_instance(Settings.from_env().paths)
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=instance,
        partition_key=DAY.isoformat(),
        asset_selection=[dg.AssetKey(["gold", "reviews"])],
    )
    assert result.success
    warnings = [e.user_message for e in instance.all_logs(result.run_id) if e.level >= logging.WARNING]
    assert not [w for w in warnings if "table stats" in w], warnings  # the Delta write logs no noise
    gold = read_table(paths.table("gold", "reviews")).set_index("review_key")
    assert len(gold) == 8  # rebuilt from silver: one row per review, not appended
    assert gold.loc["r-q3", "human_override"] and gold.loc["r-q3", "primary_issue"] == "not_as_described"
    assert gold.loc["r-q3", "status"] == "human_labeled" and gold.loc["r-b2", "human_override"]
    assert gold["human_override"].sum() == 2

    # an alert created 3 hours ago and still unacknowledged breaches a 1-hour SLO
    outbox._transact(
        lambda current: (
            [a.model_copy(update={"created_at": old}) for a in current if a.alert_id == late],
            None,
        )
    )
    monkeypatch.setenv("TRIAGE_SLO_ACK_S", "3600")
    humans = defs.resolve_job_def("humans_job")
    result = humans.execute_in_process(instance=instance)
    assert result.success
    queue = read_table(paths.table("gold", "review_queue"))
    assert set(queue["review_key"]) == {"r-q1", "r-q2", "r-q4"}
    backlog = read_table(paths.table("gold", "labeling_backlog"))
    assert list(backlog["review_key"]) == ["r-b1"] and backlog.iloc[0]["priority_reasons"]
    measures = read_table(paths.table("gold", "triage_measures"))
    assert {"time_to_first_triage", "acknowledgement_lag", "time_to_resolution"} <= set(measures["measure"])

    evaluation = _run_check(defs)
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert (
        evaluation.metadata["breaches"].value == "packaging_damage/logistics"
    )  # product-safety acked at once


def _run_check(defs: dg.Definitions) -> dg.AssetCheckResult:
    from triage_platform.defs.gold.humans import ack_lag_slo

    return ack_lag_slo(storage=defs.resources["storage"])
