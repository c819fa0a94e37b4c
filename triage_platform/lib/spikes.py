"""Spike detection over daily issue counts: a category × product family × region rising well above its
trailing baseline. Feeds the run summary now and spike alerts later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd


@dataclass(frozen=True)
class Spike:
    day: date
    issue_type: str
    product_family: str
    region: str
    reviews: int
    baseline: float


def find_spikes(
    issue_daily: pd.DataFrame, *, window_days: int = 7, min_reviews: int = 10, ratio: float = 3.0
) -> list[Spike]:
    """Cells whose count is at least `min_reviews` and `ratio` times the median of the trailing window
    (days without reviews count as zero), strongest first."""
    if issue_daily.empty:
        return []
    counts = issue_daily.groupby(["issue_type", "product_family", "region", "day"])["reviews"].sum()
    spikes = []
    for (issue_type, family, region), series in counts.groupby(level=[0, 1, 2]):
        by_day = {key[3]: int(value) for key, value in series.items()}
        for day, reviews in by_day.items():
            if reviews < min_reviews:
                continue
            trailing = [by_day.get(day - timedelta(days=offset), 0) for offset in range(1, window_days + 1)]
            baseline = float(pd.Series(trailing).median())
            if reviews >= ratio * max(baseline, 1.0):
                spikes.append(Spike(day, issue_type, family, region, reviews, baseline))
    return sorted(spikes, key=lambda s: (-s.reviews / max(s.baseline, 1.0), s.day))
