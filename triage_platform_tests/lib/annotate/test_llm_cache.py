"""The LLM answer cache: keys, SQLite persistence, in-memory fallback."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from triage_platform.lib.annotate.llm_cache import CACHE_FILE, LLMCache, cache_key, default_cache_path

ANSWER = {
    "rationale": "strap snapped",
    "issue_types": ["product_defect"],
    "primary_issue": "product_defect",
    "sentiment": "negative",
    "severity": "high",
    "language": "en",
    "confidence": 0.9,
}


def test_key_depends_on_every_part() -> None:
    base = cache_key("It broke.", "v1", "gpt-4o-mini", "ecommerce-default@1")
    assert base == cache_key("It broke.", "v1", "gpt-4o-mini", "ecommerce-default@1")
    assert len(base) == 64 and int(base, 16) >= 0
    others = {
        cache_key("It broke!", "v1", "gpt-4o-mini", "ecommerce-default@1"),
        cache_key("It broke.", "v2", "gpt-4o-mini", "ecommerce-default@1"),
        cache_key("It broke.", "v1", "gpt-4o", "ecommerce-default@1"),
        cache_key("It broke.", "v1", "gpt-4o-mini", "ecommerce-default@2"),
    }
    assert base not in others and len(others) == 4


@pytest.mark.parametrize("on_disk", [True, False], ids=["sqlite", "memory"])
def test_put_get_clear(tmp_path: Path, on_disk: bool) -> None:
    cache = LLMCache(tmp_path / "sub" / "llm.sqlite" if on_disk else None)
    assert cache.get("k") is None and len(cache) == 0
    cache.put("k", ANSWER)
    assert cache.get("k") == ANSWER
    many = {f"key{n}": {**ANSWER, "confidence": n / 1000} for n in range(700)}  # beyond one SQL chunk
    cache.put_many(many)
    found = cache.get_many([*many, "absent"])
    assert found == many and len(cache) == 701
    cache.clear()
    assert len(cache) == 0


def test_file_persists_across_instances_and_holds_no_text(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    key = cache_key("My private complaint text", "v1", "m", "t@1")
    LLMCache(path).put(key, ANSWER)
    assert LLMCache(path).get(key) == ANSWER
    stored = b"".join(file.read_bytes() for file in tmp_path.iterdir())  # database, WAL and index
    assert b"My private complaint text" not in stored and key.encode() in stored


def test_damaged_row_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    cache = LLMCache(path)
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO llm_cache VALUES ('bad', '{not json', 0)")
    assert cache.get("bad") is None


def test_threads_share_the_file(tmp_path: Path) -> None:
    cache = LLMCache(tmp_path / "llm.sqlite")

    def write(worker: int) -> None:
        for n in range(20):
            cache.put(f"{worker}-{n}", ANSWER)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 80


def test_default_file_lives_under_triage_home(triage_home: Path) -> None:
    assert default_cache_path() == triage_home.resolve() / "cache" / CACHE_FILE
    cache = LLMCache.default()
    cache.put("k", ANSWER)
    assert (triage_home / "cache" / CACHE_FILE).is_file()
