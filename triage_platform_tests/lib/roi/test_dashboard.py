"""The ROI dashboard renders every plot into one self-contained HTML file, from frames the test makes."""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from triage_platform.lib.roi.dashboard import FIGURE_IDS, format_value, render_dashboard, write_dashboard
from triage_platform.lib.roi.data import DashboardData
from triage_platform.lib.spikes import Spike

DAYS = [date(2026, 3, 1) + timedelta(days=i) for i in range(10)]


def _data(model_versions: int = 1, empty: bool = False) -> DashboardData:
    summary = pd.DataFrame(
        [
            (
                0,
                "time_to_first_triage_vs_manual",
                "Manual vs now",
                "leading",
                "minutes",
                2880.0,
                1.5,
                None,
                "seed",
            ),
            (
                1,
                "median_minutes_to_first_triage",
                "Time to first triage",
                "leading",
                "minutes",
                1.0,
                1.5,
                "worse",
                None,
            ),
            (4, "negative_review_rate", "Negative review rate", "lagging", "share", 0.5, 0.6, "worse", None),
            (10, "net_value_usd", "Net value", "value", "usd", 1000.0, 1250.0, "better", None),
        ],
        columns=[
            "position",
            "measure",
            "label",
            "indicator",
            "unit",
            "baseline_value",
            "current_value",
            "verdict",
            "note",
        ],
    )
    summary["change_share"] = (summary["current_value"] - summary["baseline_value"]) / summary[
        "baseline_value"
    ]
    quality = pd.DataFrame(
        [
            {
                "model_version": f"model-{v}",
                "created_at": pd.Timestamp(2026, 3, 1 + v, tz="UTC"),
                "live": v == 0,
                "metric_source": "oof",
                "category": category,
                "precision": 0.8,
                "recall": 0.7 + v / 20,
                "f1": 0.75 + v / 20,
                "support": 10,
            }
            for v in range(model_versions)
            for category in ("refund_request", "safety_hazard")
        ]
    )
    frame = pd.DataFrame
    return DashboardData(
        generated_at=datetime(2026, 3, 11, 6, 30, tzinfo=UTC),
        summary=frame() if empty else summary,
        periods=frame()
        if empty
        else frame(
            [
                {
                    "baseline_start": DAYS[0],
                    "baseline_end": DAYS[4],
                    "current_start": DAYS[5],
                    "current_end": DAYS[9],
                }
            ]
        ),
        daily=frame()
        if empty
        else frame(
            {
                "day": DAYS,
                "negative_review_rate": [0.5] * 7 + [0.8, 0.6, 0.5],
                "median_minutes_to_first_triage": [1.0] * 10,
            }
        ),
        weekly=frame(),
        themes=frame()
        if empty
        else frame(
            [
                {
                    "theme_rank": 1,
                    "issue_type": "packaging_damage",
                    "reviews": 40,
                    "high_severity_reviews": 12,
                    "top_product_family": "kitchen",
                    "top_region": "BR-SP",
                    "sample_texts": ["box <script>alert(1)</script> crushed", "dented"],
                }
            ]
        ),
        alerts=frame()
        if empty
        else frame(
            {
                "alert_id": ["a", "b", "c"],
                "alert_day": [DAYS[7], DAYS[7], DAYS[8]],
                "kind": ["review", "spike", "review"],
                "is_acknowledged": [True, False, False],
            }
        ),
        unresolved_high_severity=0 if empty else 7,
        spikes=[] if empty else [Spike(DAYS[7], "packaging_damage", "kitchen", "BR-SP", 25, 0.0)],
        model_quality=frame() if empty else quality,
    )


def _images(page: str) -> dict[str, bytes]:
    found = re.findall(r'<figure id="([^"]+)"><img alt="[^"]*" src="data:image/png;base64,([^"]+)"', page)
    return {figure_id: base64.b64decode(data) for figure_id, data in found}


@pytest.mark.parametrize("model_versions", [1, 3])
def test_every_plot_is_an_embedded_png_and_the_page_needs_nothing_else(model_versions: int) -> None:
    page = render_dashboard(_data(model_versions))
    images = _images(page)
    assert set(images) == set(FIGURE_IDS)
    assert all(png.startswith(b"\x89PNG") and len(png) > 5000 for png in images.values())
    assert "<script" not in page.replace("&lt;script", "")  # sample text escaped, no script of our own
    assert "http://" not in page and "https://" not in page
    assert "incident" not in page or "packaging_damage · kitchen · BR-SP" in page
    assert "2026-03-01 → 2026-03-05" in page and "$1,250" in page and "+25%" in page


def test_an_empty_warehouse_still_renders_every_section() -> None:
    page = render_dashboard(_data(empty=True))
    assert set(_images(page)) == set(FIGURE_IDS)
    assert "No ROI figures yet." in page and "No spike detected." in page


def test_write_dashboard_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "roi.html"
    write_dashboard(_data(), target)
    first = target.read_text()
    write_dashboard(_data(model_versions=2), target)
    assert target.read_text() != first and not list(target.parent.glob(".*partial"))


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0.1234, "share", "12.3%"),
        (1234.5, "usd", "$1,234"),
        (2880.0, "minutes", "48.0 h"),
        (1.5, "minutes", "1.5 min"),
        (None, "share", "–"),
        (float("nan"), "usd", "–"),
        (3.0, "items", "3"),
    ],
)
def test_format_value(value: object, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown
