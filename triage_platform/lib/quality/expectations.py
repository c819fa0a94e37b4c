"""Great Expectations 1.x suites over a day of reviews, plus the checks GX cannot express.

`run_suite(frame, expectations, name)` validates a pandas frame against a list of expectations through
one ephemeral GX context per process (built on first use, then reused: the context, the pandas data
source and its whole-dataframe batch definition are cached; only the frame changes between runs). GX
is imported lazily, inside the functions, because importing it costs ~2-3 s: importing this module is
free. Analytics are turned off (`GX_ANALYTICS_ENABLED=false` unless already set) and so are GX's
progress bars. Validation is serialized by a lock (the GX context is not thread-safe).

The list may mix GX expectations with the pandas-side checks of this module, for what GX 1.x cannot
check on a pandas frame: membership of every element of a list column (`ExpectListValuesToBeInSet`,
e.g. `issue_types`) and the annotation invariants across columns (`ExpectAnnotationConsistency`).
Their results are summarized exactly like GX's.

Metadata of the outcome: one entry per expectation, keyed `<expectation type>[<column(s)>]`, valued
`ok`, `FAILED (unexpected 3; e.g. 'a', 'b')`, `FAILED (observed 0)` or `ERROR (<message>)` (GX could
not evaluate it, e.g. a missing column); plus `suite`, `rows`, `expectations`, `expectations_failed`
and `duration_s`.

Measured with GX 1.24.1 / pandas 2.3.3 on this machine (2 cores): the first suite of a process pays
~1.8-2.6 s (GX import and context); after that one suite over 500 rows takes ~0.09 s (silver/reviews,
14 expectations) to ~0.11 s (silver/annotations, 22; gold/reviews, 20), and ~0.2-0.3 s over 5,000 rows.
`test_suite_timing_on_500_rows` keeps it under 1.5 s.

`row_count_anomaly` (plain arithmetic, no GX) flags a day whose row count is far from its trailing week.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any, get_args

import pandas as pd

from triage_platform.lib.annotate.routing import ROUTES
from triage_platform.lib.annotate.schema import NO_ISSUE, Sentiment, Stage
from triage_platform.lib.annotate.taxonomy import SEVERITY_LEVELS, Taxonomy
from triage_platform.lib.quality.contracts import (
    CheckOutcome,
    MetadataValue,
    Severity,
    is_missing,
    join_names,
)
from triage_platform.lib.text.pii import PII_KINDS
from triage_platform.lib.transform.gold import HUMAN_LABELED_STATUS, STATUS_BY_ROUTE

_ISO_639_1_CODES = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz
    ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii
    ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi
    mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw
    sa sc sd se sg sh si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug
    uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
ISO_639_1: frozenset[str] = frozenset(_ISO_639_1_CODES.split())
"""The 184 two-letter ISO 639-1 codes (as listed in ISO 639-3, including the deprecated `sh`)."""

UNDETERMINED_LANGUAGE = "und"
"""ISO 639-2 "undetermined": what language detection says when it cannot tell."""

LANGUAGE_CODES: frozenset[str] = ISO_639_1 | {UNDETERMINED_LANGUAGE}
"""Accepted values of every `language` column."""

SENTIMENTS: tuple[str, ...] = get_args(Sentiment)
STAGES: tuple[str, ...] = get_args(Stage)
STATUSES: tuple[str, ...] = (*STATUS_BY_ROUTE.values(), HUMAN_LABELED_STATUS)

_SAMPLES = 3
"""How many offending values a failed expectation shows in its metadata."""

_gx_lock = threading.Lock()
_gx_state: dict[str, Any] = {}


# --------------------------------------------------------------------------------------------------------
# GX context (one per process)


def gx_batch_definition() -> Any:
    """The cached whole-dataframe batch definition of the process's ephemeral GX context.

    The first call imports GX (~3 s) and builds the context; later calls return the same object.
    Callers must hold no assumption about GX internals beyond `get_batch(batch_parameters=...)`.
    """
    with _gx_lock:
        return _batch_definition_locked()


def _gx() -> Any:
    """The `great_expectations` module, imported on first use with its analytics off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations

    return great_expectations


def _gxe() -> Any:
    """`great_expectations.expectations` (the expectation classes), imported like `_gx`."""
    _gx()
    import great_expectations.expectations

    return great_expectations.expectations


def _batch_definition_locked() -> Any:
    definition = _gx_state.get("batch_definition")
    if definition is None:
        gx = _gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        source = context.data_sources.add_pandas("triage_quality")
        asset = source.add_dataframe_asset("frame")
        definition = asset.add_batch_definition_whole_dataframe("whole_frame")
        _gx_state.update(context=context, batch_definition=definition)
    return definition


def warm_up() -> float:
    """Import GX, build the context and validate a one-row frame once; returns the seconds it took.

    Call it at process start (or in a test fixture) so the first real check is not the one paying ~3 s.
    """
    started = time.perf_counter()
    gxe = _gxe()
    run_suite(pd.DataFrame({"x": [1]}), [gxe.ExpectColumnValuesToNotBeNull(column="x")], "warm_up")
    return time.perf_counter() - started


# --------------------------------------------------------------------------------------------------------
# Pandas-side checks


@dataclass(frozen=True)
class Verdict:
    """One expectation's result, whoever evaluated it (GX or a `PandasExpectation`)."""

    key: str
    success: bool
    detail: str  # "" when ok, else what went wrong ("unexpected 3; e.g. 'a'", "observed 0", an error)
    error: bool = False


def _sample(values: Iterable[Any]) -> str:
    shown: list[str] = []
    for value in values:
        if is_missing(value):  # a not-null expectation's samples say nothing
            continue
        text = repr(value)
        text = text if len(text) <= 40 else text[:37] + "..."
        if text not in shown:
            shown.append(text)
        if len(shown) == _SAMPLES:
            break
    return ", ".join(shown)


def _unexpected(count: int, samples: Iterable[Any]) -> str:
    shown = _sample(samples)
    return f"unexpected {count}" + (f"; e.g. {shown}" if shown else "")


def _as_list(value: Any) -> list[Any] | None:
    """A list cell as a Python list (arrow gives numpy arrays); None when the cell is null."""
    if isinstance(value, list | tuple):
        return list(value)
    if is_missing(value):
        return None
    if hasattr(value, "tolist") and not isinstance(value, str):
        result = value.tolist()
        return result if isinstance(result, list) else [result]
    return [value]


class PandasExpectation:
    """A check GX cannot express, evaluated with pandas and reported like a GX expectation."""

    expectation_type: str = "pandas_expectation"
    columns: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.expectation_type}[{','.join(self.columns)}]"

    def evaluate(self, frame: pd.DataFrame) -> Verdict:
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            return Verdict(self.key, False, f"column(s) {', '.join(missing)} missing", error=True)
        return self._evaluate(frame)

    def _evaluate(self, frame: pd.DataFrame) -> Verdict:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class ExpectListValuesToBeInSet(PandasExpectation):
    """Every element of every list in `column` is one of `value_set` (null cells and empty lists pass).

    `unexpected` counts rows with at least one element outside the set; the samples are those elements.
    """

    column: str
    value_set: frozenset[str] = field(default_factory=frozenset)
    current_only: bool = False
    """Only rows whose `is_current` is true (an annotation history's older versions are exempt)."""
    expectation_type = "expect_list_values_to_be_in_set"

    @property
    def columns(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.column,)

    def _evaluate(self, frame: pd.DataFrame) -> Verdict:
        if self.current_only and "is_current" in frame.columns:
            frame = frame[frame["is_current"].fillna(False).astype(bool)]
        bad_rows = 0
        bad_values: list[Any] = []
        for cell in frame[self.column]:
            items = _as_list(cell)
            outside = [item for item in items or () if item not in self.value_set]
            if outside:
                bad_rows += 1
                bad_values.extend(outside)
        if bad_rows:
            return Verdict(self.key, False, _unexpected(bad_rows, bad_values))
        return Verdict(self.key, True, "")


@dataclass(frozen=True)
class ExpectAnnotationConsistency(PandasExpectation):
    """The invariants of an annotation row (see `annotate.schema.Annotation`), checked on a table.

    `issue_types` has no duplicates and no `none`; when it is non-empty `primary_issue` is one of its
    elements and `severity` is not `none`; when it is empty `primary_issue` and `severity` are `none`.
    Rows whose three cells are all null are skipped (the not-null expectations report those).
    """

    list_column: str = "issue_types"
    primary_column: str = "primary_issue"
    severity_column: str = "severity"
    expectation_type = "expect_annotation_consistency"

    @property
    def columns(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.list_column, self.primary_column, self.severity_column)

    def _evaluate(self, frame: pd.DataFrame) -> Verdict:
        bad: list[str] = []
        keys = frame["review_key"] if "review_key" in frame.columns else pd.Series(range(len(frame)))
        for key, cell, primary, severity in zip(
            keys,
            frame[self.list_column],
            frame[self.primary_column],
            frame[self.severity_column],
            strict=True,
        ):
            issues = _as_list(cell)
            if issues is None and is_missing(primary) and is_missing(severity):
                continue
            issues = issues or []
            if issues:
                ok = (
                    len(set(issues)) == len(issues)
                    and NO_ISSUE not in issues
                    and primary in issues
                    and severity != "none"
                )
            else:
                ok = primary == NO_ISSUE and severity == "none"
            if not ok:
                bad.append(key)
        if bad:
            return Verdict(self.key, False, _unexpected(len(bad), bad))
        return Verdict(self.key, True, "")


# --------------------------------------------------------------------------------------------------------
# Running a suite


def _config_key(config: Any) -> str:
    """`<type>[<column(s)>]` of an expectation configuration (GX's own or one in a validation result),
    followed by ` where <condition>` for an expectation restricted to some rows."""
    kwargs = config.kwargs
    condition = kwargs.get("row_condition")
    if isinstance(condition, dict):  # GX stores a pandas condition as {"pass_through_filter": ...}
        condition = condition.get("pass_through_filter") or condition
    where = f" where {condition}" if condition else ""
    if kwargs.get("column"):
        return f"{config.type}[{kwargs['column']}]{where}"
    if kwargs.get("column_A"):
        return f"{config.type}[{kwargs['column_A']},{kwargs['column_B']}]{where}"
    if kwargs.get("column_list"):
        return f"{config.type}[{','.join(kwargs['column_list'])}]{where}"
    return str(config.type) + where


def _exception_message(info: dict[str, Any] | None) -> str | None:
    """Why GX could not evaluate an expectation, or None. Map expectations report per metric."""
    if not info:
        return None
    candidates = [info, *(v for v in info.values() if isinstance(v, dict))]
    for candidate in candidates:
        if candidate.get("raised_exception"):
            return str(candidate.get("exception_message") or "evaluation failed").splitlines()[0][:200]
    return None


def _gx_verdict(key: str, result: Any) -> Verdict:
    message = _exception_message(result.exception_info)
    if message is not None:
        return Verdict(key, False, message, error=True)
    if result.success:
        return Verdict(key, True, "")
    details = result.result or {}
    if details.get("unexpected_count") is not None:
        samples = details.get("partial_unexpected_list") or []
        return Verdict(key, False, _unexpected(int(details["unexpected_count"]), samples))
    if "observed_value" in details:
        return Verdict(key, False, f"observed {_sample([details['observed_value']])}")
    return Verdict(key, False, "not met")


def _validate_gx(frame: pd.DataFrame, expectations: Sequence[Any], name: str) -> list[Verdict]:
    if not expectations:
        return []
    gx = _gx()
    keys = [_config_key(e.configuration) for e in expectations]
    with _gx_lock:
        definition = _batch_definition_locked()
        suite = gx.ExpectationSuite(name=name, expectations=list(expectations))
        batch = definition.get_batch(batch_parameters={"dataframe": frame})
        results = batch.validate(suite, result_format="BASIC")
    # GX reorders results: match each back to its expectation by type and arguments (GX adds batch_id).
    by_signature: dict[str, list[Any]] = {}
    for result in results.results:
        by_signature.setdefault(_signature(result.expectation_config), []).append(result)
    verdicts = []
    for key, expectation in zip(keys, expectations, strict=True):
        pending = by_signature.get(_signature(expectation.configuration)) or []
        if pending:
            verdicts.append(_gx_verdict(key, pending.pop(0)))
        else:
            verdicts.append(Verdict(key, False, "no result returned by GX", error=True))
    return verdicts


def _signature(config: Any) -> str:
    arguments = sorted((k, repr(v)) for k, v in config.kwargs.items() if k != "batch_id")
    return f"{config.type}{arguments}"


def run_suite(
    frame: pd.DataFrame, expectations: Sequence[Any], name: str, *, severity: Severity = "ERROR"
) -> CheckOutcome:
    """Validate `frame` against GX expectations and/or `PandasExpectation`s: one outcome for the suite.

    Passes when every expectation is met. An expectation GX cannot evaluate (a missing column, a type it
    cannot compare) fails with `ERROR (...)` in its metadata entry. See the module doc for the metadata.
    """
    started = time.perf_counter()
    pandas_checks = [e for e in expectations if isinstance(e, PandasExpectation)]
    gx_expectations = [e for e in expectations if not isinstance(e, PandasExpectation)]
    verdicts = _validate_gx(frame, gx_expectations, name)
    verdicts.extend(check.evaluate(frame) for check in pandas_checks)

    metadata: dict[str, MetadataValue] = {}
    for verdict in verdicts:
        key = verdict.key
        suffix = 2
        while key in metadata:
            key = f"{verdict.key}#{suffix}"
            suffix += 1
        if verdict.success:
            metadata[key] = "ok"
        else:
            metadata[key] = f"{'ERROR' if verdict.error else 'FAILED'} ({verdict.detail})"
    failed = [v for v in verdicts if not v.success]
    elapsed = time.perf_counter() - started
    metadata.update(
        suite=name,
        rows=len(frame),
        expectations=len(verdicts),
        expectations_failed=len(failed),
        duration_s=round(elapsed, 4),
    )
    if failed:
        listed = [f"{v.key} ({v.detail})" for v in failed]
        description = (
            f"{name}: {len(failed)} of {len(verdicts)} expectations failed on {len(frame)} rows: "
            + join_names(listed, limit=5)
        )
    else:
        description = f"{name}: all {len(verdicts)} expectations met on {len(frame)} rows"
    return CheckOutcome(passed=not failed, severity=severity, description=description, metadata=metadata)


# --------------------------------------------------------------------------------------------------------
# Suites


def _not_null(columns: Iterable[str]) -> list[Any]:
    gxe = _gxe()
    return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def _in_set(column: str, values: Iterable[str]) -> Any:
    gxe = _gxe()
    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(values))


def _between(column: str, low: float | None, high: float | None) -> Any:
    gxe = _gxe()
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high)


def _unique_key() -> Any:
    gxe = _gxe()
    return gxe.ExpectColumnValuesToBeUnique(column="review_key")


def _categories(taxonomy: Taxonomy) -> frozenset[str]:
    return frozenset(taxonomy.ids)


def silver_reviews_suite(taxonomy: Taxonomy | None = None) -> list[Any]:
    """Expectations of `silver/reviews`: one row per review, keys present, languages and ranges valid.

    `taxonomy` is accepted for a uniform signature; silver holds no category columns.
    """
    gxe = _gxe()
    return [
        _unique_key(),
        *_not_null(
            ["review_key", "day", "source", "source_review_id", "submitted_at", "text_redacted", "language"]
        ),
        gxe.ExpectColumnValuesToMatchRegex(column="review_key", regex=r"^[^:]+:.+$"),
        _in_set("language", LANGUAGE_CODES),
        _between("rating", 1, 5),
        _between("language_confidence", 0, 1),
        _between("duplicate_count", 1, None),
        ExpectListValuesToBeInSet("pii_types", frozenset(PII_KINDS)),
    ]


CURRENT_ROWS = "is_current==True"
"""GX row condition (pandas parser) selecting the current annotation of each review."""


def _current(expectation_type: Any, **kwargs: Any) -> Any:
    """A GX expectation evaluated on current annotation rows only (history rows keep older taxonomies)."""
    return expectation_type(**kwargs, row_condition=CURRENT_ROWS, condition_parser="pandas")


@dataclass(frozen=True)
class ExpectOneCurrentRowPerKey(PandasExpectation):
    """Every review in an annotation history has exactly one current row (`is_current`)."""

    key_column: str = "review_key"
    flag_column: str = "is_current"
    expectation_type = "expect_one_current_row_per_key"

    @property
    def columns(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.key_column, self.flag_column)

    def _evaluate(self, frame: pd.DataFrame) -> Verdict:
        current = frame[self.flag_column].fillna(False).astype(bool)
        counts = current.groupby(frame[self.key_column]).sum()
        bad = counts[counts != 1]
        if len(bad):
            return Verdict(self.key, False, _unexpected(len(bad), list(bad.index)))
        return Verdict(self.key, True, "")


def annotations_suite(taxonomy: Taxonomy) -> list[Any]:
    """Expectations of `silver/annotations`, a history of annotation versions: one current annotation per
    review, one row per (review, version), values within the taxonomy.

    Uniqueness of the review id, categories (`primary_issue` plus `none`, every element of
    `issue_types`), owners and the `taxonomy_version` stamp are checked on the current rows: annotations
    made now with another taxonomy fail, while older versions keep the taxonomy they were made with.
    """
    gxe = _gxe()
    categories = _categories(taxonomy)
    return [
        _current(gxe.ExpectColumnValuesToBeUnique, column="review_key"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["review_key", "annotation_version"]),
        ExpectOneCurrentRowPerKey(),
        _between("annotation_version", 1, None),
        *_not_null(["annotation_version", "is_current"]),
        *_not_null(
            [
                "review_key",
                "day",
                "issue_types",
                "primary_issue",
                "sentiment",
                "severity",
                "language",
                "confidence",
                "stage",
                "taxonomy_version",
                "annotated_at",
            ]
        ),
        _current(
            gxe.ExpectColumnValuesToBeInSet, column="primary_issue", value_set=sorted(categories | {NO_ISSUE})
        ),
        _in_set("severity", SEVERITY_LEVELS),
        _in_set("sentiment", SENTIMENTS),
        _in_set("stage", STAGES),
        _in_set("language", LANGUAGE_CODES),
        _current(
            gxe.ExpectColumnValuesToBeInSet,
            column="owner",
            value_set=sorted({c.owner for c in taxonomy.categories}),
        ),
        _current(
            gxe.ExpectColumnValuesToBeInSet, column="taxonomy_version", value_set=[taxonomy.fingerprint]
        ),
        _between("confidence", 0, 1),
        ExpectListValuesToBeInSet("issue_types", categories, current_only=True),
        ExpectAnnotationConsistency(),
    ]


def gold_reviews_suite(taxonomy: Taxonomy) -> list[Any]:
    """Expectations of `gold/reviews`: one row per review, every review annotated and routed.

    Nulls in the annotation columns mean a review without an annotation (gold is a left join).
    """
    categories = _categories(taxonomy)
    return [
        _unique_key(),
        *_not_null(
            [
                "review_key",
                "day",
                "issue_types",
                "primary_issue",
                "sentiment",
                "severity",
                "confidence",
                "route",
                "status",
            ]
        ),
        _in_set("primary_issue", categories | {NO_ISSUE}),
        _in_set("severity", SEVERITY_LEVELS),
        _in_set("sentiment", SENTIMENTS),
        _in_set("route", ROUTES),
        _in_set("status", STATUSES),
        _in_set("language", LANGUAGE_CODES),
        _between("rating", 1, 5),
        _between("confidence", 0, 1),
        ExpectListValuesToBeInSet("issue_types", categories),
        ExpectAnnotationConsistency(),
    ]


# --------------------------------------------------------------------------------------------------------
# Row counts

TRAILING_DAYS = 7
"""How many of the most recent trailing days the row-count baseline uses."""


def row_count_anomaly(
    today: int,
    trailing: Sequence[int | None],
    *,
    min_history: int = 3,
    tolerance: float = 0.5,
    z_threshold: float = 3.5,
    name: str = "row_count",
) -> CheckOutcome:
    """Is today's row count far from the trailing week? A WARN outcome.

    `trailing` holds the counts of the previous days, oldest first; the last `TRAILING_DAYS` (7) that are
    not None are the history. With fewer than `min_history` days of history the check passes with a note.

    Definition (both conditions must hold for an anomaly, so neither tiny absolute wobbles on a steady
    series nor large relative swings on a naturally noisy one are flagged):

    - ratio: `today / median` lies outside `[1 / (1 + tolerance), 1 + tolerance]` (with tolerance 0.5:
      below 2/3 or above 1.5 times the median); a median of 0 makes any positive count an infinite ratio;
    - robust z-score: `|today - median| / scale > z_threshold` (3.5, the Iglewicz-Hoaglin cut-off), where
      `scale = max(1.4826 * MAD, sqrt(median), 1)`: the MAD scaled to a standard deviation, floored by
      Poisson noise (counts of independent arrivals vary by about the square root of their mean), so a
      week of identical counts does not make every small change infinitely significant.

    Metadata: `today`, `baseline_median`, `mad`, `scale`, `robust_z`, `ratio`, `history_days`,
    `expected_min` / `expected_max` (the counts that would have passed), `tolerance`, `z_threshold`.
    """
    if today < 0:
        raise ValueError(f"a row count cannot be negative: {today}")
    history = [int(c) for c in trailing if c is not None][-TRAILING_DAYS:]
    metadata: dict[str, MetadataValue] = {
        "today": int(today),
        "history_days": len(history),
        "tolerance": tolerance,
        "z_threshold": z_threshold,
    }
    if len(history) < min_history:
        return CheckOutcome(
            passed=True,
            severity="WARN",
            description=(
                f"{name}: {today} rows; not enough history to judge ({len(history)} of {min_history} days)"
            ),
            metadata=metadata,
        )
    center = float(median(history))
    mad = float(median(abs(c - center) for c in history))
    scale = max(1.4826 * mad, math.sqrt(center), 1.0)
    z = (today - center) / scale
    ratio = today / center if center else (1.0 if today == 0 else math.inf)
    high = 1.0 + tolerance
    outside_ratio = ratio < 1.0 / high or ratio > high
    anomalous = outside_ratio and abs(z) > z_threshold
    expected_min = max(0.0, min(center / high, center - z_threshold * scale))
    expected_max = max(center * high, center + z_threshold * scale)
    metadata.update(
        baseline_median=center,
        mad=mad,
        scale=round(scale, 4),
        robust_z=round(z, 4),
        ratio=round(ratio, 4) if math.isfinite(ratio) else "inf",
        expected_min=round(expected_min, 2),
        expected_max=round(expected_max, 2),
    )
    if anomalous:
        direction = "below" if today < center else "above"
        description = (
            f"{name}: {today} rows, far {direction} the trailing median {center:g} "
            f"(ratio {ratio:.2f}, robust z {z:+.1f}; expected {expected_min:.0f}-{expected_max:.0f})"
        )
    else:
        description = (
            f"{name}: {today} rows, in line with the trailing median {center:g} "
            f"(expected {expected_min:.0f}-{expected_max:.0f})"
        )
    return CheckOutcome(passed=not anomalous, severity="WARN", description=description, metadata=metadata)
