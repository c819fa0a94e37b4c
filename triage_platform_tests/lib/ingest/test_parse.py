import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from triage_platform.lib.ingest.adapters import survey_score_to_rating
from triage_platform.lib.ingest.parse import parse_file
from triage_platform_tests.conftest import review, write_jsonl

START = date(2025, 1, 1)


def parse(path: Path, source: str):
    return parse_file(path, relative_path=f"{source}/{path.name}", source=source, partition_start=START)


def test_jsonl_valid_and_malformed_rows_are_split_with_reasons(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    rows = [
        review("1", "2026-03-01", "Great shirt"),
        "{not json",
        json.dumps({"review_id": "2", "submitted_at": "2026-03-01T00:00:00Z"}),
        review("3", "2026-03-01", "   "),
        review("4", "2026-03-02", "x" * 20_001),
        {"review_id": "5", "submitted_at": "yesterday", "text": "hello"},
        review("6", "2026-03-02", "rating is odd", rating=9),
        review("7", "2024-06-01", "too old"),
        "[1, 2]",
        review("8", "2026-03-02", "fine", rating="4"),
    ]
    write_jsonl(path, rows)
    with path.open("ab") as handle:
        handle.write(b'{"review_id": "9", "text": "caf\xe9"}\n')
    parsed = parse(path, "onsite_review")
    assert [r.source_review_id for r in parsed.records] == ["1", "8"]
    assert parsed.records[1].rating == 4.0
    reasons = {r.line: r.reason for r in parsed.rejects}
    assert reasons == {
        2: "invalid_json",
        3: "missing_field:text",
        4: "empty_text",
        5: "text_too_long",
        6: "invalid_timestamp",
        7: "invalid_rating",
        8: "before_partition_start",
        9: "not_an_object",
        11: "invalid_encoding",
    }
    assert parsed.rows_total == 11
    assert all(r.raw or r.reason == "invalid_encoding" for r in parsed.rejects)
    assert parsed.days == {date(2026, 3, 1), date(2026, 3, 2)}


def test_payload_is_kept_verbatim(tmp_path: Path) -> None:
    line = '{"review_id": "a1",  "submitted_at": "2026-03-01T10:00:00+02:00", "text": "Olá 👋"}'
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + line.encode() + b"\r\n")
    parsed = parse(path, "social")
    (record,) = parsed.records
    assert record.payload == line
    assert record.submitted_at.isoformat() == "2026-03-01T08:00:00+00:00"


def test_csv_survey_adapter_maps_fields_and_scale(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_bytes(
        "\ufeffresponse_id,order_id,submitted,score_0_10,comment,region,sku,customer_email,locale\r\n"
        's1,o-1,2026-03-01T09:00:00+00:00,10,"Chegou rápido, adorei",BR-SP,sku 1001,a@b.com,pt-BR\r\n'
        "s2,o-2,2026-03-01T09:00:00+00:00,42,too high,BR-SP,,,\r\n"
        's3,o-3,2026-03-01T09:00:00+00:00,0,"multi\nline",US-CA,,,\r\n'.encode()
    )
    parsed = parse(path, "post_purchase_survey")
    assert [r.source_review_id for r in parsed.records] == ["s1", "s3"]
    first = parsed.records[0]
    assert (first.rating, first.region, first.customer_id, first.language, first.sku) == (
        5,
        "BR-SP",
        "a@b.com",
        "pt",
        "sku 1001",
    )
    assert parsed.records[1].text == "multi\nline" and parsed.records[1].rating == 1
    assert [(r.line, r.reason) for r in parsed.rejects] == [(3, "invalid_rating")]
    assert json.loads(first.payload)["score_0_10"] == "10"


def test_csv_with_invalid_bytes_quarantines_the_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(
        b"review_id,submitted_at,text\n1,2026-03-01T00:00:00Z,ok\n2,2026-03-01T00:00:00Z,caf\xe9\n3,2026-03-01,extra,field\n"
    )
    parsed = parse(path, "marketplace")
    assert [r.source_review_id for r in parsed.records] == ["1"]
    assert [(r.line, r.reason) for r in parsed.rejects] == [(3, "invalid_encoding"), (4, "invalid_csv_row")]


def test_parquet_ticket_adapter(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    table = pa.Table.from_pylist(
        [
            {
                "ticket_id": "T1",
                "created_at": "2026-03-01T12:00:00Z",
                "subject": "Broken",
                "body": "<b>It broke</b>",
                "customer_id": "c1",
                "order_ref": "ORD-1",
                "sku": "SKU-1001",
                "region": "US-CA",
                "lang": "en",
            },
            {
                "ticket_id": "T2",
                "created_at": "2026-03-01T12:00:00Z",
                "subject": "x",
                "body": None,
                "customer_id": "c2",
                "order_ref": None,
                "sku": None,
                "region": None,
                "lang": None,
            },
        ]
    )
    pq.write_table(table, path)
    parsed = parse(path, "support_ticket")
    (record,) = parsed.records
    assert (record.title, record.text, record.order_id, record.language) == (
        "Broken",
        "<b>It broke</b>",
        "ORD-1",
        "en",
    )
    assert [(r.line, r.reason) for r in parsed.rejects] == [(2, "missing_field:text")]


def test_whole_file_rejects(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("hello")
    assert [r.reason for r in parse(odd, "onsite_review").rejects] == ["unsupported_format"]
    corrupt = tmp_path / "c.parquet"
    corrupt.write_bytes(b"PAR1 not really")
    assert [r.reason for r in parse(corrupt, "support_ticket").rejects] == ["unreadable_file"]
    big = tmp_path / "big.jsonl"
    write_jsonl(big, [review("1", "2026-03-01", "a" * 100)])
    result = parse_file(
        big, relative_path="x/big.jsonl", source="x", partition_start=START, max_file_bytes=10
    )
    assert [r.reason for r in result.rejects] == ["file_too_large"] and not result.records


def test_survey_scale() -> None:
    assert [survey_score_to_rating(s) for s in (0, 5, 10, "7", None)] == [1, 3, 5, 4, None]
