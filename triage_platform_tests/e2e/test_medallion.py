"""End to end: landing files → sensor → bronze → silver → annotations → gold, on real Delta tables and a
real Dagster instance."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from triage_platform.lib.delta import read_table
from triage_platform_tests.conftest import review, write_jsonl
from triage_platform_tests.e2e.platform import Platform, stable

DAY1, DAY2 = "2026-03-01", "2026-03-02"


@pytest.fixture
def platform(triage_home: Path) -> Platform:
    return Platform.start()


def onsite(platform: Platform, name: str, rows: list) -> Path:
    return write_jsonl(platform.landing / "onsite_review" / name, rows)


def test_two_ticks_over_the_same_files_ingest_once(platform: Platform) -> None:
    onsite(
        platform,
        "a.jsonl",
        [review("1", DAY1, "The zipper broke after a week."), review("2", DAY2, "Love it")],
    )
    first = platform.tick()
    assert sorted(r.partition_key for r in first) == [DAY1, DAY2]
    assert platform.tick() == []
    assert platform.tick(cursor=None, use_own_cursor=False) == []  # even with a lost cursor
    bronze = platform.table("bronze", "reviews")
    assert sorted(bronze["source_review_id"]) == ["1", "2"]
    assert platform.table("gold", "reviews")["review_key"].nunique() == 2


def test_rewritten_file_reingests_without_duplicates(platform: Platform) -> None:
    path = onsite(platform, "a.jsonl", [review("1", DAY1, "Too small"), review("2", DAY1, "Nice colour")])
    platform.tick()
    onsite(
        platform, path.name, [review("1", DAY1, "Too small, runs two sizes small"), review("3", DAY2, "Good")]
    )
    requests = platform.tick()
    assert sorted(r.partition_key for r in requests) == [DAY1, DAY2]
    bronze = platform.table("bronze", "reviews").sort_values("source_review_id")
    assert list(bronze["source_review_id"]) == ["1", "3"]
    assert bronze.iloc[0]["text"] == "Too small, runs two sizes small"
    silver = platform.table("silver", "reviews")
    assert sorted(silver["review_key"]) == ["onsite_review:1", "onsite_review:3"]


def test_late_file_for_a_done_day_is_picked_up(platform: Platform) -> None:
    onsite(platform, "day1.jsonl", [review("1", DAY1, "Arrived late but fine")])
    platform.tick()
    assert len(platform.day_rows("gold", "reviews", DAY1)) == 1
    onsite(platform, "day1_late.jsonl", [review("9", DAY1, "Package was crushed and the mug broke")])
    assert [r.partition_key for r in platform.tick()] == [DAY1]
    assert sorted(platform.day_rows("gold", "reviews", DAY1)["review_key"]) == [
        "onsite_review:1",
        "onsite_review:9",
    ]


def test_malformed_rows_are_quarantined_and_the_rest_lands(platform: Platform) -> None:
    rows = [review(str(i), DAY1, f"Review number {i} is fine") for i in range(5)]
    rows += ["{broken", {"review_id": "x", "submitted_at": f"{DAY1}T00:00:00Z", "text": ""}]
    onsite(platform, "mixed.jsonl", rows)
    (platform.landing / "marketplace").mkdir(parents=True)
    (platform.landing / "marketplace" / "dump.xml").write_text("<xml/>")
    platform.tick()
    quarantine = read_table(platform.paths.quarantine_table)
    reasons = sorted(zip(quarantine["file_path"], quarantine["line"], quarantine["reason"], strict=True))
    assert reasons == [
        ("marketplace/dump.xml", 0, "unsupported_format"),
        ("onsite_review/mixed.jsonl", 6, "invalid_json"),
        ("onsite_review/mixed.jsonl", 7, "empty_text"),
    ]
    bronze = platform.table("bronze", "reviews")
    assert len(bronze) == 5
    registry = read_table(platform.paths.registry_table)
    for row in registry.itertuples():
        ingested = int((bronze["file_path"] == row.path).sum())
        quarantined = int((quarantine["file_path"] == row.path).sum())
        assert row.rows_total == ingested + quarantined, row.path


def test_duplicates_across_channels_collapse(platform: Platform) -> None:
    text = "The kettle started leaking after two days and the handle got really hot, very disappointed."
    onsite(platform, "r.jsonl", [review("r1", DAY1, text, sku="SKU-1033", region="US-CA")])
    write_jsonl(
        platform.landing / "social" / "m.jsonl",
        [review("s9", DAY1, "Posted on the shop: " + text + " 😡", sku="sku 1033")],
    )
    retry = [json.dumps(review("r1", DAY1, text, sku="SKU-1033", region="US-CA"))]
    write_jsonl(platform.landing / "onsite_review" / "r_retry1.jsonl", retry)
    platform.tick()
    assert len(platform.table("bronze", "reviews")) == 3
    silver = platform.table("silver", "reviews")
    assert len(silver) == 1
    row = silver.iloc[0]
    assert row["duplicate_count"] == 3
    assert list(row["duplicate_sources"]) == ["onsite_review", "social"]
    assert row["product_family"] == "kitchen" and row["fulfillment_center"] == "FC-RENO"


PII = {
    "email": "maria.silva@example.com",
    "phone": "+1 (415) 555-0134",
    "card": "4111 1111 1111 1111",
    "order": "order #48392011",
    "address": "42 Elm Street",
}


def test_pii_never_reaches_text_redacted(platform: Platform) -> None:
    rows = [
        review("p1", DAY1, f"Email me at {PII['email']} or call {PII['phone']} about {PII['order']}."),
        review(
            "p2", DAY1, f"You charged my card {PII['card']} twice! Ship to {PII['address']}, Springfield."
        ),
        {
            **review("p3", DAY1, "Chegou quebrado, meu telefone é (11) 98765-4321"),
            "title": f"Contact {PII['email']}",
        },
    ]
    onsite(platform, "pii.jsonl", rows)
    platform.tick()
    for layer in ("silver", "gold"):
        frame = platform.table(layer, "reviews")
        blob = " ".join(frame["text_redacted"].tolist() + frame["title_redacted"].dropna().tolist())
        for value in [*PII.values(), "98765-4321", "4111"]:
            assert value not in blob, (layer, value)
    silver = platform.table("silver", "reviews").set_index("review_key")
    assert {"email", "phone", "order"} <= set(silver.loc["onsite_review:p1", "pii_types"])


def test_rematerializing_a_partition_changes_nothing_and_other_days_survive(platform: Platform) -> None:
    onsite(
        platform,
        "a.jsonl",
        [
            review("1", DAY1, "Runs small, had to size up."),
            review("2", DAY1, "Arrived broken, box crushed."),
            review("3", DAY2, "Perfect fit!"),
        ],
    )
    platform.tick()
    tables = [
        ("bronze", "reviews"),
        ("silver", "reviews"),
        ("silver", "annotations"),
        ("gold", "reviews"),
        ("gold", "issue_daily"),
    ]
    before = {t: platform.table(*t) for t in tables}
    platform.materialize(DAY1)
    platform.materialize(DAY1)
    for t in tables:
        after = platform.table(*t)
        key = {"bronze": "source_review_id"}.get(
            t[0], "review_key" if "review_key" in after.columns else "issue_type"
        )
        pd.testing.assert_frame_equal(stable(before[t], key), stable(after, key))
    assert set(platform.table("gold", "reviews")["day"].astype(str)) == {DAY1, DAY2}
