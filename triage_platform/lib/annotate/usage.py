"""LLM spend per annotation run: the `ml/llm_usage` table (append-only, one row per materialization).

The LLM stage counts its own calls, tokens and cost (`LLMUsage`, accumulated over the life of a cached
stage). Around each `silver/annotations` materialization the asset takes a snapshot before and after the
annotate call; the difference is that run's spend, written here with the day, run id and mode (daily or
nightly reprocess). A row is written even when no LLM stage is configured (all zeros), so the table exists
once annotations ran and the ROI's `llm_cost_usd` (a dbt sum over these rows) is traceable to runs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, Literal

import pyarrow as pa

from triage_platform.lib.annotate.llm import LLMUsage
from triage_platform.lib.delta import TableRef, append, as_location

UsageMode = Literal["daily", "reprocess"]

LLM_USAGE_SCHEMA = pa.schema(
    [
        pa.field("day", pa.date32(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("mode", pa.string(), nullable=False),
        pa.field("reviews_annotated", pa.int64(), nullable=False),
        pa.field("llm_items_sent", pa.int64(), nullable=False),
        pa.field("answered", pa.int64(), nullable=False),
        pa.field("cached_items", pa.int64(), nullable=False),
        pa.field("failures", pa.int64(), nullable=False),
        pa.field("budget_skipped", pa.int64(), nullable=False),
        pa.field("calls", pa.int64(), nullable=False),
        pa.field("retries", pa.int64(), nullable=False),
        pa.field("input_tokens", pa.int64(), nullable=False),
        pa.field("output_tokens", pa.int64(), nullable=False),
        pa.field("cost_usd", pa.float64(), nullable=False),
        pa.field("model", pa.string(), nullable=True),
        pa.field("recorded_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)
"""Contract of `ml/llm_usage` (docs/data-contracts.md); partitioned by `day`."""

_COUNTERS = ("calls", "retries", "answered", "cached_items", "failures", "budget_skipped")


def usage_snapshot(annotator: object) -> tuple[LLMUsage | None, str | None]:
    """A copy of the annotator's LLM stage counters and its model/deployment name; (None, None) when the
    annotator has no LLM stage (stage off)."""
    stage = getattr(annotator, "llm", None)
    usage = getattr(stage, "usage", None)
    if not isinstance(usage, LLMUsage):
        return None, None
    config = getattr(stage, "config", None)
    return replace(usage), getattr(config, "model", None)


def usage_row(
    *,
    day: date,
    run_id: str,
    mode: UsageMode,
    reviews_annotated: int,
    before: LLMUsage | None,
    after: LLMUsage | None,
    model: str | None = None,
    recorded_at: datetime | None = None,
) -> dict[str, Any]:
    """The `ml/llm_usage` row of one run: the stage's counters after the annotate call minus before it
    (zeros when there is no LLM stage). `llm_items_sent` counts the items the cascade handed to the LLM
    stage: answered by a call, served from the cache, failed, or not sent because the budget was spent."""
    if mode not in ("daily", "reprocess"):
        raise ValueError(f"mode must be 'daily' or 'reprocess', not {mode!r}")
    after = after or LLMUsage()
    before = before or LLMUsage()
    delta = {name: getattr(after, name) - getattr(before, name) for name in _COUNTERS}
    delta["input_tokens"] = after.input_tokens - before.input_tokens
    delta["output_tokens"] = after.output_tokens - before.output_tokens
    cost = round(after.cost_usd - before.cost_usd, 9)
    if min(*delta.values(), cost) < 0:
        raise ValueError("LLM usage went down during the run: the stage was reset mid-run")
    return {
        "day": day,
        "run_id": run_id,
        "mode": mode,
        "reviews_annotated": int(reviews_annotated),
        "llm_items_sent": delta["answered"]
        + delta["cached_items"]
        + delta["failures"]
        + delta["budget_skipped"],
        **delta,
        "cost_usd": cost,
        "model": model,
        "recorded_at": recorded_at or datetime.now(UTC),
    }


def usage_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Rows as an Arrow table of the contract's schema."""
    return pa.Table.from_pylist(rows, schema=LLM_USAGE_SCHEMA)


def append_usage(table: TableRef, row: dict[str, Any]) -> None:
    """Append one run's row to `ml/llm_usage` (creates the table, partitioned by day, on first write)."""
    append(table, usage_table([row]), partition_by=["day"])


def ensure_usage_table(table: TableRef) -> bool:
    """Create an empty, typed `ml/llm_usage` when a lake predating it has none (dbt reads it: no rows means
    no recorded LLM spend). True when it was created."""
    location = as_location(table)
    if location.exists():
        return False
    location.write(LLM_USAGE_SCHEMA.empty_table(), mode="append", partition_by=["day"])
    return True
