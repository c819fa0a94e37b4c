"""Read one landed file (JSONL, CSV or Parquet) into valid records and quarantined rejects.

Every row ends up in exactly one of the two lists, so for every file rows in = rows ingested + rows
quarantined. Parsing is deterministic: the same bytes always give the same records (bronze replays on it).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from triage_platform.lib.ingest.adapters import adapter_for
from triage_platform.lib.ingest.records import OPTIONAL_TEXT_FIELDS, LandedRecord, ParsedFile, Reject

MAX_TEXT_CHARS = 20_000
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_RAW_CHARS = 2_000
SUPPORTED_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".parquet")


class RowError(ValueError):
    """A row that cannot be ingested; `reason` is the machine-readable quarantine reason."""

    def __init__(self, reason: str, detail: str, day: date | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.day = day


def parse_timestamp(value: Any) -> datetime:
    """ISO 8601 (with Z or an offset; naive means UTC) to an aware UTC datetime."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        parsed = datetime.fromisoformat(value.strip())
    else:
        raise ValueError(f"not a timestamp: {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _clean_optional(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip()
    return text or None


def _parse_rating(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        rating = float(value)
    except (TypeError, ValueError) as error:
        raise RowError("invalid_rating", f"rating {value!r} is not a number") from error
    if not 1 <= rating <= 5:
        raise RowError("invalid_rating", f"rating {value!r} is outside 1-5")
    return rating


def to_record(
    raw: Mapping[str, Any],
    *,
    line: int,
    source: str,
    payload: str,
    partition_start: date,
    max_text_chars: int = MAX_TEXT_CHARS,
) -> LandedRecord:
    """Validate one raw record of a source and map it onto the generic landing format."""
    mapped = adapter_for(source)(raw)
    review_id = _clean_optional(mapped.get("review_id"))
    if review_id is None:
        raise RowError("missing_field:review_id", "the record has no review id")
    if mapped.get("submitted_at") in (None, ""):
        raise RowError("missing_field:submitted_at", "the record has no submission time")
    try:
        submitted_at = parse_timestamp(mapped.get("submitted_at"))
    except (TypeError, ValueError) as error:
        raise RowError("invalid_timestamp", f"submitted_at {mapped.get('submitted_at')!r}") from error
    day = submitted_at.date()
    text = mapped.get("text")
    if text is None or (isinstance(text, float) and math.isnan(text)):
        raise RowError("missing_field:text", "the record has no text", day)
    text = str(text)
    if not text.strip():
        raise RowError("empty_text", "the text is empty", day)
    if len(text) > max_text_chars:
        raise RowError("text_too_long", f"{len(text)} characters (limit {max_text_chars})", day)
    if day < partition_start:
        raise RowError("before_partition_start", f"submitted {day} is before {partition_start}", day)
    try:
        rating = _parse_rating(mapped.get("rating"))
    except RowError as error:
        error.day = day
        raise
    optional = {name: _clean_optional(mapped.get(name)) for name in OPTIONAL_TEXT_FIELDS}
    return LandedRecord(
        line=line,
        source=source,
        source_review_id=review_id,
        submitted_at=submitted_at,
        text=text,
        payload=payload,
        rating=rating,
        **optional,
    )


def _jsonl_rows(data: bytes) -> Iterator[tuple[int, str | None, Any, Reject | None]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        raw_line = raw_line.rstrip(b"\r")
        if not raw_line.strip():
            continue
        try:
            text = raw_line.decode("utf-8")
        except UnicodeDecodeError as error:
            raw = raw_line.decode("utf-8", errors="replace")[:MAX_RAW_CHARS]
            yield number, None, None, Reject(number, "invalid_encoding", f"not UTF-8: {error.reason}", raw)
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            yield number, None, None, Reject(number, "invalid_json", error.msg, text[:MAX_RAW_CHARS])
            continue
        yield number, text, value, None


def _json_array_rows(data: bytes) -> Iterator[tuple[int, str | None, Any, Reject | None]]:
    try:
        values = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        yield 0, None, None, Reject(0, "invalid_json", str(error), "")
        return
    if not isinstance(values, list):
        values = [values]
    for number, value in enumerate(values, start=1):
        yield number, json.dumps(value, ensure_ascii=False), value, None


def _csv_rows(data: bytes) -> Iterator[tuple[int, str | None, Any, Reject | None]]:
    text = data.decode("utf-8-sig", errors="surrogateescape")
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey="__extra__")
    start = 2  # the header is line 1
    for row in reader:
        number, start = start, reader.line_num + 1
        raw = json.dumps(row, ensure_ascii=False, default=str)
        if any(isinstance(v, str) and any("\udc80" <= ch <= "\udcff" for ch in v) for v in row.values()):
            clean = raw.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
            yield number, None, None, Reject(number, "invalid_encoding", "not UTF-8", clean[:MAX_RAW_CHARS])
            continue
        if "__extra__" in row or None in row.values():
            yield (
                number,
                None,
                None,
                Reject(number, "invalid_csv_row", "wrong number of fields", raw[:MAX_RAW_CHARS]),
            )
            continue
        yield number, raw, {key: (value if value != "" else None) for key, value in row.items()}, None


def _parquet_rows(path: Path) -> Iterator[tuple[int, str | None, Any, Reject | None]]:
    table = pq.read_table(path)
    for number, row in enumerate(table.to_pylist(), start=1):
        yield number, json.dumps(row, ensure_ascii=False, default=str), row, None


def parse_file(
    path: Path,
    *,
    relative_path: str,
    source: str,
    partition_start: date,
    max_text_chars: int = MAX_TEXT_CHARS,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> ParsedFile:
    """Parse one landed file. Never raises for bad content: problems become rejects with reasons."""
    parsed = ParsedFile(path=relative_path, source=source)
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as error:
        parsed.rejects.append(Reject(0, "unreadable_file", str(error), ""))
        return parsed
    if suffix not in SUPPORTED_SUFFIXES:
        parsed.rejects.append(
            Reject(0, "unsupported_format", f"unsupported file type {suffix or '(none)'}", "")
        )
        return parsed
    if size > max_file_bytes:
        parsed.rejects.append(Reject(0, "file_too_large", f"{size} bytes (limit {max_file_bytes})", ""))
        return parsed
    try:
        if suffix == ".parquet":
            rows = list(_parquet_rows(path))
        else:
            data = path.read_bytes()
            if suffix == ".csv":
                rows = list(_csv_rows(data))
            elif suffix == ".json" and data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"["):
                rows = list(_json_array_rows(data))
            else:
                rows = list(_jsonl_rows(data))
    except Exception as error:  # a corrupt file is quarantined whole; the batch goes on
        parsed.rejects.append(Reject(0, "unreadable_file", f"{type(error).__name__}: {error}", ""))
        return parsed
    for number, payload, value, reject in rows:
        if reject is not None:
            parsed.rejects.append(reject)
            continue
        assert payload is not None
        if not isinstance(value, Mapping):
            parsed.rejects.append(
                Reject(number, "not_an_object", "the row is not a JSON object", payload[:MAX_RAW_CHARS])
            )
            continue
        try:
            parsed.records.append(
                to_record(
                    value,
                    line=number,
                    source=source,
                    payload=payload,
                    partition_start=partition_start,
                    max_text_chars=max_text_chars,
                )
            )
        except RowError as error:
            parsed.rejects.append(
                Reject(number, error.reason, error.detail, payload[:MAX_RAW_CHARS], error.day)
            )
    return parsed
