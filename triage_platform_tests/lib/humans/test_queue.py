"""The review queue, the scored labeling backlog, and human labels applied to gold rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd

from triage_platform.lib.humans.queue import (
    apply_labels,
    build_labeling_backlog,
    build_review_queue,
    emerging_clusters,
    language_rarity,
)
from triage_platform_tests.humans_lake import gold_frame


def _labels(rows: list[dict]) -> pd.DataFrame:
    base = {
        "text": "",
        "title": None,
        "source": "web",
        "taxonomy_version": "t@1",
        "before_json": "{}",
        "after_json": "{}",
    }
    return pd.DataFrame([{**base, **row} for row in rows])


def test_review_queue_holds_unlabeled_human_review_items_most_severe_then_most_confident() -> None:
    gold = gold_frame()
    queue = build_review_queue(gold)
    assert list(queue["review_key"]) == ["r-q1", "r-q2", "r-q4", "r-q3"]  # medium 0.62, 0.58, 0.51, then low
    assert list(queue["position"]) == [1, 2, 3, 4]
    labeled = _labels(
        [
            {
                "label_id": "l1",
                "review_key": "r-q2",
                "language": "en",
                "issue_types": [],
                "primary_issue": "none",
                "severity": "none",
                "sentiment": "neutral",
                "annotator": "x",
                "labeled_at": datetime.now(UTC),
            }
        ]
    )
    assert "r-q2" not in set(build_review_queue(gold, labeled)["review_key"])


def test_backlog_priority_is_explained_and_ranks_the_informative_item_first() -> None:
    gold = gold_frame()
    backlog = build_labeling_backlog(gold, None, valuable=frozenset({"SKU-1004"}))
    assert list(backlog["review_key"]) == ["r-b2", "r-b1"]
    top = backlog.iloc[0]
    signals = json.loads(top["signals_json"])
    # r-b2: confidence 0.30, rated 1 star but annotated positive, a high-value SKU, Portuguese never labeled
    assert signals == {
        "low_confidence": 0.7,
        "disagreement": 1.0,
        "high_value_sku": 1.0,
        "emerging_cluster": 0.0,
        "rare_language": 1.0,
    }
    assert top["priority"] == round(0.35 * 0.7 + 0.2 + 0.15 + 0.15, 4)
    assert (
        top["priority_reasons"].startswith("low_confidence=0.70")
        and "high_value_sku=1.00" in top["priority_reasons"]
    )
    assert "emerging_cluster" not in top["priority_reasons"]


def test_rare_language_and_emerging_cluster_signals() -> None:
    gold = gold_frame()
    english_labels = _labels(
        [
            {
                "label_id": f"l{i}",
                "review_key": f"x{i}",
                "language": "en",
                "issue_types": [],
                "primary_issue": "none",
                "severity": "none",
                "sentiment": "neutral",
                "annotator": "x",
                "labeled_at": datetime.now(UTC),
            }
            for i in range(3)
        ]
    )
    rarity = language_rarity(gold, english_labels)
    assert rarity["pt"] == 1.0 and rarity["en"] == 0.0
    older = gold.assign(day=pd.Timestamp("2026-02-20").date(), review_key=gold["review_key"] + "-old")
    recent = pd.concat([gold] * 2).assign(review_key=lambda f: f["review_key"] + f.index.astype(str))
    clusters = emerging_clusters(pd.concat([older.iloc[:1], recent]))
    assert ("apparel_tops", "packaging_damage") in clusters


def test_apply_labels_overrides_fields_and_flags_human_override() -> None:
    gold = gold_frame()
    labels = _labels(
        [
            {
                "label_id": "a",
                "review_key": "r-q3",
                "language": "en",
                "issue_types": ["sizing_fit"],
                "primary_issue": "sizing_fit",
                "severity": "low",
                "sentiment": "negative",
                "annotator": "x",
                "labeled_at": datetime(2026, 3, 3, tzinfo=UTC),
            },
            {
                "label_id": "b",
                "review_key": "r-q3",
                "language": "en",
                "issue_types": ["not_as_described", "sizing_fit"],
                "primary_issue": "not_as_described",
                "severity": "high",
                "sentiment": "negative",
                "annotator": "y",
                "labeled_at": datetime(2026, 3, 4, tzinfo=UTC),
            },
        ]
    )
    out = apply_labels(gold, labels).set_index("review_key")
    assert out.loc["r-q3", "primary_issue"] == "not_as_described" and out.loc["r-q3", "severity"] == "high"
    assert list(out.loc["r-q3", "issue_types"]) == ["not_as_described", "sizing_fit"]
    assert out.loc["r-q3", "human_override"] and out.loc["r-q3", "status"] == "human_labeled"
    assert not out.drop(index="r-q3")["human_override"].any()


def test_critical_and_safety_items_need_two_different_annotators_and_agreement_is_measured() -> None:
    from triage_platform.lib.annotate.taxonomy import load_taxonomy
    from triage_platform.lib.humans.queue import label_agreement, second_opinion_categories

    second = second_opinion_categories(load_taxonomy(None))
    assert {"safety_hazard"} <= second and "shipping_delay" not in second
    gold = gold_frame()
    gold.loc[gold["review_key"] == "r-q2", "severity"] = "critical"

    def label(key: str, who: str, severity: str, hour: int) -> dict:
        return {
            "label_id": f"{key}-{who}-{hour}",
            "review_key": key,
            "language": "en",
            "issue_types": ["shipping_delay"],
            "primary_issue": "shipping_delay",
            "severity": severity,
            "sentiment": "negative",
            "annotator": who,
            "labeled_at": datetime(2026, 3, 3, hour, tzinfo=UTC),
        }

    once = _labels([label("r-q2", "leo", "critical", 1), label("r-q1", "leo", "medium", 1)])
    queue = build_review_queue(gold, once, second).set_index("review_key")
    assert "r-q1" not in queue.index  # one label is enough for a medium item
    assert queue.loc["r-q2", "labels_so_far"] == 1 and queue.loc["r-q2", "labels_required"] == 2
    again = _labels([label("r-q2", "leo", "critical", 1), label("r-q2", "leo", "high", 2)])
    assert "r-q2" in set(build_review_queue(gold, again, second)["review_key"])  # the same person twice
    twice = _labels([label("r-q2", "leo", "critical", 1), label("r-q2", "ana", "high", 2)])
    assert "r-q2" not in set(build_review_queue(gold, twice, second)["review_key"])
    assert label_agreement(twice) == {"multi_labeled": 1, "agreeing": 0, "agreement_rate": 0.0}
    agree = _labels(
        [label("r-q2", "leo", "high", 1), label("r-q2", "ana", "high", 2), label("r-q1", "leo", "low", 1)]
    )
    assert label_agreement(agree) == {"multi_labeled": 1, "agreeing": 1, "agreement_rate": 1.0}


def test_a_reopened_item_needs_labels_made_after_its_reopening() -> None:
    gold = gold_frame()
    labels = _labels(
        [
            {
                "label_id": "l1",
                "review_key": "r-q3",
                "language": "en",
                "issue_types": ["sizing_fit"],
                "primary_issue": "sizing_fit",
                "severity": "low",
                "sentiment": "negative",
                "annotator": "leo",
                "labeled_at": datetime(2026, 3, 3, 9, tzinfo=UTC),
            }
        ]
    )
    assert "r-q3" not in set(build_review_queue(gold, labels)["review_key"])
    reopened = {"r-q3": pd.Timestamp("2026-03-03T10:00:00Z")}
    assert "r-q3" in set(build_review_queue(gold, labels, reopened=reopened)["review_key"])
    later = pd.concat([labels, labels.assign(label_id="l2", labeled_at=datetime(2026, 3, 3, 11, tzinfo=UTC))])
    assert "r-q3" not in set(build_review_queue(gold, later, reopened=reopened)["review_key"])
