"""The one discovery routine shared by the landing sensor and `triage run` (Auto Loader's "available now")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from triage_platform.lib.ingest.discovery import FileFingerprint, scan_landing
from triage_platform.lib.ingest.registry import LandingRegistry, RegisteredFile

MAX_FILES_PER_PASS = 500


@dataclass(frozen=True)
class IngestionPlan:
    """What one discovery pass found: new file versions, the days to (re)build, and the next cursor."""

    registered: list[RegisteredFile]
    days: list[date]
    cursor: dict[str, FileFingerprint]
    more_pending: bool


def discover_new_files(
    registry: LandingRegistry,
    known: Mapping[str, FileFingerprint],
    *,
    now: datetime | None = None,
    max_files: int = MAX_FILES_PER_PASS,
) -> IngestionPlan:
    """Register every new or changed landed file (at most `max_files`) and list the days they touch.

    A version already in the registry (ingested by another pass, e.g. `triage run` while the sensor was
    off) is remembered in the cursor but not registered or requested again: each version is ingested once.
    """
    now = now or datetime.now(UTC)
    scan = scan_landing(registry.paths.landing, known)
    already = registry.known_versions()
    cursor = dict(known)
    # Files that vanished stay in the cursor: bronze keeps their archived rows, like Auto Loader.
    registered: list[RegisteredFile] = []
    unchanged = {path: fp for path, fp in scan.current.items() if fp not in scan.changed}
    cursor.update(unchanged)
    pending = [fp for fp in scan.changed if (fp.path, fp.sha256) not in already]
    for fingerprint in scan.changed:
        if (fingerprint.path, fingerprint.sha256) in already:
            cursor[fingerprint.path] = fingerprint
    for fingerprint in pending[:max_files]:
        result = registry.register(fingerprint, now)
        registered.append(result)
        cursor[fingerprint.path] = result.fingerprint
    days = sorted({day for result in registered for day in result.affected_days})
    return IngestionPlan(
        registered=registered, days=days, cursor=cursor, more_pending=len(pending) > max_files
    )
