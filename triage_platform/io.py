"""The Delta IO manager of the medallion tables: dagster-deltalake with one fix.

`dagster-deltalake-pandas` converts a DataFrame to Arrow by inference, so an empty partition (a quiet
day with no issues) is written with `null`-typed columns and the table's types then depend on which day
came first. Assets attach their declared Arrow schema to the frame (`with_schema`), and this handler
converts with it: every partition of a table has the contract's types, empty or not. Writes merge the
schema (additive evolution): a column a contract gains (e.g. the annotation history columns) is added to
an existing table, whose older partitions then read it as null."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
from dagster._core.storage.db_io_manager import DbTypeHandler
from dagster_deltalake import handler as deltalake_handler
from dagster_deltalake.handler import DeltaLakePyArrowTypeHandler
from dagster_deltalake.io_manager import DeltaLakeIOManager
from dagster_deltalake_pandas.deltalake_pandas_type_handler import DeltaLakePandasTypeHandler

ARROW_SCHEMA_ATTR = "triage_arrow_schema"


def _no_partition_stats(dt: Any, table_slice: Any = None) -> tuple[None, dict[str, Any]]:
    """dagster-deltalake 0.29 computes size/row stats after each write from `get_add_actions`, which in
    deltalake 1.x is an arro3 table with `partition.`-prefixed columns: the computation always fails and
    every write logs "error while computing table stats". Skip it; the assets report their own row counts
    in their metadata (`materialization.output`)."""
    return None, {}


deltalake_handler._get_partition_stats = _no_partition_stats


def with_schema(frame: pd.DataFrame, schema: pa.Schema) -> pd.DataFrame:
    """Mark a frame with the Arrow schema it must be written with."""
    frame.attrs[ARROW_SCHEMA_ATTR] = schema
    return frame


class SchemaAwarePandasTypeHandler(DeltaLakePandasTypeHandler):
    def to_arrow(self, obj: pd.DataFrame) -> tuple[pa.RecordBatchReader, dict[str, Any]]:
        schema = obj.attrs.pop(ARROW_SCHEMA_ATTR, None)
        table = pa.Table.from_pandas(obj, schema=schema, preserve_index=False)
        # Additive schema evolution: a column a contract gained is merged into an existing table (its
        # older partitions read it as null) instead of failing the partition overwrite.
        return table.to_reader(), {"schema_mode": "merge"}


class TriageDeltaIOManager(DeltaLakeIOManager):
    """Delta tables under the lake root, one folder per asset key, partition-scoped overwrites."""

    @staticmethod
    def type_handlers() -> Sequence[DbTypeHandler]:
        return [SchemaAwarePandasTypeHandler(), DeltaLakePyArrowTypeHandler()]

    @staticmethod
    def default_load_type() -> type | None:
        return pd.DataFrame
