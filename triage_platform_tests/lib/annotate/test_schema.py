"""The annotation contract: invariants of the labeling guide, taxonomy checks and the JSON schema."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from triage_platform.lib.annotate import (
    Annotation,
    AnnotationInput,
    Taxonomy,
    annotation_json_schema,
    parse_taxonomy,
    validate_against_taxonomy,
)


def _annotation(**overrides: Any) -> Annotation:
    fields: dict[str, Any] = {
        "id": "r1",
        "issue_types": ["shipping_delay", "packaging_damage"],
        "primary_issue": "packaging_damage",
        "sentiment": "negative",
        "severity": "high",
        "language": "en",
        "confidence": 0.9,
        "category_confidence": {"shipping_delay": 0.9, "packaging_damage": 0.9},
        "owner": "logistics",
        "rationale": 'matched "arrived crushed"',
        "needs_human": False,
        "stage": "rules",
        "model_version": "rules-1",
        "taxonomy_version": "ecommerce-default@1",
    }
    fields.update(overrides)
    return Annotation(**fields)


def test_input_defaults() -> None:
    item = AnnotationInput(id="a", text="late again")
    assert (item.title, item.rating, item.source, item.product, item.language) == (None,) * 5


def test_valid_annotation_and_no_issue_annotation() -> None:
    assert _annotation().primary_issue == "packaging_damage"
    empty = _annotation(issue_types=[], primary_issue="none", severity="none", category_confidence={})
    assert empty.prompt_version is None and empty.issue_types == []
    assert Annotation.model_validate_json(empty.model_dump_json()) == empty


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"primary_issue": "wrong_item"}, "primary_issue"),
        ({"primary_issue": "none"}, "primary_issue"),
        ({"severity": "none"}, "severity"),
        ({"issue_types": [], "primary_issue": "none", "severity": "low"}, "severity"),
        ({"issue_types": [], "primary_issue": "shipping_delay", "severity": "none"}, "primary_issue"),
        (
            {"issue_types": ["shipping_delay", "shipping_delay"], "primary_issue": "shipping_delay"},
            "duplicates",
        ),
        ({"issue_types": ["none"], "primary_issue": "none"}, "none"),
        ({"confidence": 1.2}, "confidence"),
        ({"confidence": -0.1}, "confidence"),
        ({"category_confidence": {"shipping_delay": 2.0}}, r"\[0, 1\]"),
        ({"sentiment": "angry"}, "sentiment"),
        ({"severity": "urgent"}, "severity"),
        ({"stage": "oracle"}, "stage"),
        ({"language": ""}, "language"),
    ],
)
def test_invalid_combinations_are_rejected(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _annotation(**overrides)


def test_validate_against_taxonomy(taxonomy: Taxonomy) -> None:
    annotation = _annotation()
    assert validate_against_taxonomy(annotation, taxonomy) is annotation
    airline = parse_taxonomy(
        {"name": "air", "version": 1, "categories": [{"id": "late_flight", "owner": "o"}]}
    )
    with pytest.raises(ValueError, match=r"outside taxonomy air@1.*packaging_damage.*shipping_delay"):
        validate_against_taxonomy(annotation, airline)
    sneaky = _annotation(category_confidence={"late_flight": 0.2, "shipping_delay": 0.9})
    with pytest.raises(ValueError, match="late_flight"):
        validate_against_taxonomy(sneaky, taxonomy)


def test_json_schema_enums_follow_the_taxonomy(taxonomy: Taxonomy) -> None:
    schema = annotation_json_schema(taxonomy)
    ids = list(taxonomy.ids)
    props = schema["properties"]
    assert props["issue_types"]["items"]["enum"] == ids
    assert props["primary_issue"]["enum"] == [*ids, "none"]
    assert props["category_confidence"]["propertyNames"]["enum"] == ids
    assert set(props["severity"]["enum"]) == {"none", "low", "medium", "high", "critical"}
    assert "ecommerce-default@1" in schema["description"]

    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(_annotation().model_dump(mode="json"), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_annotation().model_dump(mode="json") | {"primary_issue": "late_flight"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_annotation().model_dump(mode="json") | {"issue_types": ["late_flight"]}, schema)


def test_json_schema_for_a_custom_taxonomy_does_not_touch_the_model(taxonomy: Taxonomy) -> None:
    airline = parse_taxonomy(
        {"name": "air", "version": 1, "categories": [{"id": "late_flight", "owner": "o"}]}
    )
    schema = annotation_json_schema(airline)
    assert schema["properties"]["primary_issue"]["enum"] == ["late_flight", "none"]
    # the base model schema is not mutated between calls
    assert annotation_json_schema(taxonomy)["properties"]["primary_issue"]["enum"][-1] == "none"
    assert "enum" not in Annotation.model_json_schema()["properties"]["primary_issue"]
