"""Which categories have automatic alerting paused, because the model's measured recall on them fell
below their floor. Written by the recall-floor checks, read by routing; a passing evaluation clears it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

PAUSED_FILE = "paused_categories.json"


def read_paused_categories(models_root: Path) -> frozenset[str]:
    path = models_root / PAUSED_FILE
    if not path.is_file():
        return frozenset()
    return frozenset(json.loads(path.read_text(encoding="utf-8")).get("paused", []))


def write_paused_categories(
    models_root: Path, paused: Iterable[str], *, model_version: str, recalls: Mapping[str, float]
) -> Path:
    """Record the outcome of the latest recall evaluation (an empty set restores automation)."""
    models_root.mkdir(parents=True, exist_ok=True)
    path = models_root / PAUSED_FILE
    payload = {
        "paused": sorted(paused),
        "model_version": model_version,
        "recalls": {k: round(float(v), 4) for k, v in sorted(recalls.items())},
        "evaluated_at": datetime.now(UTC).isoformat(),
    }
    staging = path.with_suffix(".tmp")
    staging.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    staging.replace(path)
    return path
