"""The dbt-duckdb plugin that copies the lake's Delta tables into the local DuckDB warehouse.

A dbt source names its table by asset key (`meta: {plugin: lake, lake_table: gold/reviews}` in
`dbt_project/models/staging/sources.yml`), and the plugin opens it in the installation's lake
(`TriagePaths.from_env`: TRIAGE_LAKE_URI, else TRIAGE_HOME/lake, with the storage options of `lib/lake.py`),
through the `deltalake` package: the same lake the IO manager writes, local or remote, and no DuckDB
extension download. `profiles.yml` registers it (`module: triage_platform.lib.dbt_lake`, alias `lake`) and
passes TRIAGE_HOME as `triage_home` (default `../.triage`, relative to the dbt project, as before).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig

from triage_platform.lib.paths import TriagePaths

LAKE_TABLE_KEY = "lake_table"


def lake_table_key(value: str) -> tuple[str, str]:
    """`layer/name` → (layer, name)."""
    layer, _, name = value.strip().strip("/").partition("/")
    if not layer or not name or "/" in name:
        raise ValueError(f"{LAKE_TABLE_KEY} must be `layer/name` (an asset key), not {value!r}")
    return layer, name


class Plugin(BasePlugin):
    """Loads `meta.lake_table` from the lake as an Arrow dataset (the source's materialization decides
    whether DuckDB copies it into a table)."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        home = plugin_config.get("triage_home")
        self.paths = TriagePaths.from_env(home=Path(home) if home else None)

    def load(self, source_config: SourceConfig) -> Any:
        if LAKE_TABLE_KEY not in source_config:
            raise ValueError(f"source {source_config.name}: the lake plugin needs meta.{LAKE_TABLE_KEY}")
        location = self.paths.table(*lake_table_key(source_config[LAKE_TABLE_KEY]))
        return location.open().to_pyarrow_dataset()

    def default_materialization(self) -> str:
        return "view"
