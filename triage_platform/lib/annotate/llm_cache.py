"""A small persistent cache of LLM answers, so a rerun (or a duplicate text) never pays twice.

Keys are sha256 digests of (redacted text, prompt version, model, taxonomy version): a change of prompt,
model or taxonomy misses the cache by construction, and the file never holds review texts, only their
digests and the validated labels. Values are the model's validated fields for one review (issue types,
primary issue, sentiment, severity, language, confidence, rationale), not the item id: one answer serves
every review with the same text.

The store is one SQLite file (stdlib `sqlite3`, WAL mode, a connection per operation so threads and the
processes of a multiprocess Dagster run can share it); with no path it lives in memory for the process.
The default file is `TRIAGE_HOME/cache/llm_annotations.sqlite`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

from triage_platform.lib.paths import TriagePaths

CACHE_FILE = "llm_annotations.sqlite"
"""File name of the LLM cache under `TRIAGE_HOME/cache/`."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS llm_cache (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at REAL NOT NULL
)
"""

_CHUNK = 500  # SQLite's default limit on host parameters is 999 (older builds)


def cache_key(text: str, prompt_version: str, model: str, taxonomy_version: str) -> str:
    """sha256 hex digest identifying one (redacted text, prompt version, model, taxonomy version)."""
    material = json.dumps([text, prompt_version, model, taxonomy_version], ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def default_cache_path() -> Path:
    """`TRIAGE_HOME/cache/llm_annotations.sqlite` (TRIAGE_HOME defaults to ./.triage)."""
    return TriagePaths.from_env().home / "cache" / CACHE_FILE


class LLMCache:
    """Maps cache keys (`cache_key`) to JSON-serializable answers; SQLite file or in-memory (path None)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._memory: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as connection, connection:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute(_SCHEMA)

    @classmethod
    def default(cls) -> LLMCache:
        """The cache file under the current TRIAGE_HOME."""
        return cls(default_cache_path())

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30.0)

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached answer for `key`, or None."""
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Cached answers of the keys that are present (absent keys are simply missing)."""
        wanted = list(dict.fromkeys(keys))
        if self.path is None:
            with self._lock:
                return {key: dict(self._memory[key]) for key in wanted if key in self._memory}
        found: dict[str, dict[str, Any]] = {}
        with closing(self._connect()) as connection:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(f"SELECT key, value FROM llm_cache WHERE key IN ({marks})", chunk)
                for key, value in rows:
                    try:
                        found[key] = json.loads(value)
                    except json.JSONDecodeError:  # a damaged row is a miss, not an error
                        continue
        return found

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        """Store (or replace) the answer for `key`."""
        self.put_many({key: value})

    def put_many(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        """Store several answers in one transaction."""
        if not entries:
            return
        if self.path is None:
            with self._lock:
                self._memory.update({key: dict(value) for key, value in entries.items()})
            return
        now = time.time()
        rows = [(key, json.dumps(dict(value), ensure_ascii=False), now) for key, value in entries.items()]
        with closing(self._connect()) as connection, connection:
            connection.executemany(
                "INSERT OR REPLACE INTO llm_cache (key, value, created_at) VALUES (?, ?, ?)", rows
            )

    def __len__(self) -> int:
        if self.path is None:
            return len(self._memory)
        with closing(self._connect()) as connection:
            return int(connection.execute("SELECT COUNT(*) FROM llm_cache").fetchone()[0])

    def clear(self) -> None:
        """Forget every answer."""
        if self.path is None:
            with self._lock:
                self._memory.clear()
            return
        with closing(self._connect()) as connection, connection:
            connection.execute("DELETE FROM llm_cache")

    def __repr__(self) -> str:
        return f"LLMCache({str(self.path) if self.path else ':memory:'})"


__all__ = ["CACHE_FILE", "LLMCache", "cache_key", "default_cache_path"]
