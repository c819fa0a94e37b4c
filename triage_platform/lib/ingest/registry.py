"""The landing file registry and the quarantine table: what was ingested, when, and what was refused.

Each registered file version is archived by content hash, so bronze can be rebuilt byte for byte from
what was received even after the landing zone is cleaned up or a file is rewritten.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from triage_platform.lib.delta import append, delete_where, read_table, sql_string
from triage_platform.lib.ingest.discovery import FileFingerprint, sha256_file
from triage_platform.lib.ingest.parse import parse_file
from triage_platform.lib.ingest.records import ParsedFile
from triage_platform.lib.paths import TriagePaths

REGISTRY_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("version", pa.int64()),
        ("source", pa.string()),
        ("size", pa.int64()),
        ("mtime_ns", pa.int64()),
        ("sha256", pa.string()),
        ("archive_path", pa.string()),
        ("discovered_at", pa.timestamp("us", tz="UTC")),
        ("days", pa.list_(pa.string())),
        ("rows_total", pa.int64()),
        ("rows_valid", pa.int64()),
        ("rows_quarantined", pa.int64()),
    ]
)

QUARANTINE_SCHEMA = pa.schema(
    [
        ("file_path", pa.string()),
        ("file_sha256", pa.string()),
        ("line", pa.int64()),
        ("source", pa.string()),
        ("reason", pa.string()),
        ("detail", pa.string()),
        ("raw", pa.string()),
        ("day", pa.date32()),
        ("quarantined_at", pa.timestamp("us", tz="UTC")),
    ]
)


@dataclass(frozen=True)
class RegisteredFile:
    """A newly registered file version and the day partitions it affects (its days and its predecessor's)."""

    fingerprint: FileFingerprint
    parsed: ParsedFile
    affected_days: frozenset[date]


@dataclass(frozen=True)
class FileVersion:
    path: str
    source: str
    sha256: str
    archive_path: Path
    discovered_at: datetime
    mtime_ns: int


class LandingRegistry:
    """Reads and writes the registry (`<lake>/landing/files`) and quarantine (`paths.quarantine_table`)
    tables; archives each version in the local `paths.landing_archive`."""

    def __init__(self, paths: TriagePaths, partition_start: date) -> None:
        self.paths = paths
        self.partition_start = partition_start
        self.archive_root = paths.landing_archive

    def versions(self) -> pd.DataFrame:
        return read_table(self.paths.registry_table, REGISTRY_SCHEMA)

    def current(self) -> pd.DataFrame:
        """The latest registered version of every path."""
        versions = self.versions()
        if versions.empty:
            return versions
        return versions.sort_values(["path", "version"]).groupby("path", as_index=False).tail(1)

    def known_versions(self) -> set[tuple[str, str]]:
        versions = self.versions()
        return set(zip(versions["path"], versions["sha256"], strict=True))

    def quarantine(self) -> pd.DataFrame:
        return read_table(self.paths.quarantine_table, QUARANTINE_SCHEMA)

    def files_for_day(self, day: date) -> list[FileVersion]:
        """The current file versions that hold rows of one day, in a stable order."""
        current = self.current()
        iso = day.isoformat()
        selected = (
            current[current["days"].map(lambda days: iso in list(days))] if not current.empty else current
        )
        return [
            FileVersion(
                path=row.path,
                source=row.source,
                sha256=row.sha256,
                archive_path=self.archive_root / row.archive_path,
                discovered_at=row.discovered_at.to_pydatetime(),
                mtime_ns=int(row.mtime_ns),
            )
            for row in selected.sort_values("path").itertuples()
        ]

    def parse_version(self, version: FileVersion) -> ParsedFile:
        return parse_file(
            version.archive_path,
            relative_path=version.path,
            source=version.source,
            partition_start=self.partition_start,
        )

    def _archive(self, landing_file: Path, fingerprint: FileFingerprint) -> tuple[FileFingerprint, str]:
        """Copy the file into the content-addressed archive; re-fingerprint if it changed meanwhile."""
        self.archive_root.mkdir(parents=True, exist_ok=True)
        staging = self.archive_root / f".staging-{fingerprint.sha256}"
        shutil.copy2(landing_file, staging)
        sha = sha256_file(staging)
        if sha != fingerprint.sha256:
            stat = staging.stat()
            fingerprint = FileFingerprint(fingerprint.path, stat.st_size, fingerprint.mtime_ns, sha)
        name = f"{sha}{landing_file.suffix.lower()}"
        staging.replace(self.archive_root / name)
        return fingerprint, name

    def register(self, fingerprint: FileFingerprint, discovered_at: datetime) -> RegisteredFile:
        """Archive, parse and record one new file version; replace its path's quarantine rows."""
        landing_file = self.paths.landing / fingerprint.path
        fingerprint, archive_name = self._archive(landing_file, fingerprint)
        parsed = parse_file(
            self.archive_root / archive_name,
            relative_path=fingerprint.path,
            source=fingerprint.source,
            partition_start=self.partition_start,
        )
        versions = self.versions()
        earlier = versions[versions["path"] == fingerprint.path].sort_values("version")
        previous_days: set[date] = set()
        if not earlier.empty:
            previous_days = {date.fromisoformat(d) for d in earlier.iloc[-1]["days"]}
        days = sorted(parsed.days)
        append(
            self.paths.registry_table,
            pa.Table.from_pylist(
                [
                    {
                        "path": fingerprint.path,
                        "version": len(earlier) + 1,
                        "source": fingerprint.source,
                        "size": fingerprint.size,
                        "mtime_ns": fingerprint.mtime_ns,
                        "sha256": fingerprint.sha256,
                        "archive_path": archive_name,
                        "discovered_at": discovered_at,
                        "days": [d.isoformat() for d in days],
                        "rows_total": parsed.rows_total,
                        "rows_valid": len(parsed.records),
                        "rows_quarantined": len(parsed.rejects),
                    }
                ],
                schema=REGISTRY_SCHEMA,
            ),
        )
        delete_where(self.paths.quarantine_table, f"file_path = {sql_string(fingerprint.path)}")
        append(
            self.paths.quarantine_table,
            pa.Table.from_pylist(
                [
                    {
                        "file_path": fingerprint.path,
                        "file_sha256": fingerprint.sha256,
                        "line": reject.line,
                        "source": fingerprint.source,
                        "reason": reject.reason,
                        "detail": reject.detail,
                        "raw": reject.raw,
                        "day": reject.day,
                        "quarantined_at": discovered_at,
                    }
                    for reject in parsed.rejects
                ],
                schema=QUARANTINE_SCHEMA,
            ),
        )
        return RegisteredFile(fingerprint, parsed, frozenset(set(days) | previous_days))
