"""The model gate: a candidate below a recall floor is never promoted, and its weak category's items go to
human review instead of automatic alerts until a passing model restores it (real Dagster instance)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from triage_platform.lib.annotate.pausing import read_paused_categories
from triage_platform.lib.annotate.registry import ModelStore
from triage_platform.lib.delta import read_table
from triage_platform_tests.conftest import review, write_jsonl
from triage_platform_tests.e2e.platform import Platform
from triage_platform_tests.fakes.openai_server import FakeOpenAIServer

TAXONOMY = """
name: airline-test
version: 1
categories:
  - id: late_flight
    owner: operations
    description: The flight left or arrived late.
    default_severity: high
  - id: lost_luggage
    owner: baggage
    description: A bag was lost or delayed.
    default_severity: high
  - id: rude_staff
    owner: customer-care
    description: Staff were rude.
    default_severity: medium
"""
PHRASES = {
    "late_flight": [
        "flight delayed {n} hours",
        "departure was {n} hours late",
        "we landed {n} hours behind schedule",
        "the plane took off late again, {n} hour delay",
    ],
    "lost_luggage": [
        "my suitcase never arrived",
        "they lost my bag on the way to {city}",
        "baggage missing for {n} days",
        "luggage went to {city} instead of with me",
    ],
    "rude_staff": ["the gate agent was rude", "crew shouted at us", "staff were dismissive and unfriendly"],
    None: [
        "great crew and smooth flight to {city}",
        "comfortable seats, on time",
        "lovely service, thank you",
    ],
}
CITIES = ["Boston", "Denver", "Austin", "Seattle", "Miami", "Chicago"]


def examples(
    seed: int, per_category: int, poison: str | None = None, false_positive: str | None = None
) -> list[dict]:
    """Labeled trips; `poison` unlabels a category (its recall collapses), `false_positive` labels the
    praise as that category (its precision collapses while every recall holds)."""
    rng = random.Random(seed)
    rows = []
    for category, phrases in PHRASES.items():
        for i in range(per_category):
            text = (
                rng.choice(phrases).format(n=rng.randint(2, 9), city=rng.choice(CITIES))
                + f" (trip {seed}-{i})"
            )
            label = [] if category in (None, poison) else [category]
            if category is None and false_positive:
                label = [false_positive]
            severity = "none" if not label else ("medium" if category == "rude_staff" else "high")
            rows.append(
                {
                    "id": f"{seed}-{category}-{i}",
                    "source": "social",
                    "text": text,
                    "rating": None,
                    "product": "",
                    "issue_types": label,
                    "primary_issue": label[0] if label else "none",
                    "sentiment": "negative" if label else "positive",
                    "severity": severity,
                    "language": "en",
                }
            )
    return rows


def write_labels(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


@pytest.fixture
def platform(triage_home: Path, monkeypatch: pytest.MonkeyPatch) -> Platform:
    taxonomy = triage_home / "airline.yaml"
    taxonomy.write_text(TAXONOMY)
    monkeypatch.setenv("TRIAGE_TAXONOMY", str(taxonomy))
    return Platform.start()


def promote(platform: Platform) -> dg.ExecuteInProcessResult:
    job = platform.defs.resolve_job_def("weekly_retraining")
    return job.execute_in_process(instance=platform.instance, raise_on_error=False)


def test_a_model_that_misses_a_category_is_not_promoted_and_its_items_go_to_human_review(
    platform: Platform,
) -> None:
    labels = platform.paths.home / "labels"
    write_labels(labels / "eval" / "eval.jsonl", examples(seed=2, per_category=15))
    write_labels(labels / "train.jsonl", examples(seed=1, per_category=40))
    good = promote(platform)
    assert good.success
    store = ModelStore(platform.paths.models)
    live = store.current_version()
    assert live is not None and read_paused_categories(platform.paths.models) == frozenset()

    write_labels(labels / "train.jsonl", examples(seed=3, per_category=40, poison="lost_luggage"))
    bad = promote(platform)
    assert not bad.success
    failed = {
        e.event_specific_data.check_name
        for e in bad.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    }
    # the poisoned candidate also scores a lower macro-F1 than the live model
    assert failed == {"recall_floor_lost_luggage", "no_macro_f1_regression"}
    promoted_in_bad_run = [
        e
        for e in bad.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path[-1] == "promoted_model"
    ]
    assert promoted_in_bad_run == [] and store.current_version() == live
    assert read_paused_categories(platform.paths.models) == frozenset({"lost_luggage"})

    day = "2026-03-01"
    write_jsonl(
        platform.landing / "social" / "posts.jsonl",
        [
            review("l1", day, "They lost my bag on the way to Denver (trip 9-1)"),
            review("f1", day, "Flight delayed 5 hours (trip 9-2)"),
        ],
    )
    platform.tick()
    gold = platform.day_rows("gold", "reviews", day).set_index("source_review_id")
    assert gold.loc["l1", "primary_issue"] == "lost_luggage"
    assert gold.loc["l1", "route"] == "human_review"  # paused slice: people look, no automatic alert
    assert gold.loc["f1", "primary_issue"] == "late_flight"
    assert gold.loc["f1", "route"] == "alert"  # the rest of automation carries on


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        e.event_specific_data.check_name: e.event_specific_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def test_a_candidate_with_a_lower_macro_f1_is_rejected_and_rollback_restores_the_previous_model(
    platform: Platform,
) -> None:
    labels = platform.paths.home / "labels"
    write_labels(labels / "eval" / "eval.jsonl", examples(seed=2, per_category=15))
    write_labels(labels / "train.jsonl", examples(seed=1, per_category=40))
    assert promote(platform).success
    store = ModelStore(platform.paths.models)
    first = store.current_version()

    # every recall floor holds, but praise is now called a late flight: precision and macro-F1 fall
    write_labels(labels / "train.jsonl", examples(seed=3, per_category=40, false_positive="late_flight"))
    worse = promote(platform)
    checks = check_results(worse)
    assert not worse.success
    assert checks["no_macro_f1_regression"] is False
    assert all(passed for name, passed in checks.items() if name.startswith("recall_floor_"))
    assert store.current_version() == first  # the live model stayed
    rejected = store.versions()[-1]
    assert rejected != first and rejected not in store.history()

    write_labels(labels / "train.jsonl", examples(seed=4, per_category=40))
    better = promote(platform)
    assert better.success and check_results(better)["no_macro_f1_regression"] is True
    second = store.current_version()
    assert second not in (first, rejected)
    manifest = store.manifest(second)
    assert manifest["training_data_hash"] and manifest["metrics"]["evaluation"]["macro_f1"] >= 0.9
    assert store.promoted_at(second) is not None

    assert store.rollback() == first and store.current_version() == first
    assert [(e["action"], e["version"]) for e in store.promotions()][-3:] == [
        ("promote", first),
        ("promote", second),
        ("rollback", first),
    ]


def test_nightly_reprocess_keeps_the_old_annotation_in_history_and_updates_gold(platform: Platform) -> None:
    labels = platform.paths.home / "labels"
    write_labels(labels / "eval" / "eval.jsonl", examples(seed=2, per_category=15))
    write_labels(labels / "train.jsonl", examples(seed=1, per_category=40))
    assert promote(platform).success
    store = ModelStore(platform.paths.models)
    old_model = store.current_version()

    day = "2026-03-01"
    write_jsonl(
        platform.landing / "social" / "posts.jsonl",
        [
            review("u1", day, "the plane was there"),
            review("u2", day, "the crew lost track of time"),
            review("u3", day, "bag"),
            review("late", day, "Flight delayed 6 hours (trip 8-1)"),
        ],
    )
    platform.tick()
    annotations = platform.table("silver", "annotations")
    assert set(annotations["model_version"]) == {old_model} and set(annotations["annotation_version"]) == {1}
    # below the review threshold (0.5 in this taxonomy): headed for the labeling backlog
    unsure_key = annotations.loc[annotations["confidence"] < 0.5, "review_key"].min()
    assert isinstance(unsure_key, str) and unsure_key.startswith("social:u")

    write_labels(labels / "train.jsonl", examples(seed=5, per_category=40))
    assert promote(platform).success
    new_model = store.current_version()
    assert new_model != old_model

    night = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
    requests = platform.schedule_requests("nightly_reprocess_schedule", night)
    assert [r.partition_key for r in requests] == [day]
    job = platform.defs.resolve_job_def("nightly_reprocess")
    for _ in range(2):  # a second run over the same day adds nothing
        result = job.execute_in_process(partition_key=day, instance=platform.instance, tags=requests[0].tags)
        assert result.success
        history = read_table(platform.paths.table("silver", "annotations"))
        rows = history[history["review_key"] == unsure_key].sort_values("annotation_version")
        assert list(rows["annotation_version"]) == [1, 2]
        assert list(rows["model_version"]) == [old_model, new_model]
        assert list(rows["is_current"]) == [False, True]
        # outdated the first night; the second night it is only low-confidence and no LLM is configured,
        # so re-annotating would repeat the live model's answer: left as it is
        assert rows.iloc[1]["annotation_reason"] == "reprocess:outdated_version"
        assert len(history) == 8 and history["is_current"].sum() == 4
    gold = platform.day_rows("gold", "reviews", day)
    assert len(gold) == 4 and set(gold["model_version"]) == {new_model}
    assert set(gold["annotation_version"]) == {2}
    # nothing outdated is left and, without an LLM, nothing low-confidence could change: no more nights
    left = platform.schedule_requests("nightly_reprocess_schedule", night)
    assert (gold["confidence"] < 0.5).any() and left == []


def test_low_confidence_rows_go_to_the_llm_at_night_and_keep_their_first_annotation(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = platform.paths.home / "labels"
    write_labels(labels / "eval" / "eval.jsonl", examples(seed=2, per_category=15))
    write_labels(labels / "train.jsonl", examples(seed=1, per_category=40))
    assert promote(platform).success
    model = ModelStore(platform.paths.models).current_version()
    with FakeOpenAIServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.openai_base_url)
        monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
        monkeypatch.setenv("TRIAGE_LLM_MODEL", "fake-model")
        monkeypatch.setenv("TRIAGE_LLM_SHARE", "0")  # the daily build sends nothing to the LLM
        day = "2026-03-01"
        write_jsonl(
            platform.landing / "social" / "posts.jsonl",
            [
                review("u1", day, "the plane was there"),
                review("u2", day, "the crew lost track of time"),
                review("late", day, "Flight delayed 6 hours (trip 8-1)"),
            ],
        )
        platform.tick()
        assert not server.requests
        first = platform.table("silver", "annotations").set_index("review_key")
        unsure = sorted(first.index[first["confidence"] < 0.5])
        assert unsure and "social:late" not in unsure

        job = platform.defs.resolve_job_def("nightly_reprocess")
        assert job.execute_in_process(partition_key=day, instance=platform.instance).success
        assert server.requests  # all the unsure rows went to the LLM, whatever the daily share
        history = platform.table("silver", "annotations")
        for key in unsure:
            rows = history[history["review_key"] == key].sort_values("annotation_version")
            assert list(rows["annotation_version"]) == [1, 2] and list(rows["is_current"]) == [False, True]
            old, new = rows.iloc[0], rows.iloc[1]
            assert (old["stage"], old["model_version"], old["confidence"]) == (
                first.loc[key, "stage"],
                model,
                first.loc[key, "confidence"],
            )  # the first annotation, still queryable
            # the LLM picked its examples from the few-shot set weekly retraining stored with the model
            few_shot = ModelStore(platform.paths.models).manifest(model)["few_shot_version"]
            assert new["stage"] == "llm" and new["prompt_version"] == f"llm-batch-v1+{few_shot}"
            assert new["annotation_reason"] == "reprocess:low_confidence"
        assert list(history.loc[history["review_key"] == "social:late", "annotation_version"]) == [1]
        gold = platform.day_rows("gold", "reviews", day).set_index("review_key")
        assert set(gold.loc[unsure, "stage"]) == {"llm"} and set(gold.loc[unsure, "annotation_version"]) == {
            2
        }
        assert gold.loc["social:late", "stage"] != "llm"
