"""Routing table: alert, human review, labeling backlog or nothing."""

from __future__ import annotations

from typing import Any

import pytest

from triage_platform.lib.annotate import (
    ROUTES,
    Annotation,
    Taxonomy,
    parse_taxonomy,
    route_annotation,
    route_annotations,
)


def _annotation(
    issues: list[str], severity: str, confidence: float, needs_human: bool = False, **extra: Any
) -> Annotation:
    return Annotation(
        id="r",
        issue_types=issues,
        primary_issue=issues[0] if issues else "none",
        sentiment="negative",
        severity=severity,  # type: ignore[arg-type]
        language="en",
        confidence=confidence,
        needs_human=needs_human,
        stage="rules",
        model_version="rules-1",
        taxonomy_version="ecommerce-default@1",
        **extra,
    )


# default taxonomy: product_defect alerts at 0.8 / reviews at 0.5; safety_hazard 0.7 / 0.4
@pytest.mark.parametrize(
    ("issues", "severity", "confidence", "needs_human", "paused", "expected"),
    [
        ([], "none", 0.6, False, (), "none"),
        ([], "none", 0.95, False, (), "none"),
        ([], "none", 0.3, True, (), "labeling_backlog"),
        ([], "none", 0.5, True, (), "human_review"),
        (["product_defect"], "high", 0.9, False, (), "alert"),
        (["product_defect"], "critical", 0.8, False, (), "alert"),  # threshold is inclusive
        (["product_defect"], "high", 0.79, False, (), "human_review"),
        (["product_defect"], "medium", 0.99, False, (), "human_review"),  # medium never pages
        (["product_defect"], "high", 0.49, False, (), "labeling_backlog"),
        (["product_defect"], "high", 0.9, False, ("product_defect",), "human_review"),  # paused
        (["product_defect"], "high", 0.2, False, ("product_defect",), "human_review"),  # paused + severe
        (["product_defect"], "low", 0.2, False, ("product_defect",), "labeling_backlog"),
        (["product_defect"], "high", 0.9, False, ("shipping_delay",), "alert"),  # another category paused
        (["product_defect"], "high", 0.9, True, (), "alert"),  # needs_human: at least review
        (["product_defect"], "medium", 0.6, True, (), "human_review"),
        (["product_defect"], "medium", 0.3, True, (), "labeling_backlog"),
        (["safety_hazard", "product_defect"], "critical", 0.75, False, (), "alert"),  # safety alerts at 0.7
        (["safety_hazard"], "critical", 0.45, False, (), "human_review"),  # and reviews at 0.4
        (["pricing_concern"], "low", 0.9, False, (), "human_review"),
    ],
)
def test_routing_table(
    taxonomy: Taxonomy,
    issues: list[str],
    severity: str,
    confidence: float,
    needs_human: bool,
    paused: tuple[str, ...],
    expected: str,
) -> None:
    annotation = _annotation(issues, severity, confidence, needs_human)
    assert route_annotation(annotation, taxonomy, frozenset(paused)) == expected
    assert expected in ROUTES


def test_thresholds_come_from_the_primary_category() -> None:
    strict = parse_taxonomy(
        {
            "name": "t",
            "version": 1,
            "categories": [
                {"id": "strict", "owner": "o", "alert_threshold": 0.95, "review_threshold": 0.9},
                {"id": "lax", "owner": "o", "alert_threshold": 0.3, "review_threshold": 0.1},
            ],
        }
    )
    assert route_annotation(_annotation(["strict"], "high", 0.93), strict) == "human_review"
    assert route_annotation(_annotation(["strict"], "high", 0.5), strict) == "labeling_backlog"
    assert route_annotation(_annotation(["lax", "strict"], "high", 0.35), strict) == "alert"
    assert route_annotations([_annotation(["lax"], "high", 0.35), _annotation([], "none", 0.9)], strict) == [
        "alert",
        "none",
    ]


def test_primary_outside_the_taxonomy_is_an_error(taxonomy: Taxonomy) -> None:
    with pytest.raises(ValueError, match="late_flight"):
        route_annotation(_annotation(["late_flight"], "high", 0.9), taxonomy)
