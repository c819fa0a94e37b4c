"""The taxonomy file: the packaged default follows the labeling guide; user files load with defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_platform.lib.annotate import (
    Taxonomy,
    TaxonomyError,
    default_taxonomy_path,
    load_taxonomy,
    parse_taxonomy,
    taxonomy_fingerprint,
)

GUIDE_OWNERS = {
    "product_defect": "product",
    "not_as_described": "merchandising",
    "sizing_fit": "merchandising",
    "shipping_delay": "logistics",
    "packaging_damage": "logistics",
    "missing_parts": "fulfillment",
    "wrong_item": "fulfillment",
    "pricing_concern": "marketing",
    "ease_of_use": "product",
    "refund_request": "support",
    "customer_service": "support",
    "fraud_suspicion": "trust-and-safety",
    "safety_hazard": "product-safety",
}

MINIMAL = """\
name: airline-complaints
version: 1
categories:
  - id: late_flight
    owner: operations
    description: The flight left or arrived late.
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_taxonomy_has_the_guide_categories_in_order_with_owners(taxonomy: Taxonomy) -> None:
    assert taxonomy.name == "ecommerce-default"
    assert taxonomy.version == "1"
    assert list(taxonomy.ids) == list(GUIDE_OWNERS)
    assert {c: taxonomy.owner_of(c) for c in taxonomy.ids} == GUIDE_OWNERS
    assert taxonomy_fingerprint(taxonomy) == "ecommerce-default@1" == taxonomy.fingerprint


def test_default_taxonomy_severities_floors_and_channels(taxonomy: Taxonomy) -> None:
    assert taxonomy.category("safety_hazard").default_severity == "critical"
    assert taxonomy.category("product_defect").default_severity == "high"
    assert taxonomy.category("fraud_suspicion").default_severity == "high"
    assert taxonomy.category("shipping_delay").default_severity == "medium"
    assert taxonomy.category("pricing_concern").default_severity == "low"
    floors = {c.id: c.recall_floor for c in taxonomy.categories}
    assert floors.pop("safety_hazard") == floors.pop("fraud_suspicion") == 0.90
    assert set(floors.values()) == {0.70}
    assert set(taxonomy.severity_rubric or {}) == {"none", "low", "medium", "high", "critical"}
    for category in taxonomy.categories:
        assert category.description, category.id
        assert category.review_threshold <= category.alert_threshold
        assert (taxonomy.channel_of(category.id) or "").startswith("#"), category.id
    assert taxonomy.category("sizing_fit").not_ == ""
    assert "sizing_fit" in taxonomy.category("not_as_described").not_


def test_default_path_is_packaged_and_load_without_argument_uses_it() -> None:
    path = default_taxonomy_path()
    assert path.name == "default.yaml" and path.is_file()
    assert load_taxonomy(path) == load_taxonomy()


def test_minimal_user_file_loads_with_defaults(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(_write(tmp_path, MINIMAL))
    assert taxonomy.version == "1"  # int in YAML, string in the model
    assert taxonomy.ids == ("late_flight",)
    late = taxonomy.category("late_flight")
    assert late.owner == "operations"
    assert late.description == "The flight left or arrived late."
    assert (late.default_severity, late.recall_floor, late.alert_threshold, late.review_threshold) == (
        "medium",
        0.70,
        0.8,
        0.5,
    )
    assert late.not_ == "" and late.keywords == () and late.slack_channel is None
    assert taxonomy.severity_rubric is None and taxonomy.owners is None
    assert taxonomy.channel_of("late_flight") is None
    assert taxonomy_fingerprint(taxonomy) == "airline-complaints@1"
    assert load_taxonomy(str(_write(tmp_path, MINIMAL))) == taxonomy  # str paths too


def test_keywords_and_float_version_and_owner_channels(tmp_path: Path) -> None:
    text = """\
name: airline
version: 2.1
owners: {ops: "#ops"}
categories:
  - id: lost_bag
    owner: ops
    keywords: [lost my bag, mala extraviada]
"""
    taxonomy = load_taxonomy(_write(tmp_path, text))
    assert taxonomy.version == "2.1"
    assert taxonomy.category("lost_bag").keywords == ("lost my bag", "mala extraviada")
    assert taxonomy.channel_of("lost_bag") == "#ops"


def test_owner_of_none_and_unknown_category(taxonomy: Taxonomy) -> None:
    assert taxonomy.owner_of("none") is None
    assert not taxonomy.has("late_flight")
    with pytest.raises(KeyError, match="late_flight"):
        taxonomy.category("late_flight")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nversion: 1\ncategories:\n  - id: a\n    owner: o\n  - id: a\n    owner: p\n", "duplicate"),
        ("name: x\nversion: 1\ncategories:\n  - id: Late-Flight\n    owner: o\n", "snake_case"),
        ("name: x\nversion: 1\ncategories:\n  - id: none\n    owner: o\n", "reserved"),
        ("name: x\nversion: 1\ncategories:\n  - id: late\n", "owner"),
        ("name: x\nversion: 1\ncategories: []\n", "categories"),
        ("name: x\ncategories:\n  - id: late\n    owner: o\n", "version"),
        (
            "name: x\nversion: 1\ncategories:\n  - id: a\n    owner: o\n    default_severity: urgent\n",
            "severity",
        ),
        (
            "name: x\nversion: 1\ncategories:\n  - id: a\n    owner: o\n    recall_floor: 1.5\n",
            "recall_floor",
        ),
        (
            "name: x\nversion: 1\ncategories:\n  - id: a\n    owner: o\n    alert_threshold: 0.4\n",
            "review_threshold",
        ),
        ("name: x\nversion: 1\ncategories:\n  - id: a\n    owner: o\n    colour: red\n", "colour"),
        ("- just\n- a list\n", "mapping"),
        ("name: [unclosed\n", "YAML"),
    ],
)
def test_invalid_files_fail_clearly(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(TaxonomyError, match=message) as caught:
        load_taxonomy(path)
    assert str(path) in str(caught.value)  # the error names the file
    assert isinstance(caught.value, ValueError)


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.yaml"):
        load_taxonomy(tmp_path / "nope.yaml")


def test_parse_taxonomy_from_mapping() -> None:
    taxonomy = parse_taxonomy({"name": "t", "version": 3, "categories": [{"id": "a_b", "owner": "o"}]})
    assert taxonomy.ids == ("a_b",) and taxonomy.version == "3"


AIRLINE_EXAMPLE = Path(__file__).resolve().parents[3] / "docs/examples/airline-taxonomy.yaml"


def test_airline_example_taxonomy_loads_and_its_keywords_drive_the_rules() -> None:
    """The documented bring-your-own example (used by benchmarks/quality.py) stays a valid taxonomy whose
    keywords name its reasons, including the rare ones the model learns least from."""
    from triage_platform.lib.annotate import RulesAnnotator
    from triage_platform.lib.annotate.schema import AnnotationInput

    taxonomy = load_taxonomy(AIRLINE_EXAMPLE)
    assert len(taxonomy.ids) == 10 and "cant_tell" in taxonomy.ids
    assert all(c.keywords for c in taxonomy.categories if c.id != "cant_tell")
    rules = RulesAnnotator(taxonomy)
    cases = {
        "my suitcase came off the carousel with a broken wheel": "damaged_luggage",
        "45 minutes in the check in line at the ticket counter": "longlines",
        "the flight was cancelled and nobody rebooked us": "cancelled_flight",
    }
    for i, (text, expected) in enumerate(cases.items()):
        [annotation] = rules.annotate([AnnotationInput(id=str(i), text=text)])
        assert expected in annotation.issue_types, (text, annotation.issue_types)
