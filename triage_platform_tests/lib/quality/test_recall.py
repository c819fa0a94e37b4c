from __future__ import annotations

import math

import pytest

from triage_platform.lib.annotate.routing import route_annotation
from triage_platform.lib.annotate.schema import Annotation
from triage_platform.lib.annotate.taxonomy import Taxonomy, parse_taxonomy
from triage_platform.lib.quality.recall import paused_categories, recall_floor_outcomes


@pytest.fixture(scope="module")
def small_taxonomy() -> Taxonomy:
    return parse_taxonomy(
        {
            "name": "test",
            "version": 1,
            "categories": [
                {"id": "shipping_delay", "owner": "logistics", "recall_floor": 0.8},
                {
                    "id": "product_safety",
                    "owner": "safety",
                    "recall_floor": 0.95,
                    "default_severity": "critical",
                },
                {"id": "billing", "owner": "finance"},  # default floor 0.70
            ],
        }
    )


def test_categories_below_their_floor_fail(small_taxonomy: Taxonomy) -> None:
    outcomes = recall_floor_outcomes(
        {"shipping_delay": 0.85, "product_safety": 0.90, "billing": 0.70},
        {"shipping_delay": 40, "product_safety": 12, "billing": 30},
        small_taxonomy,
    )
    assert list(outcomes) == ["shipping_delay", "product_safety", "billing"]
    assert outcomes["shipping_delay"].passed
    assert outcomes["billing"].passed  # exactly at the floor
    safety = outcomes["product_safety"]
    assert not safety.passed and safety.severity == "ERROR"
    assert safety.metadata == {
        "category": "product_safety",
        "recall_floor": 0.95,
        "support": 12,
        "min_support": 5,
        "recall": 0.9,
        "margin": -0.05,
        "enough_support": True,
        "alerts_paused": True,
    }
    assert "below its floor 0.95" in safety.description
    assert paused_categories(outcomes) == frozenset({"product_safety"})


def test_thin_or_unmeasured_categories_pass_with_a_note(small_taxonomy: Taxonomy) -> None:
    outcomes = recall_floor_outcomes(
        {"shipping_delay": 0.1, "product_safety": math.nan, "ghost_category": 0.0},
        {"shipping_delay": 3, "product_safety": 50, "ghost_category": 99},
        small_taxonomy,
        min_support=5,
    )
    assert set(outcomes) == {"shipping_delay", "product_safety", "billing"}  # ghost_category ignored
    for outcome in outcomes.values():
        assert outcome.passed
        assert outcome.metadata["enough_support"] is False
        assert "too little support" in outcome.description
    assert outcomes["shipping_delay"].metadata["recall"] == 0.1
    assert "recall" not in outcomes["billing"].metadata
    assert outcomes["billing"].metadata["support"] == 0
    assert paused_categories(outcomes) == frozenset()


def test_min_support_is_configurable(small_taxonomy: Taxonomy) -> None:
    outcomes = recall_floor_outcomes(
        {"shipping_delay": 0.5}, {"shipping_delay": 3}, small_taxonomy, min_support=3
    )
    assert not outcomes["shipping_delay"].passed


def test_default_taxonomy_floors(taxonomy: Taxonomy) -> None:
    recall = {c.id: c.recall_floor - 0.01 for c in taxonomy.categories}
    support = dict.fromkeys(taxonomy.ids, 100)
    assert paused_categories(recall_floor_outcomes(recall, support, taxonomy)) == frozenset(taxonomy.ids)


def test_paused_categories_feed_routing(small_taxonomy: Taxonomy) -> None:
    outcomes = recall_floor_outcomes({"product_safety": 0.5}, {"product_safety": 20}, small_taxonomy)
    annotation = Annotation(
        id="r1",
        issue_types=["product_safety"],
        primary_issue="product_safety",
        sentiment="negative",
        severity="critical",
        language="en",
        confidence=0.99,
        stage="rules",
        model_version="m",
        taxonomy_version=small_taxonomy.fingerprint,
    )
    assert route_annotation(annotation, small_taxonomy) == "alert"
    assert route_annotation(annotation, small_taxonomy, paused_categories(outcomes)) == "human_review"
