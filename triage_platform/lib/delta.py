"""Small helpers over the `deltalake` package for the tables the platform reads and writes directly.

A table is named by a `DeltaLocation`: its URI (a local path, or e.g. `abfss://...`) and the storage options
that open it. `TriagePaths.table(layer, name)` gives the location of a lake table (see `lib/lake.py`); the
helpers also take a plain `Path` or string (a local table, or a URI whose credentials the object store finds
in the environment), so code and tests that work on a folder keep doing so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pandas as pd
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake


def local_path_of(uri: str) -> Path | None:
    """The local filesystem path a table URI names (a plain path or `file://` URI); None for remote URIs."""
    parts = urlsplit(uri)
    if not parts.scheme or (len(parts.scheme) == 1 and parts.scheme.isalpha()):  # a path (or C:\...)
        return Path(uri)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            return None
        return Path(unquote(parts.path))
    return None


@dataclass(frozen=True)
class DeltaLocation:
    """Where one Delta table lives: its URI and the storage options that open it. The options (which may
    hold credentials) are neither shown (`repr`, `str`) nor compared."""

    uri: str
    storage_options: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __str__(self) -> str:
        return self.uri

    @property
    def local_path(self) -> Path | None:
        """The table's folder when it is on the local filesystem, else None."""
        return local_path_of(self.uri)

    @property
    def name(self) -> str:
        return self.uri.rstrip("/").rsplit("/", 1)[-1]

    def _options(self) -> dict[str, str] | None:
        return dict(self.storage_options) or None

    def exists(self) -> bool:
        local = self.local_path
        if local is not None:
            return (local / "_delta_log").is_dir()
        return DeltaTable.is_deltatable(self.uri, storage_options=self._options())

    def open(self) -> DeltaTable:
        """The table at its latest version (it must exist)."""
        return DeltaTable(self.uri, storage_options=self._options())

    def version(self) -> int | None:
        """The table's latest version, None when it does not exist yet."""
        return self.open().version() if self.exists() else None

    def write(self, data: Any, **kwargs: Any) -> None:
        """`write_deltalake` to this table (a local table's parent folder is created first)."""
        local = self.local_path
        if local is not None:
            local.parent.mkdir(parents=True, exist_ok=True)
        write_deltalake(self.uri, data, storage_options=self._options(), **kwargs)


TableRef = DeltaLocation | Path | str
"""A table: its location, or a local folder / URI without storage options."""


def as_location(table: TableRef) -> DeltaLocation:
    return table if isinstance(table, DeltaLocation) else DeltaLocation(str(table))


def table_exists(table: TableRef) -> bool:
    return as_location(table).exists()


def read_table(
    table: TableRef,
    schema: pa.Schema | None = None,
    filters: list | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """The table (or some of its columns) as a DataFrame; an empty frame (with `schema`'s columns when
    given) when the table does not exist yet."""
    location = as_location(table)
    if not location.exists():
        if schema is None:
            return pd.DataFrame(columns=columns or [])
        empty = schema.empty_table()
        return (empty.select(columns) if columns else empty).to_pandas()
    dataset = location.open().to_pyarrow_dataset()
    if filters:
        import pyarrow.dataset as ds

        expression = None
        for column, op, value in filters:
            assert op == "=="
            term = ds.field(column) == value
            expression = term if expression is None else expression & term
        return dataset.to_table(filter=expression, columns=columns).to_pandas()
    return dataset.to_table(columns=columns).to_pandas()


def append(table: TableRef, rows: pa.Table, partition_by: list[str] | None = None) -> None:
    """Append rows (creating the table, partitioned by `partition_by`, on the first write)."""
    location = as_location(table)
    exists = location.exists()
    if rows.num_rows == 0 and exists:
        return
    if exists or partition_by is None:
        location.write(rows, mode="append")
    else:
        location.write(rows, mode="append", partition_by=partition_by)


def sql_string(value: str) -> str:
    """A string literal for a Delta predicate."""
    return "'" + value.replace("'", "''") + "'"


def delete_where(table: TableRef, predicate: str) -> None:
    location = as_location(table)
    if location.exists():
        location.open().delete(predicate)
