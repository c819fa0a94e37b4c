"""Small helpers over the `deltalake` package for the platform's own bookkeeping tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake


def table_exists(path: Path) -> bool:
    return (path / "_delta_log").is_dir()


def read_table(
    path: Path, schema: pa.Schema | None = None, filters: list | None = None, columns: list[str] | None = None
) -> pd.DataFrame:
    """The table (or some of its columns) as a DataFrame; an empty frame (with `schema`'s columns when
    given) when the table does not exist yet."""
    if not table_exists(path):
        if schema is None:
            return pd.DataFrame(columns=columns or [])
        empty = schema.empty_table()
        return (empty.select(columns) if columns else empty).to_pandas()
    dataset = DeltaTable(str(path)).to_pyarrow_dataset()
    if filters:
        import pyarrow.dataset as ds

        expression = None
        for column, op, value in filters:
            assert op == "=="
            term = ds.field(column) == value
            expression = term if expression is None else expression & term
        return dataset.to_table(filter=expression, columns=columns).to_pandas()
    return dataset.to_table(columns=columns).to_pandas()


def append(path: Path, table: pa.Table) -> None:
    if table.num_rows == 0 and table_exists(path):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    write_deltalake(str(path), table, mode="append")


def sql_string(value: str) -> str:
    """A string literal for a Delta predicate."""
    return "'" + value.replace("'", "''") + "'"


def delete_where(path: Path, predicate: str) -> None:
    if table_exists(path):
        DeltaTable(str(path)).delete(predicate)
