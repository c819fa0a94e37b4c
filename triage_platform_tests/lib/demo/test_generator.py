"""The demo generator: layout, shapes, determinism, and the mess it promises (and nothing more)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from triage_platform.lib.demo import DemoManifest, Incident, generate_demo
from triage_platform.lib.demo.generator import load_regions, load_skus, luhn_valid
from triage_platform.lib.text.normalize import standardize_sku

END = date(2026, 11, 30)
DAYS = 6
PER_DAY = 80
SOURCES = {
    "onsite_review": ("reviews_", ".jsonl"),
    "app_store": ("appstore_", ".jsonl"),
    "post_purchase_survey": ("survey_", ".csv"),
    "support_ticket": ("tickets_", ".parquet"),
    "social": ("mentions_", ".jsonl"),
}
TEXT_KEY = {"app_store": "content", "post_purchase_survey": "comment", "support_ticket": "body"}
TIME_KEY = {"app_store": "at", "post_purchase_survey": "submitted", "support_ticket": "created_at"}
PACKAGING = re.compile(
    r"caixa|embalagem|amassad|quebrad|vazando|box|packag|crushed|broken|leaking|dented", re.I
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate_demo(tmp_path_factory.mktemp("demo"), days=DAYS, per_day=PER_DAY, end_day=END)


def _valid_time(value: Any) -> bool:
    try:
        datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _read_rows(path: Path) -> list[tuple[dict[str, Any] | None, bool]]:
    """Every data row of a landed file as (record or None, broken?), judged by the landing contract."""
    source = path.parent.name
    text_key = TEXT_KEY.get(source, "text")
    time_key = TIME_KEY.get(source, "submitted_at")
    rows: list[tuple[dict[str, Any] | None, bool]] = []
    if path.suffix == ".jsonl":
        for line in path.read_bytes().split(b"\n"):
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                rows.append((None, True))
                continue
            if not isinstance(record, dict):
                rows.append((None, True))
                continue
            text = record.get(text_key)
            rating = record.get("score" if source == "app_store" else "rating")
            broken = (
                not isinstance(text, str)
                or not text.strip()
                or len(text) > 20_000
                or not _valid_time(record.get(time_key))
                or (rating is not None and not (isinstance(rating, int) and 1 <= rating <= 5))
            )
            rows.append((record, broken))
    elif path.suffix == ".csv":
        reader = csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""))
        for record in reader:
            score = record["score_0_10"]
            broken = (
                not record["comment"].strip()
                or not _valid_time(record["submitted"])
                or not (score.isdigit() and 0 <= int(score) <= 10)
            )
            rows.append((record, broken))
    else:
        for record in pq.read_table(path).to_pylist():
            rows.append((record, not record["body"].strip() or not _valid_time(record["created_at"])))
    return rows


def _good_records(manifest: DemoManifest) -> list[tuple[Path, dict[str, Any]]]:
    return [(p, r) for p in manifest.files for r, broken in _read_rows(p) if not broken and r is not None]


def _text(path: Path, record: dict[str, Any]) -> str:
    return record[TEXT_KEY.get(path.parent.name, "text")]


def _day(path: Path, record: dict[str, Any]) -> date:
    return (
        datetime.fromisoformat(record[TIME_KEY.get(path.parent.name, "submitted_at")]).astimezone(UTC).date()
    )


def test_layout_one_file_per_source_per_day(demo: DemoManifest) -> None:
    assert demo.days == [END - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    on_disk = sorted(p for p in demo.out_dir.rglob("*") if p.is_file())
    assert on_disk == sorted(demo.files)
    for source, (prefix, suffix) in SOURCES.items():
        for day in demo.days:
            assert (demo.out_dir / source / f"{prefix}{day.isoformat()}{suffix}").is_file()
    assert {p.parent.name for p in demo.files} == set(SOURCES)
    assert {p.suffix for p in demo.files} == {".jsonl", ".csv", ".parquet"}


def test_shapes_follow_the_data_contracts(demo: DemoManifest) -> None:
    skus = {s.sku for s in load_skus()}
    regions = set(load_regions())
    seen: set[str] = set()
    for path, record in _good_records(demo):
        source = path.parent.name
        seen.add(source)
        if source in ("onsite_review", "social"):
            assert {"review_id", "source", "submitted_at", "text", "sku", "region"} <= record.keys()
            assert record["source"] == source
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["submitted_at"])
        elif source == "app_store":
            assert {
                "reviewId",
                "userName",
                "content",
                "score",
                "at",
                "appVersion",
                "country",
            } <= record.keys()
            assert record["country"] in regions
        elif source == "post_purchase_survey":
            assert list(record) == [
                "response_id", "order_id", "submitted", "score_0_10", "comment", "region", "sku",
                "customer_email", "locale",
            ]  # fmt: skip
        else:
            assert set(record) == {
                "ticket_id", "created_at", "subject", "body", "customer_id", "order_ref", "sku", "region",
                "priority", "lang",
            }  # fmt: skip
        if "sku" in record:
            # Survey and ticket systems type SKUs loosely; silver standardizes them back.
            assert standardize_sku(record["sku"]) in skus
        if "region" in record:
            assert record["region"] in regions
    assert seen == set(SOURCES)


def test_deterministic_byte_identical(demo: DemoManifest, tmp_path: Path) -> None:
    again = generate_demo(tmp_path, days=DAYS, per_day=PER_DAY, end_day=END)
    assert [p.relative_to(tmp_path) for p in again.files] == [p.relative_to(demo.out_dir) for p in demo.files]
    for first, second in zip(demo.files, again.files, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
    assert (again.rows_written, again.malformed_rows, again.incident) == (
        demo.rows_written,
        demo.malformed_rows,
        demo.incident,
    )
    other = generate_demo(tmp_path / "other", days=DAYS, per_day=PER_DAY, end_day=END, seed=8)
    assert other.files[0].read_bytes() != demo.files[0].read_bytes()


def test_row_totals(demo: DemoManifest) -> None:
    per_file = {p: len(_read_rows(p)) for p in demo.files}
    assert sum(per_file.values()) == demo.rows_written
    base = DAYS * PER_DAY
    extra = len(demo.incident.days) * demo.incident.extra_reviews_per_day
    assert 0.85 * base + extra < demo.rows_written < 1.4 * base + extra
    by_source = Counter()
    for path, rows in per_file.items():
        if "_retry" not in path.name and "_late" not in path.name:
            by_source[path.parent.name] += rows
    assert (
        by_source["onsite_review"]
        > by_source["app_store"]
        > by_source["support_ticket"]
        > by_source["social"]
    )


def test_only_the_deliberately_malformed_rows_are_broken(demo: DemoManifest) -> None:
    broken = [(p, r) for p in demo.files for r, bad in _read_rows(p) if bad]
    assert len(broken) == demo.malformed_rows
    assert 0 < demo.malformed_rows < 0.05 * demo.rows_written
    # the planted kinds are all there
    raw_lines = [
        line for p in demo.files if p.suffix == ".jsonl" for line in p.read_bytes().split(b"\n") if line
    ]
    undecodable = 0
    unparsable = 0
    for line in raw_lines:
        try:
            json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            undecodable += 1
        except json.JSONDecodeError:
            unparsable += 1
    assert undecodable >= 1
    assert unparsable >= 2
    records = [r for p in demo.files for r, bad in _read_rows(p) if bad and r is not None]
    assert any(len(r.get("text") or "") > 25_000 for r in records)
    assert any(r.get("submitted_at") == "yesterday" for r in records)
    assert any(r.get("score_0_10") == "42" for r in records)
    assert any("text" not in r for r in records if "review_id" in r)


def test_incident_on_exactly_its_days(demo: DemoManifest) -> None:
    incident = demo.incident
    assert isinstance(incident, Incident)
    assert incident.category == "packaging_damage"
    assert (incident.sku, incident.product_family, incident.region) == ("SKU-1033", "kitchen", "BR-SP")
    assert incident.days == tuple(END - timedelta(days=d) for d in (5, 4, 3))
    assert incident.extra_reviews_per_day == 25
    per_day: Counter[date] = Counter()
    packaging: Counter[date] = Counter()
    portuguese = 0
    for path, record in _good_records(demo):
        if path.parent.name not in ("onsite_review", "post_purchase_survey"):
            continue
        if standardize_sku(record.get("sku")) == incident.sku and record.get("region") == incident.region:
            day = _day(path, record)
            per_day[day] += 1
            text = _text(path, record)
            if PACKAGING.search(text):
                packaging[day] += 1
            if day in incident.days and re.search(r"caixa|embalagem|chegou|produto", text, re.I):
                portuguese += 1
    for day in demo.days:
        if day in incident.days:
            assert per_day[day] >= incident.extra_reviews_per_day
            assert packaging[day] >= 0.9 * per_day[day] - 2
        else:
            assert per_day[day] <= 4
    assert portuguese > 0.6 * sum(per_day[d] for d in incident.days)


def test_pii_inside_texts(demo: DemoManifest) -> None:
    texts = [_text(p, r) for p, r in _good_records(demo)]
    joined = "\n".join(texts)
    assert re.search(r"[\w.]+@[\w-]+\.\w+", joined)
    assert re.search(r"(?i)order #\d{6,}|pedido \d{6,}|bestellung nr\. \d+|commande n° \d+", joined)
    cards = re.findall(r"\b(?:\d{4}[ -]?){3}\d{4}\b", joined)
    assert cards and all(luhn_valid(c) for c in cards)
    assert re.search(r"\+\d{1,2} |\(\d{2,3}\) \d", joined)
    with_pii = sum(1 for t in texts if re.search(r"@\w+\.\w|#\d{6}|\b\d{8}\b|\d{4} \d{4} \d{4}|\+\d\d? ", t))
    assert 0.03 < with_pii / len(texts) < 0.3
    surveys = [r for p, r in _good_records(demo) if p.parent.name == "post_purchase_survey"]
    assert any("@" in r["customer_email"] for r in surveys)


def test_languages(demo: DemoManifest) -> None:
    declared: Counter[str] = Counter()
    for _, record in _good_records(demo):
        language = record.get("language") or record.get("lang") or (record.get("locale") or "")[:2]
        if language:
            declared[language] += 1
    assert set(declared) == {"en", "pt", "es", "de", "fr"}
    total = sum(declared.values())
    assert 0.45 < declared["en"] / total < 0.75
    assert 0.1 < declared["pt"] / total < 0.35
    onsite = [r for p, r in _good_records(demo) if p.parent.name == "onsite_review"]
    assert 0.15 < sum("language" in r for r in onsite) / len(onsite) < 0.6  # optional, often absent


def test_quirks(demo: DemoManifest) -> None:
    good = _good_records(demo)
    tickets = [_text(p, r) for p, r in good if p.parent.name == "support_ticket"]
    assert sum("<p>" in t or "<br>" in t for t in tickets) > 0.5 * len(tickets)
    assert any("&amp;" in t for t in tickets)
    texts = [_text(p, r) for p, r in good]
    assert any(re.search("[\U0001f300-\U0001faff]", t) for t in texts)
    assert any("Ã" in t for t in texts)
    surveys = [p.read_bytes() for p in demo.files if p.suffix == ".csv"]
    assert any(data.startswith(b"\xef\xbb\xbf") for data in surveys)
    assert any(b"\r\n" in data for data in surveys)
    assert any(b"\r\n" not in data for data in surveys)
    onsite = [p for p in demo.files if p.parent.name == "onsite_review"]
    duplicates = sum(
        len(lines) - len(set(lines))
        for lines in ([x for x in p.read_bytes().split(b"\n") if x] for p in onsite)
    )
    assert duplicates >= 1


def test_texts_rarely_repeat(demo: DemoManifest) -> None:
    by_id = {r["review_id"]: r["text"] for p, r in _good_records(demo) if p.parent.name == "onsite_review"}
    assert len(set(by_id.values())) > 0.97 * len(by_id)


def test_social_mirrors_onsite_reviews(demo: DemoManifest) -> None:
    good = _good_records(demo)
    onsite = {(_day(p, r), r["sku"], r["text"]) for p, r in good if p.parent.name == "onsite_review"}
    social = [(p, r) for p, r in good if p.parent.name == "social"]
    mirrors = 0
    for path, record in social:
        key = (_day(path, record), record["sku"])
        if any(
            text in record["text"] and record["text"] != text
            for day, sku, text in onsite
            if (day, sku) == key
        ):
            mirrors += 1
            assert not record["review_id"].startswith("OS-")
    assert 0.3 < mirrors / len(social) < 0.7


def test_late_file(demo: DemoManifest) -> None:
    late_day = END - timedelta(days=5)
    late = demo.out_dir / "onsite_review" / f"reviews_{late_day.isoformat()}_late.jsonl"
    assert late in demo.files
    rows = _read_rows(late)
    assert 15 <= len(rows) <= 25
    assert all(
        not broken and record is not None and _day(late, record) == late_day for record, broken in rows
    )
    regular = demo.out_dir / "onsite_review" / f"reviews_{late_day.isoformat()}.jsonl"
    ids = {r["review_id"] for r, _ in _read_rows(regular) if r is not None}
    assert not ids & {r["review_id"] for r, _ in rows if r is not None}


def test_retry_file_repeats_its_original(demo: DemoManifest) -> None:
    retries = [p for p in demo.files if p.name.endswith("_retry1.jsonl")]
    assert retries
    for retry in retries:
        assert retry.parent.name == "app_store"
        original = retry.with_name(retry.name.replace("_retry1", ""))
        assert original in demo.files
        assert retry.read_bytes() == original.read_bytes()


def test_records_fall_on_their_files_day(demo: DemoManifest) -> None:
    for path, record in _good_records(demo):
        stamp = re.search(r"\d{4}-\d\d-\d\d", path.name)
        assert stamp is not None
        assert _day(path, record).isoformat() == stamp.group(0), path.name


def test_ratings_follow_the_text(demo: DemoManifest) -> None:
    incident = demo.incident
    scores = [
        int(r["score_0_10"])
        for p, r in _good_records(demo)
        if p.parent.name == "post_purchase_survey"
        and (r["sku"], r["region"]) == (incident.sku, incident.region)
        and _day(p, r) in incident.days
    ]
    assert scores and max(scores) <= 3  # damaged on arrival: 1-2 stars
    ratings = Counter(r["rating"] for p, r in _good_records(demo) if p.parent.name == "onsite_review")
    assert set(ratings) == {1, 2, 3, 4, 5}
    assert ratings[5] > ratings[3]  # about 45% of reviews report no issue


def test_days_argument_respected(tmp_path: Path) -> None:
    manifest = generate_demo(tmp_path, days=3, per_day=20, end_day=END)
    assert manifest.days == [END - timedelta(days=2), END - timedelta(days=1), END]
    stamps = {p.name.split("_")[1].removesuffix(p.suffix) for p in manifest.files}
    assert stamps == {d.isoformat() for d in manifest.days}
    assert set(manifest.incident.days) <= set(manifest.days)
    assert len([p for p in manifest.files if p.parent.name == "support_ticket"]) == 3


def test_end_day_defaults_to_today_utc(tmp_path: Path) -> None:
    manifest = generate_demo(tmp_path, days=1, per_day=10)
    assert manifest.days == [datetime.now(UTC).date()]


@pytest.mark.parametrize("kwargs", [{"days": 0}, {"per_day": 0}])
def test_rejects_empty_ranges(tmp_path: Path, kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        generate_demo(tmp_path, **kwargs)


def test_the_platform_parser_quarantines_exactly_the_malformed_rows(demo: DemoManifest) -> None:
    parse = pytest.importorskip("triage_platform.lib.ingest.parse")
    quarantined = 0
    valid = 0
    for path in demo.files:
        parsed = parse.parse_file(
            path,
            relative_path=str(path.relative_to(demo.out_dir)),
            source=path.parent.name,
            partition_start=demo.days[0],
        )
        quarantined += len(parsed.rejects)
        valid += len(parsed.records)
    assert quarantined == demo.malformed_rows
    assert valid + quarantined == demo.rows_written
