"""Auto Loader-style discovery: which landed files are new or changed since we last looked.

A file is identified by its path; a version of it by (size, modified time, content hash). Size and
modified time are a cheap first test; the content hash decides, so touching a file without changing it
re-ingests nothing, and rewriting it with new content is a new version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp")


@dataclass(frozen=True)
class FileFingerprint:
    """One version of one landed file."""

    path: str  # relative to the landing root, POSIX separators: "<source>/<file>"
    size: int
    mtime_ns: int
    sha256: str

    @property
    def source(self) -> str:
        return self.path.split("/", 1)[0]


@dataclass(frozen=True)
class ScanResult:
    changed: list[FileFingerprint]  # new files and new versions of known files
    current: dict[str, FileFingerprint]  # every file present now, by path


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def list_landing_files(landing_root: Path) -> list[Path]:
    """Files under landing/<source>/ (any depth), skipping hidden, partial and underscore-prefixed ones."""
    if not landing_root.is_dir():
        return []
    found = []
    for path in landing_root.rglob("*"):
        relative = path.relative_to(landing_root)
        if len(relative.parts) < 2 or not path.is_file():
            continue
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        if path.name.endswith(IGNORED_SUFFIXES):
            continue
        found.append(path)
    return sorted(found)


def scan_landing(landing_root: Path, known: Mapping[str, FileFingerprint]) -> ScanResult:
    """Fingerprint what is in the landing zone and report what differs from `known`."""
    changed: list[FileFingerprint] = []
    current: dict[str, FileFingerprint] = {}
    for path in list_landing_files(landing_root):
        relative = path.relative_to(landing_root).as_posix()
        stat = path.stat()
        previous = known.get(relative)
        if previous is not None and previous.size == stat.st_size and previous.mtime_ns == stat.st_mtime_ns:
            current[relative] = previous
            continue
        fingerprint = FileFingerprint(relative, stat.st_size, stat.st_mtime_ns, sha256_file(path))
        current[relative] = fingerprint
        if previous is None or previous.sha256 != fingerprint.sha256:
            changed.append(fingerprint)
    return ScanResult(changed=changed, current=current)


def encode_cursor(files: Mapping[str, FileFingerprint]) -> str:
    """A compact JSON cursor: path -> [size, mtime_ns, sha256]."""
    return json.dumps(
        {"v": 1, "files": {p: [f.size, f.mtime_ns, f.sha256] for p, f in sorted(files.items())}},
        separators=(",", ":"),
    )


def decode_cursor(cursor: str | None) -> dict[str, FileFingerprint]:
    if not cursor:
        return {}
    data = json.loads(cursor)
    return {
        path: FileFingerprint(path, size, mtime, sha) for path, (size, mtime, sha) in data["files"].items()
    }
