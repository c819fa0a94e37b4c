"""The dashboard's inputs: warehouse tables (DuckDB) and per-category model quality from the registry."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from triage_platform.lib.roi.data import model_quality, read_warehouse


def _manifest(folder: Path, version: str, created_at: str, f1: dict[str, float], source: str = "oof") -> None:
    folder.mkdir(parents=True)
    categories = {name: {"precision": v, "recall": v, "f1": v, "support": 20} for name, v in f1.items()}
    manifest = {
        "model_version": version,
        "created_at": created_at,
        "metrics": {source: {"categories": categories}},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_model_quality_lists_every_version_oldest_first_and_marks_the_live_one(tmp_path: Path) -> None:
    old, new = "model-20260301120000-1a2b3c4d", "model-20260308120000-5e6f7a8b"
    _manifest(
        tmp_path / new,
        new,
        "2026-03-08T12:00:00+00:00",
        {"refund_request": 0.9, "safety_hazard": 0.8},
        "holdout",
    )
    _manifest(tmp_path / old, old, "2026-03-01T12:00:00+00:00", {"refund_request": 0.7, "safety_hazard": 0.6})
    (tmp_path / "current").write_text(new + "\n")
    (tmp_path / new / "model.joblib").write_bytes(b"x")  # the store's test that a live version is loadable
    quality = model_quality(tmp_path)
    assert list(quality["model_version"].drop_duplicates()) == [old, new]
    assert quality.loc[quality["model_version"] == new, "live"].all()
    assert not quality.loc[quality["model_version"] == old, "live"].any()
    assert set(quality.loc[quality["model_version"] == new, "metric_source"]) == {"holdout"}
    assert (
        quality.loc[(quality["model_version"] == old) & (quality["category"] == "safety_hazard"), "f1"].item()
        == 0.6
    )


def test_model_quality_falls_back_to_the_seed_model_and_is_empty_without_models(tmp_path: Path) -> None:
    assert model_quality(tmp_path / "absent").empty
    _manifest(
        tmp_path / "seed-ecommerce-default", "seed-1", "2026-03-01T00:00:00+00:00", {"wrong_item": 0.95}
    )
    quality = model_quality(tmp_path)
    assert quality[["model_version", "category", "f1"]].values.tolist() == [["seed-1", "wrong_item", 0.95]]


def test_read_warehouse_reads_tables_and_names_a_missing_warehouse(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run the daily_roi job"):
        read_warehouse(tmp_path / "absent.duckdb")
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table roi_daily as select 1 as reviews")
    frames = read_warehouse(path, ("roi_daily", "roi_summary"))
    assert frames["roi_daily"]["reviews"].tolist() == [1]
    assert frames["roi_summary"].empty
