"""Helpers of the alert tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from triage_platform.lib.alerts.model import Alert, dedupe_key_for

TOKEN = "xoxb-1234-SECRET-bot-token-abcdef"


def candidate(
    key: str = "r1",
    *,
    at: datetime,
    category: str = "packaging_damage",
    family: str = "kitchen",
    region: str = "BR-SP",
    priority: str = "high",
    confidence: float | None = 0.9,
    kind: str = "review",
    **extra: Any,
) -> Alert:
    """A review-alert candidate for one review (`key`) at time `at`."""
    fields: dict[str, Any] = {
        "kind": kind,
        "dedupe_key": dedupe_key_for(kind, category, family, region),
        "window_start": at,
        "category": category,
        "product_family": family,
        "region": region,
        "sku": "SKU-0042",
        "owner": "logistics",
        "channel": "#triage-logistics",
        "priority": priority,
        "title": f"{category} · {family} · {region}",
        "sample_review_keys": [key],
        "evidence_keys": [key],
        "sample_text": f"review {key}: the box arrived crushed",
        "review_count": 1,
        "confidence": confidence,
        "link": "http://127.0.0.1:3000/assets/gold/reviews?partition=2026-11-24",
    }
    fields.update(extra)
    return Alert(**fields)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
