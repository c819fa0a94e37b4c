"""Shared materialization metadata for the medallion assets: counts, schema and a small preview."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
import pandas as pd
import pyarrow as pa

from triage_platform.io import with_schema

PREVIEW_ROWS = 5
PREVIEW_TEXT_CHARS = 80

LAYER_OWNERS = ["team:data-platform"]
DELTA_KINDS = {"deltalake", "pandas"}
PARTITION_METADATA = {"partition_expr": "day"}


def column_schema(schema: pa.Schema) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=field.name,
                type=str(field.type),
                constraints=dg.TableColumnConstraints(nullable=field.nullable),
            )
            for field in schema
        ]
    )


def preview(frame: pd.DataFrame, columns: Sequence[str]) -> dg.MetadataValue:
    shown = frame[list(columns)].head(PREVIEW_ROWS).copy()
    for column in shown.columns:
        shown[column] = shown[column].map(
            lambda v: (
                (str(v)[:PREVIEW_TEXT_CHARS] + "…")
                if isinstance(v, str) and len(v) > PREVIEW_TEXT_CHARS
                else v
            )
        )
    return dg.MetadataValue.md(shown.to_markdown(index=False))


def output(
    frame: pd.DataFrame,
    schema: pa.Schema,
    preview_columns: Sequence[str],
    extra: Mapping[str, Any] | None = None,
    output_name: str = "result",
) -> dg.Output[pd.DataFrame]:
    """Wrap a partition's frame with row count, column schema, preview and any asset-specific counts
    (`output_name`: which output of a multi-asset it is)."""
    metadata: dict[str, Any] = {
        "dagster/row_count": len(frame),
        "dagster/column_schema": column_schema(schema),
        "preview": preview(frame, preview_columns),
    }
    metadata.update(extra or {})
    return dg.Output(with_schema(frame, schema), output_name=output_name, metadata=metadata)
