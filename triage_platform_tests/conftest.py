"""Shared fixtures: every test that touches storage gets its own temporary TRIAGE_HOME."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(relative: str) -> Path:
    """A file of the read-only ../shared folder, or a skip with the reason when this clone has none."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/{relative} (present in CI, absent in a user's clone)")
    return path


@pytest.fixture(autouse=True, scope="session")
def _quiet_tools() -> None:
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture
def triage_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh TRIAGE_HOME for one test, in the `test` deployment."""
    home = tmp_path / "triage_home"
    home.mkdir()
    monkeypatch.setenv("TRIAGE_HOME", str(home))
    monkeypatch.setenv("TRIAGE_DEPLOYMENT", "test")
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster_home"))
    yield home


def write_jsonl(path: Path, rows: list[dict | str]) -> Path:
    """Write rows (dicts as JSON, strings verbatim) as a JSONL file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def review(review_id: str, day: str, text: str, **extra: object) -> dict:
    """A record in the generic landing format."""
    return {"review_id": review_id, "submitted_at": f"{day}T10:00:00Z", "text": text, **extra}
