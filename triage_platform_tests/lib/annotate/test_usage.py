"""The `ml/llm_usage` row of a run: the LLM stage's counters after the annotate call minus before it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from triage_platform.lib.annotate.llm import LLMUsage
from triage_platform.lib.annotate.usage import (
    LLM_USAGE_SCHEMA,
    append_usage,
    ensure_usage_table,
    usage_row,
    usage_snapshot,
)
from triage_platform.lib.delta import read_table

DAY = date(2026, 3, 2)
AT = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)


def test_the_row_is_the_difference_of_the_counters_around_the_run() -> None:
    before = LLMUsage(calls=3, retries=1, answered=4, input_tokens=900, output_tokens=90, cost_usd=0.25)
    after = replace(
        before,
        calls=7,
        retries=2,
        answered=9,
        cached_items=2,
        failures=1,
        budget_skipped=3,
        input_tokens=2100,
        output_tokens=250,
        cost_usd=0.75,
    )
    row = usage_row(
        day=DAY,
        run_id="run-1",
        mode="reprocess",
        reviews_annotated=40,
        before=before,
        after=after,
        model="gpt-4o-mini",
        recorded_at=AT,
    )
    assert row["calls"] == 4 and row["retries"] == 1
    assert (row["input_tokens"], row["output_tokens"]) == (1200, 160)
    assert row["cost_usd"] == pytest.approx(0.5)
    assert row["llm_items_sent"] == 5 + 2 + 1 + 3  # answered + cached + failed + over budget
    assert (row["mode"], row["model"], row["reviews_annotated"]) == ("reprocess", "gpt-4o-mini", 40)
    assert pa.Table.from_pylist([row], schema=LLM_USAGE_SCHEMA).num_rows == 1


def test_a_run_without_an_llm_stage_is_a_row_of_zeros() -> None:
    before, model = usage_snapshot(SimpleNamespace(llm=None))
    assert (before, model) == (None, None)
    row = usage_row(day=DAY, run_id="r", mode="daily", reviews_annotated=12, before=None, after=None)
    assert row["reviews_annotated"] == 12 and row["model"] is None
    assert all(row[name] == 0 for name in ("llm_items_sent", "calls", "input_tokens", "cost_usd"))


def test_the_snapshot_is_a_copy_and_names_the_model() -> None:
    stage = SimpleNamespace(usage=LLMUsage(calls=2, cost_usd=0.1), config=SimpleNamespace(model="dep-1"))
    snapshot, model = usage_snapshot(SimpleNamespace(llm=stage))
    stage.usage.calls += 5
    assert (snapshot.calls, model) == (2, "dep-1")


def test_a_reset_mid_run_is_refused_and_modes_are_checked() -> None:
    with pytest.raises(ValueError, match="reset"):
        usage_row(
            day=DAY, run_id="r", mode="daily", reviews_annotated=1, before=LLMUsage(calls=3), after=LLMUsage()
        )
    with pytest.raises(ValueError, match="mode"):
        usage_row(day=DAY, run_id="r", mode="weekly", reviews_annotated=1, before=None, after=None)  # type: ignore[arg-type]


def test_rows_append_and_an_old_lake_gets_an_empty_typed_table(tmp_path: Path) -> None:
    path = tmp_path / "ml" / "llm_usage"
    assert ensure_usage_table(path) and not ensure_usage_table(path)
    assert read_table(path).empty
    assert DeltaTable(str(path)).metadata().partition_columns == ["day"]
    for run in ("a", "b"):
        append_usage(
            path, usage_row(day=DAY, run_id=run, mode="daily", reviews_annotated=1, before=None, after=None)
        )
    frame = read_table(path)
    assert sorted(frame["run_id"]) == ["a", "b"]
    assert not ensure_usage_table(path) and len(read_table(path)) == 2

    fresh = tmp_path / "other"
    append_usage(
        fresh, usage_row(day=DAY, run_id="c", mode="daily", reviews_annotated=1, before=None, after=None)
    )
    assert DeltaTable(str(fresh)).schema().to_arrow().names == LLM_USAGE_SCHEMA.names
