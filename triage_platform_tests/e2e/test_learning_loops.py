"""The learning loops on a small demo, in a real Dagster instance on real Delta tables: weekly retraining
learns from the review queue's gold/labels, daily evaluation writes the quality trend, and the nightly
reprocess runs where the schedule finds low-confidence annotations, without breaking the daily build."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
from deltalake import write_deltalake

from triage_platform.lib.annotate.labeled_sets import in_evaluation_set
from triage_platform.lib.annotate.seed import seed_examples
from triage_platform.lib.annotate.taxonomy import load_taxonomy
from triage_platform.lib.delta import read_table
from triage_platform.lib.demo import generate_demo
from triage_platform.lib.humans.tables import LABELS_SCHEMA
from triage_platform_tests.e2e.platform import Platform, stable

END = date(2026, 3, 2)
DAY1, DAY2 = (END - timedelta(days=1)).isoformat(), END.isoformat()


def materializations(result: dg.ExecuteInProcessResult, name: str) -> list[dict]:
    return [
        {k: v.value for k, v in e.event_specific_data.materialization.metadata.items()}
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path[-1] == name
    ]


def write_queue_labels(platform: Platform, day: str, count: int) -> list[str]:
    """What the review queue writes: human decisions on some of the day's reviews (here every one says
    `product_defect`, a correction wherever the model said otherwise)."""
    gold = platform.day_rows("gold", "reviews", day).sort_values("review_key")
    keys = [k for k in gold["review_key"] if not in_evaluation_set(k)][:count]
    labeled_at = datetime.fromisoformat(day).replace(hour=15, tzinfo=UTC)
    rows = [
        {
            "label_id": f"label-{i}",
            "review_key": key,
            "text": gold.set_index("review_key").loc[key, "text_redacted"],
            "title": None,
            "language": gold.set_index("review_key").loc[key, "language"],
            "source": gold.set_index("review_key").loc[key, "source"],
            "issue_types": ["product_defect"],
            "primary_issue": "product_defect",
            "severity": "high",
            "sentiment": "negative",
            "annotator": "ana",
            "labeled_at": labeled_at,
            "taxonomy_version": load_taxonomy().fingerprint,
            "before_json": "{}",
            "after_json": "{}",
        }
        for i, key in enumerate(keys)
    ]
    write_deltalake(
        str(platform.paths.table("gold", "labels")),
        pa.Table.from_pylist(rows, schema=LABELS_SCHEMA),
        mode="append",
    )
    return keys


def write_label_file(path: Path) -> None:
    rows = [e.model_dump(mode="json") for e in seed_examples(load_taxonomy(), per_language=12, seed=5)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_the_learning_loops_run_on_the_demo(triage_home: Path) -> None:
    platform = Platform.start()
    generate_demo(platform.landing, days=2, per_day=40, end_day=END, seed=3)
    platform.tick()
    assert {DAY1, DAY2} <= set(platform.table("gold", "reviews")["day"].astype(str))

    # weekly retraining: the queue's corrections are in the training set, the candidate meets the gate
    write_label_file(platform.paths.home / "labels" / "labels.jsonl")
    corrected = write_queue_labels(platform, DAY2, count=4)
    retraining = platform.defs.resolve_job_def("weekly_retraining")
    result = retraining.execute_in_process(instance=platform.instance, raise_on_error=False)
    (training,) = materializations(result, "training_set")
    assert training["from_gold_labels"] == len(corrected) == 4
    assert len(training["content_hash"]) == 64
    trained_on = read_table(platform.paths.table("ml", "training_set")).set_index("id")
    assert list(trained_on.loc[corrected[0], "issue_types"]) == ["product_defect"]
    checks = {
        e.event_specific_data.check_name
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert "no_macro_f1_regression" in checks and len(checks) == len(load_taxonomy().categories) + 1
    (candidate,) = materializations(result, "candidate_model")
    assert candidate["few_shot_version"].startswith("fs-")
    promoted = bool(materializations(result, "promoted_model"))
    assert result.success == promoted

    # daily evaluation: the trend table gets the day's rows for both datasets
    evaluation = platform.defs.resolve_job_def("daily_evaluation")
    assert evaluation.execute_in_process(partition_key=DAY2, instance=platform.instance).success
    trend = read_table(platform.paths.table("ml", "evaluation_history"))
    assert set(trend["dataset"]) == {"evaluation_set", "day_human_labels"}
    assert set(trend["day"].astype(str)) == {DAY2}
    day_rows = trend[(trend["dataset"] == "day_human_labels") & (trend["category"] == "product_defect")]
    assert int(day_rows["support"].iloc[0]) == len(corrected)
    categories = set(load_taxonomy().ids) | {"macro", "micro"}
    assert set(trend.loc[trend["dataset"] == "evaluation_set", "category"]) == categories
    assert evaluation.execute_in_process(partition_key=DAY2, instance=platform.instance).success
    assert len(read_table(platform.paths.table("ml", "evaluation_history"))) == len(trend)  # replaced

    # nightly reprocess where the schedule finds candidates; every blocking check of the day still passes
    before = platform.table("silver", "annotations")
    requests = platform.schedule_requests(
        "nightly_reprocess_schedule", datetime(2026, 3, 3, 2, 30, tzinfo=UTC)
    )
    # a promoted model outdates every day's annotations; without one (and without an LLM) re-annotating
    # would only repeat the live model's answers, so the schedule asks for nothing
    assert {r.partition_key for r in requests} == ({DAY1, DAY2} if promoted else set())
    reprocess = platform.defs.resolve_job_def("nightly_reprocess")
    for request in requests:
        assert reprocess.execute_in_process(
            partition_key=request.partition_key, instance=platform.instance
        ).success
    after = platform.table("silver", "annotations")
    assert after["is_current"].sum() == len(before[before["is_current"]])
    assert after.groupby("review_key")["is_current"].sum().eq(1).all()
    gold = platform.table("gold", "reviews")
    current = after[after["is_current"]].set_index("review_key")["annotation_version"]
    shown = gold.set_index("review_key")["annotation_version"]
    assert (shown == current.loc[shown.index]).all()

    # the normal daily build still passes its blocking checks over history rows and adds no version
    # (the same annotator configuration replaces its own rows)
    platform.materialize(DAY1)
    rebuilt = platform.table("silver", "annotations")
    columns = ["review_key", "annotation_version", "is_current", "model_version"]
    assert stable(rebuilt[columns]).equals(stable(after[columns]))
