"""Schema contracts: does a table carry the columns, types and non-null keys the next layer relies on?

`CheckOutcome` is the result of every check in `triage_platform.lib.quality`; it maps one to one onto a
Dagster `AssetCheckResult(passed=..., severity=AssetCheckSeverity[outcome.severity],
description=..., metadata=...)`. The wiring lives with the assets; everything here is plain Python.

`check_schema` compares a pandas frame (or an arrow table) with the pyarrow schema the writer uses.
Types are compared by what the column *would be written as*, not by pandas dtype:

- string, large_string and string_view are one family; a pandas `object` column of `str` or a
  `string[python|pyarrow]` column is a string column; a categorical of strings is a string column;
- any integer type fits an integer or a float column of the contract (widening, as arrow's safe cast);
  float16/32/64 fit a float column;
- timestamps match whatever their unit (pandas keeps `ns`, the contract says `us`), but time zones must
  agree: a tz-naive column where the contract says UTC is a mismatch (UTC, Etc/UTC, Z and +00:00 are
  the same zone);
- date32 and date64 are one family; a datetime64 column where the contract says `date` is a mismatch
  (the partition column must stay a date, see the dagster-deltalake pitfall in the README);
- list, large_list and list_view match when their value types match (recursively);
- a column whose values are all null (or an empty frame's `object` column) infers arrow `null` and fits
  any type; a `list<null>` (only empty lists) fits any list type: there is nothing to contradict.

Columns of the frame that the contract does not name fail the check by default (a Delta write with the
contract schema would reject them); pass `allow_extra=True` to only report them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from triage_platform.lib.transform.annotations import ANNOTATION_SCHEMA
from triage_platform.lib.transform.bronze import BRONZE_SCHEMA
from triage_platform.lib.transform.gold import GOLD_REVIEWS_SCHEMA, ISSUE_DAILY_SCHEMA
from triage_platform.lib.transform.silver import SILVER_SCHEMA

Severity = Literal["ERROR", "WARN"]
"""Dagster `AssetCheckSeverity` names: ERROR for broken contracts, WARN for signals worth a look."""

MetadataValue = float | int | str | bool

_MAX_LISTED = 12
"""At most this many names are spelled out in one metadata string; the rest become `(+N more)`."""


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one check: whether it passed, how bad a failure is, what was seen.

    `severity` is the severity the check carries (Dagster records it whether or not the check passed and
    acts on it only when it failed). Metadata values are plain `float | int | str | bool`: numpy scalars
    are converted to Python ones, None becomes the string `"none"` and anything else its `str`.
    """

    passed: bool
    severity: Severity
    description: str
    metadata: dict[str, MetadataValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in ("ERROR", "WARN"):
            raise ValueError(f"severity must be 'ERROR' or 'WARN', not {self.severity!r}")
        object.__setattr__(self, "passed", bool(self.passed))
        object.__setattr__(self, "metadata", {str(k): plain_value(v) for k, v in self.metadata.items()})


def plain_value(value: Any) -> MetadataValue:
    """A metadata value Dagster can store: bool, int, float or str (numpy scalars unwrapped)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    if isinstance(value, str):
        return value
    if value is None:
        return "none"
    return str(value)


def join_names(names: Sequence[str], limit: int = _MAX_LISTED) -> str:
    """`a, b, c`, or `a, b (+3 more)` past `limit`; the empty string for no names."""
    shown = ", ".join(names[:limit])
    return shown + (f" (+{len(names) - limit} more)" if len(names) > limit else "")


class Contract(NamedTuple):
    """What a table must look like: its arrow schema and the columns that may never be null."""

    schema: pa.Schema
    required_non_null: tuple[str, ...]


CONTRACTS: dict[str, Contract] = {
    "bronze/reviews": Contract(
        BRONZE_SCHEMA,
        (
            "day",
            "source",
            "source_review_id",
            "submitted_at",
            "text",
            "payload",
            "payload_sha256",
            "file_path",
            "file_sha256",
            "file_line",
            "file_landed_at",
            "ingested_at",
            "run_id",
            "is_retry",
        ),
    ),
    "silver/reviews": Contract(
        SILVER_SCHEMA,
        (
            "day",
            "review_key",
            "source",
            "source_review_id",
            "submitted_at",
            "text",
            "text_redacted",
            "pii_types",
            "product_family",
            "language",
            "language_confidence",
            "duplicate_count",
            "duplicate_sources",
            "duplicate_keys",
            "content_hash",
            "file_landed_at",
            "ingested_at",
            "processed_at",
        ),
    ),
    "silver/annotations": Contract(
        ANNOTATION_SCHEMA,
        (
            "day",
            "review_key",
            "issue_types",
            "primary_issue",
            "sentiment",
            "severity",
            "language",
            "confidence",
            "category_confidence",
            "needs_human",
            "stage",
            "model_version",
            "taxonomy_version",
            "annotated_at",
            "annotation_version",
            "is_current",
        ),
    ),
    # gold/reviews is a left join of silver to annotations: a review without an annotation shows up as
    # nulls in the annotation columns, which is exactly what this contract catches.
    "gold/reviews": Contract(
        GOLD_REVIEWS_SCHEMA,
        (
            "day",
            "review_key",
            "source",
            "source_review_id",
            "submitted_at",
            "text_redacted",
            "product_family",
            "language",
            "duplicate_count",
            "file_landed_at",
            "ingested_at",
            "issue_types",
            "primary_issue",
            "sentiment",
            "severity",
            "confidence",
            "stage",
            "taxonomy_version",
            "annotated_at",
            "route",
            "status",
            "human_override",
        ),
    ),
    "gold/issue_daily": Contract(ISSUE_DAILY_SCHEMA, tuple(ISSUE_DAILY_SCHEMA.names)),
}
"""Table name (the asset key path) -> its contract, schemas taken from the transform modules."""


_UTC_NAMES = frozenset({"utc", "etc/utc", "z", "+00:00", "utc+00:00", "gmt", "etc/gmt"})


def _is_string(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _is_list(t: pa.DataType) -> bool:
    return (
        pa.types.is_list(t)
        or pa.types.is_large_list(t)
        or pa.types.is_fixed_size_list(t)
        or pa.types.is_list_view(t)
        or pa.types.is_large_list_view(t)
    )


def _same_zone(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b or (a.lower() in _UTC_NAMES and b.lower() in _UTC_NAMES)


def types_compatible(actual: pa.DataType, expected: pa.DataType) -> bool:
    """Whether a column of arrow type `actual` can be written where the contract says `expected`."""
    if actual == expected or pa.types.is_null(actual):
        return True
    if pa.types.is_dictionary(actual):
        return types_compatible(actual.value_type, expected)
    if _is_string(expected):
        return _is_string(actual)
    if pa.types.is_integer(expected):
        return pa.types.is_integer(actual) and actual.bit_width <= expected.bit_width
    if pa.types.is_floating(expected):
        return pa.types.is_floating(actual) or pa.types.is_integer(actual)
    if pa.types.is_boolean(expected):
        return pa.types.is_boolean(actual)
    if pa.types.is_timestamp(expected):
        return pa.types.is_timestamp(actual) and _same_zone(actual.tz, expected.tz)
    if pa.types.is_date(expected):
        return pa.types.is_date(actual)
    if _is_list(expected):
        return _is_list(actual) and types_compatible(actual.value_type, expected.value_type)
    return False


def _describe(t: pa.DataType) -> str:
    return str(t).replace("item: ", "")


def _pandas_arrow_type(series: pd.Series) -> pa.DataType | str:
    """The arrow type pandas would write for this column, or why it cannot be written at all."""
    try:
        return pa.array(series, from_pandas=True).type
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        kinds = sorted({type(v).__name__ for v in series.dropna().head(1000)})
        return f"mixed values ({'/'.join(kinds)})" if len(kinds) > 1 else f"unwritable ({exc})"[:120]


def _pandas_nulls(series: pd.Series) -> int:
    return int(series.isna().sum())


def check_schema(
    frame: pd.DataFrame | pa.Table,
    expected: pa.Schema,
    *,
    required_non_null: Sequence[str],
    allow_extra: bool = False,
) -> CheckOutcome:
    """Compare a frame (or arrow table) with its contract schema: an ERROR outcome listing every problem.

    Fails on: missing columns; columns whose type does not fit (see the module doc); nulls in a column
    of `required_non_null` (or declared `nullable=False` in `expected`); and, unless `allow_extra`,
    columns the contract does not name. A required column that is missing counts as missing, not null.

    Metadata: `rows`, `columns_expected`, `columns_found`, `missing_columns` / `unexpected_columns` /
    `type_mismatches` (comma or semicolon separated, empty when none) with their `*_count`, `null_violations`
    (`col: n; ...`) and one `nulls[<col>]` count per required column present.
    """
    required = list(dict.fromkeys([*required_non_null, *(f.name for f in expected if not f.nullable)]))
    unknown = [c for c in required if c not in expected.names]
    if unknown:
        raise ValueError(f"required_non_null names columns the schema does not have: {unknown}")

    if isinstance(frame, pa.Table):
        found = list(frame.schema.names)
        types: Mapping[str, pa.DataType | str] = {f.name: f.type for f in frame.schema}
        rows = frame.num_rows
        nulls = {c: int(frame.column(c).null_count) for c in required if c in types}
    else:
        found = [str(c) for c in frame.columns]
        by_name = {str(c): frame[c] for c in frame.columns}
        types = {c: _pandas_arrow_type(by_name[c]) for c in found if c in expected.names}
        rows = len(frame)
        nulls = {c: _pandas_nulls(by_name[c]) for c in required if c in by_name}

    missing = [name for name in expected.names if name not in found]
    unexpected = [name for name in found if name not in expected.names]
    mismatches = []
    for expected_field in expected:
        actual = types.get(expected_field.name)
        if actual is None:
            continue
        if isinstance(actual, str):
            mismatches.append(
                f"{expected_field.name}: expected {_describe(expected_field.type)}, got {actual}"
            )
        elif not types_compatible(actual, expected_field.type):
            mismatches.append(
                f"{expected_field.name}: expected {_describe(expected_field.type)}, got {_describe(actual)}"
            )
    null_violations = [f"{c}: {n}" for c, n in nulls.items() if n]

    problems = []
    if missing:
        problems.append(f"{len(missing)} missing column(s) ({join_names(missing)})")
    if unexpected and not allow_extra:
        problems.append(f"{len(unexpected)} unexpected column(s) ({join_names(unexpected)})")
    if mismatches:
        problems.append(f"{len(mismatches)} type mismatch(es) ({'; '.join(mismatches[:_MAX_LISTED])})")
    if null_violations:
        problems.append(f"nulls in required column(s) ({'; '.join(null_violations)})")
    passed = not problems
    if passed:
        description = f"schema ok: {len(expected)} columns, {rows} rows"
        if unexpected:
            description += f"; {len(unexpected)} extra column(s) allowed ({join_names(unexpected)})"
    else:
        description = "schema violated: " + "; ".join(problems)

    metadata: dict[str, MetadataValue] = {
        "rows": rows,
        "columns_expected": len(expected),
        "columns_found": len(found),
        "missing_columns": join_names(missing),
        "missing_columns_count": len(missing),
        "unexpected_columns": join_names(unexpected),
        "unexpected_columns_count": len(unexpected),
        "type_mismatches": "; ".join(mismatches),
        "type_mismatches_count": len(mismatches),
        "null_violations": "; ".join(null_violations),
        "null_violations_count": sum(nulls.values()),
    }
    metadata.update({f"nulls[{c}]": n for c, n in nulls.items()})
    return CheckOutcome(passed=passed, severity="ERROR", description=description, metadata=metadata)


def check_contract(frame: pd.DataFrame | pa.Table, table: str, *, allow_extra: bool = False) -> CheckOutcome:
    """`check_schema` against `CONTRACTS[table]` (e.g. `"silver/reviews"`); KeyError names the known tables."""
    try:
        contract = CONTRACTS[table]
    except KeyError:
        raise KeyError(f"no contract for table {table!r}; known: {sorted(CONTRACTS)}") from None
    return check_schema(
        frame, contract.schema, required_non_null=contract.required_non_null, allow_extra=allow_extra
    )


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pandas NA (but not an empty list or string)."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)
