import os
from datetime import UTC, date, datetime
from pathlib import Path

from triage_platform.lib.ingest.discovery import (
    decode_cursor,
    encode_cursor,
    list_landing_files,
    scan_landing,
)
from triage_platform.lib.ingest.plan import discover_new_files
from triage_platform.lib.ingest.registry import LandingRegistry
from triage_platform.lib.paths import TriagePaths
from triage_platform_tests.conftest import review, write_jsonl

NOW = datetime(2026, 3, 5, tzinfo=UTC)


def test_listing_skips_hidden_partial_and_top_level_files(tmp_path: Path) -> None:
    for name in ("a/x.jsonl", "a/.hidden.jsonl", "a/y.jsonl.part", "_tmp/z.jsonl", "top.jsonl", "b/c/d.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    assert [p.relative_to(tmp_path).as_posix() for p in list_landing_files(tmp_path)] == [
        "a/x.jsonl",
        "b/c/d.csv",
    ]


def test_scan_hashes_only_when_size_or_mtime_change(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "s" / "a.jsonl", [review("1", "2026-03-01", "hi")])
    first = scan_landing(tmp_path, {})
    assert [f.path for f in first.changed] == ["s/a.jsonl"]
    assert scan_landing(tmp_path, first.current).changed == []
    os.utime(path, ns=(1, 1))  # touched, same bytes: not a new version
    touched = scan_landing(tmp_path, first.current)
    assert touched.changed == [] and touched.current["s/a.jsonl"].mtime_ns == 1
    write_jsonl(path, [review("1", "2026-03-01", "hi!")])
    assert [f.path for f in scan_landing(tmp_path, touched.current).changed] == ["s/a.jsonl"]
    assert decode_cursor(encode_cursor(first.current)) == first.current


def test_registry_registers_each_version_once_and_tracks_affected_days(tmp_path: Path) -> None:
    paths = TriagePaths(tmp_path / "home").ensure()
    registry = LandingRegistry(paths, date(2025, 1, 1))
    landing_file = write_jsonl(
        paths.landing / "onsite_review" / "a.jsonl", [review("1", "2026-03-01", "ok"), "{bad"]
    )
    plan = discover_new_files(registry, {}, now=NOW)
    assert plan.days == [date(2026, 3, 1)]
    assert discover_new_files(registry, plan.cursor, now=NOW).registered == []
    # A lost cursor (or `triage run` after the sensor) still ingests nothing twice: the registry decides.
    assert discover_new_files(registry, {}, now=NOW).registered == []
    quarantine = registry.quarantine()
    assert list(quarantine["reason"]) == ["invalid_json"] and list(quarantine["line"]) == [2]
    # Rewritten: its rows move to another day; both days need rebuilding, the old rejects are replaced.
    write_jsonl(landing_file, [review("1", "2026-03-02", "ok")])
    rewritten = discover_new_files(registry, plan.cursor, now=NOW)
    assert rewritten.days == [date(2026, 3, 1), date(2026, 3, 2)]
    assert registry.quarantine().empty
    assert [v.path for v in registry.files_for_day(date(2026, 3, 1))] == []
    (version,) = registry.files_for_day(date(2026, 3, 2))
    assert version.archive_path.exists() and version.archive_path.name.startswith(version.sha256)
    # The archive keeps every version, so bronze can replay after the landing file is gone.
    landing_file.unlink()
    assert [r.source_review_id for r in registry.parse_version(version).records] == ["1"]


def test_plan_caps_files_per_pass(tmp_path: Path) -> None:
    paths = TriagePaths(tmp_path / "home").ensure()
    registry = LandingRegistry(paths, date(2025, 1, 1))
    for i in range(3):
        write_jsonl(paths.landing / "s" / f"{i}.jsonl", [review(str(i), f"2026-03-0{i + 1}", "ok")])
    first = discover_new_files(registry, {}, now=NOW, max_files=2)
    assert len(first.registered) == 2 and first.more_pending
    second = discover_new_files(registry, first.cursor, now=NOW, max_files=2)
    assert len(second.registered) == 1 and not second.more_pending
