from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from triage_platform.lib.quality.contracts import (
    CONTRACTS,
    CheckOutcome,
    check_contract,
    check_schema,
    types_compatible,
)
from triage_platform.lib.transform.annotations import ANNOTATION_SCHEMA
from triage_platform.lib.transform.gold import ISSUE_DAILY_SCHEMA
from triage_platform_tests.lib.quality.conftest import annotation_frame, gold_frame, silver_frame

SMALL = pa.schema(
    [
        ("day", pa.date32()),
        ("key", pa.string()),
        ("rating", pa.float64()),
        ("count", pa.int64()),
        ("at", pa.timestamp("us", tz="UTC")),
        ("tags", pa.list_(pa.string())),
        ("flag", pa.bool_()),
    ]
)


def small_frame(**overrides: object) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "day": [date(2024, 1, 1)] * 3,
            "key": ["a", "b", "c"],
            "rating": [1.0, None, 5.0],
            "count": [1, 2, 3],
            "at": pd.to_datetime(["2024-01-01T10:00:00Z"] * 3),  # ns unit, UTC
            "tags": [["x"], [], None],
            "flag": [True, False, True],
        }
    )
    for column, values in overrides.items():
        frame[column] = values
    return frame


def test_check_outcome_coerces_metadata_and_validates_severity() -> None:
    outcome = CheckOutcome(
        True, "WARN", "d", {"a": np.int64(3), "b": np.float32(0.5), "c": np.bool_(True), "d": None}
    )
    assert outcome.metadata == {"a": 3, "b": 0.5, "c": True, "d": "none"}
    assert [type(v) for v in outcome.metadata.values()] == [int, float, bool, str]
    with pytest.raises(ValueError, match="severity"):
        CheckOutcome(True, "INFO", "d")  # type: ignore[arg-type]


def test_matching_frame_passes_with_pandas_dtypes() -> None:
    outcome = check_schema(small_frame(), SMALL, required_non_null=["day", "key"])
    assert outcome.passed, outcome.description
    assert outcome.severity == "ERROR"
    assert outcome.metadata["rows"] == 3
    assert outcome.metadata["nulls[key]"] == 0
    assert outcome.metadata["type_mismatches"] == ""


@pytest.mark.parametrize(
    "column,values",
    [
        ("key", pd.array(["a", None, "c"], dtype="string")),  # StringDtype
        ("key", pd.Categorical(["a", "b", "a"])),
        ("count", np.array([1, 2, 3], dtype="int32")),  # narrower int
        ("rating", [1, 2, 3]),  # ints where floats are expected
        ("rating", [None, None, None]),  # all null: nothing to contradict
        ("tags", [[], [], []]),  # list<null>
        ("tags", [np.array(["x"]), np.array([], dtype=object), None]),  # what arrow's to_pandas gives
    ],
)
def test_compatible_representations_pass(column: str, values: object) -> None:
    outcome = check_schema(small_frame(**{column: values}), SMALL, required_non_null=[])
    assert outcome.passed, outcome.description


def test_missing_unexpected_mismatched_and_null_columns_are_all_reported() -> None:
    frame = small_frame(
        key=["a", None, None],
        rating=["1", "2", "3"],
        at=pd.to_datetime(["2024-01-01T10:00:00"] * 3),  # tz-naive
        extra=[1, 2, 3],
    ).drop(columns=["flag"])
    outcome = check_schema(frame, SMALL, required_non_null=["key", "flag"])
    assert not outcome.passed
    md = outcome.metadata
    assert md["missing_columns"] == "flag"
    assert md["unexpected_columns"] == "extra"
    assert md["type_mismatches_count"] == 2
    assert "rating: expected double, got string" in md["type_mismatches"]
    assert "at: expected timestamp[us, tz=UTC], got timestamp[ns]" in md["type_mismatches"]
    assert md["nulls[key]"] == 2
    assert "nulls[flag]" not in md  # missing, not null
    assert md["null_violations"] == "key: 2"
    for word in ("missing", "unexpected", "type mismatch", "nulls in required"):
        assert word in outcome.description


def test_extra_columns_can_be_allowed() -> None:
    outcome = check_schema(small_frame(extra=[1, 2, 3]), SMALL, required_non_null=[], allow_extra=True)
    assert outcome.passed
    assert outcome.metadata["unexpected_columns"] == "extra"
    assert "extra column" in outcome.description


def test_mixed_object_column_and_day_as_timestamp_are_mismatches() -> None:
    frame = small_frame(key=["a", 1, "c"], day=pd.to_datetime(["2024-01-01"] * 3))
    outcome = check_schema(frame, SMALL, required_non_null=[])
    assert not outcome.passed
    mismatches = outcome.metadata["type_mismatches"]
    assert "key: expected string, got mixed values (int/str)" in mismatches
    assert "day: expected date32[day], got timestamp[ns]" in mismatches


def test_arrow_table_input_uses_schema_and_null_counts() -> None:
    table = pa.table(
        {
            "day": [date(2024, 1, 1), None],
            "key": pa.array(["a", "b"], pa.large_string()),
            "rating": [1.0, 2.0],
        }
    )
    outcome = check_schema(table, SMALL, required_non_null=["day"], allow_extra=False)
    assert not outcome.passed
    assert outcome.metadata["nulls[day]"] == 1
    assert outcome.metadata["missing_columns"] == "count, at, tags, flag"
    assert outcome.metadata["type_mismatches"] == ""


def test_non_nullable_schema_fields_are_required() -> None:
    schema = pa.schema([pa.field("key", pa.string(), nullable=False)])
    outcome = check_schema(pd.DataFrame({"key": ["a", None]}), schema, required_non_null=[])
    assert not outcome.passed and outcome.metadata["nulls[key]"] == 1


def test_required_column_must_be_in_schema() -> None:
    with pytest.raises(ValueError, match="nope"):
        check_schema(small_frame(), SMALL, required_non_null=["nope"])


def test_types_compatible_rules() -> None:
    assert types_compatible(pa.timestamp("ns", tz="Etc/UTC"), pa.timestamp("us", tz="UTC"))
    assert not types_compatible(pa.timestamp("us", tz="Europe/Lisbon"), pa.timestamp("us", tz="UTC"))
    assert not types_compatible(pa.int64(), pa.int32())
    assert types_compatible(pa.large_list(pa.large_string()), pa.list_(pa.string()))
    assert not types_compatible(pa.list_(pa.int64()), pa.list_(pa.string()))
    assert not types_compatible(pa.string(), pa.list_(pa.string()))


def test_contracts_cover_every_table_and_their_required_columns_exist() -> None:
    assert set(CONTRACTS) == {
        "bronze/reviews",
        "silver/reviews",
        "silver/annotations",
        "gold/reviews",
        "gold/issue_daily",
    }
    assert CONTRACTS["silver/annotations"].schema is ANNOTATION_SCHEMA
    assert CONTRACTS["gold/issue_daily"].required_non_null == tuple(ISSUE_DAILY_SCHEMA.names)
    for contract in CONTRACTS.values():
        schema, required = contract  # a (schema, required columns) tuple
        assert set(required) <= set(schema.names)


@pytest.mark.parametrize("table", sorted(CONTRACTS))
def test_empty_frames_written_by_the_transforms_pass(table: str) -> None:
    empty = CONTRACTS[table].schema.empty_table().to_pandas()
    assert check_contract(empty, table).passed


def test_hand_made_layer_frames_pass_their_contracts(taxonomy) -> None:
    assert check_contract(silver_frame(20), "silver/reviews").passed
    assert check_contract(annotation_frame(20, taxonomy), "silver/annotations").passed
    assert check_contract(gold_frame(20, taxonomy), "gold/reviews").passed


def test_gold_review_without_annotation_fails_the_contract(taxonomy) -> None:
    gold = gold_frame(6, taxonomy)
    gold.loc[2, ["primary_issue", "severity", "annotated_at"]] = None
    outcome = check_contract(gold, "gold/reviews")
    assert not outcome.passed
    assert outcome.metadata["nulls[primary_issue]"] == 1
    assert outcome.metadata["nulls[annotated_at]"] == 1


def test_unknown_table() -> None:
    with pytest.raises(KeyError, match="known"):
        check_contract(pd.DataFrame(), "gold/nope")
