"""Reference dimensions: SKU -> product family, vendor, launch cohort; region -> fulfillment center.

The CSVs in `triage_platform/reference/` are also the dbt seeds (dbt_project/dbt_project.yml points its
seed path there), so Python and SQL join to the same dimension rows.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"


@cache
def sku_dimension() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "dim_sku.csv", dtype=str)


@cache
def region_dimension() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "dim_region.csv", dtype=str)
