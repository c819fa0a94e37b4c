"""Deduplication: one customer opinion counts once, and different customers' opinions never merge."""

from __future__ import annotations

import random
import time

import pytest

from triage_platform.lib.text.dedup import DedupItem, find_duplicate_groups
from triage_platform.lib.text.normalize import normalize_text

ZIPPER = (
    "The zipper on this rain jacket broke the second time I wore it, and the stitching along the hood is "
    "already coming apart. For the price I expected much better quality."
)
SOLE = (
    "Comfortable for the first week, then the sole started peeling off at the toe. Support told me to send "
    "photos and never answered again."
)


def item(
    review_id: str,
    text: str,
    source: str = "onsite_review",
    sku: str | None = "SKU-1042",
    customer_id: str | None = None,
) -> DedupItem:
    return DedupItem(
        key=f"{source}:{review_id}",
        source=source,
        source_review_id=review_id,
        text=text,
        sku=sku,
        customer_id=customer_id,
    )


def test_empty_input() -> None:
    assert find_duplicate_groups([]) == []


def test_unrelated_reviews_are_their_own_groups() -> None:
    assert find_duplicate_groups([item("1", ZIPPER), item("2", SOLE)]) == [0, 1]


def test_retries_collapse() -> None:
    items = [item("1", ZIPPER), item("2", SOLE), item("1", ZIPPER), item("1", ZIPPER + " (edited)")]
    assert find_duplicate_groups(items) == [0, 1, 0, 0]


def test_same_id_in_another_source_is_not_a_retry() -> None:
    items = [item("1", "Great!"), item("1", "Awful.", source="app_store")]
    assert find_duplicate_groups(items) == [0, 1]


def test_social_mirror_with_a_prefix_collapses_with_the_original() -> None:
    items = [
        item("r1", ZIPPER, customer_id="c1"),
        item("s1", f"Posted on our site: {ZIPPER}", source="social", sku=None),
    ]
    assert find_duplicate_groups(items) == [0, 0]


def test_normalized_social_mirror_collapses_even_with_a_social_handle() -> None:
    # A near-duplicate needs equal customer ids when both are known, but silver deduplicates normalized
    # text, where the channel prefix is gone and the mirror is an exact copy.
    raw = [ZIPPER, f"Posted on our site: {ZIPPER} 🙄"]
    items = [
        item("r1", normalize_text(raw[0]), customer_id="c1"),
        item("s1", normalize_text(raw[1]), source="social", sku=None, customer_id="@rainy"),
    ]
    assert find_duplicate_groups(items) == [0, 0]


def test_social_mirror_with_an_extra_emoji_collapses_with_the_original() -> None:
    items = [
        item("r1", ZIPPER, customer_id="c1"),
        item("s1", f"{ZIPPER} 😡😡", source="social", sku=None),
        item("m1", ZIPPER.upper().replace(",", ""), source="marketplace"),
    ]
    assert find_duplicate_groups(items) == [0, 0, 0]


def test_near_duplicate_with_a_fixed_typo_collapses() -> None:
    items = [
        item("1", ZIPPER, customer_id="c1"),
        item("2", ZIPPER.replace("stitching", "stiching"), customer_id="c1"),
    ]
    assert find_duplicate_groups(items) == [0, 0]


def test_different_reviews_of_the_same_product_do_not_collapse() -> None:
    other = (
        "The zipper on this rain jacket is sturdy and the hood stitching is neat. Fits true to size and kept "
        "me dry on a long hike in heavy rain."
    )
    items = [item("1", ZIPPER), item("2", SOLE), item("3", other)]
    assert find_duplicate_groups(items) == [0, 1, 2]


@pytest.mark.parametrize("text", ["Great!", "great", "Love it ❤️", "Muito bom", "Perfect fit, thanks"])
def test_short_identical_texts_from_different_reviews_do_not_collapse(text: str) -> None:
    items = [
        item("1", text, customer_id="c1"),
        item("2", text, customer_id="c2"),
        item("3", text, source="app_store", sku=None),
        item("4", text, source="social", sku=None),
    ]
    assert find_duplicate_groups(items) == [0, 1, 2, 3]


def test_identical_generic_reviews_by_different_customers_of_one_channel_do_not_collapse() -> None:
    text = "Produto chegou antes do prazo, recomendo a loja"
    items = [
        item("1", text, customer_id="c1"),
        item("2", text, customer_id="c2"),
        item("3", text, customer_id="c1"),
    ]
    assert find_duplicate_groups(items) == [0, 1, 0]


def test_different_sku_blocks_collapse() -> None:
    items = [item("1", ZIPPER, sku="SKU-1042"), item("2", ZIPPER, sku="SKU-2044", source="marketplace")]
    assert find_duplicate_groups(items) == [0, 1]
    near = [item("1", ZIPPER, sku="SKU-1042"), item("2", f"Posted on our site: {ZIPPER}", sku="SKU-2044")]
    assert find_duplicate_groups(near) == [0, 1]


def test_missing_sku_is_compatible_but_never_bridges_two_products() -> None:
    items = [
        item("1", ZIPPER, sku="SKU-1042"),
        item("2", ZIPPER, sku="SKU-2044", source="marketplace"),
        item("3", ZIPPER, sku=None, source="social"),
    ]
    assert find_duplicate_groups(items) == [0, 1, 0]


def test_near_duplicates_by_different_known_customers_do_not_collapse() -> None:
    items = [
        item("1", ZIPPER, customer_id="c1"),
        item("2", ZIPPER.replace("stitching", "stiching"), customer_id="c2"),
    ]
    assert find_duplicate_groups(items) == [0, 1]


def test_canonical_is_the_first_item_in_input_order() -> None:
    items = [
        item("2", SOLE),
        item("s1", f"{ZIPPER} 👍", source="social", sku=None),
        item("1", ZIPPER),
        item("s1", f"{ZIPPER} 👍", source="social", sku=None),
    ]
    assert find_duplicate_groups(items) == [0, 1, 1, 1]


def test_groups_are_transitive_through_different_rules() -> None:
    items = [
        item("1", ZIPPER, customer_id="c1"),
        item("9", "Great!"),
        item("s1", f"Posted on our site: {ZIPPER}", source="social", sku=None),  # near-duplicate of 0
        item("s1", f"Posted on our site: {ZIPPER}", source="social", sku=None),  # retry of 2
        item("m1", f"{ZIPPER}!!", source="marketplace"),  # exact copy of 0
    ]
    assert find_duplicate_groups(items) == [0, 1, 0, 0, 0]


def test_threshold_is_validated() -> None:
    with pytest.raises(ValueError, match="near_threshold"):
        find_duplicate_groups([item("1", ZIPPER)], near_threshold=0.0)


def test_result_is_deterministic() -> None:
    items, _ = _synthetic_day(random.Random(5), 300)
    assert find_duplicate_groups(items) == find_duplicate_groups(list(items))


def _synthetic_day(rng: random.Random, originals: int) -> tuple[list[DedupItem], list[str]]:
    """A shuffled day of reviews (distinct originals of 130-250 characters; exact, emoji, upper-case and
    prefixed social mirrors; retries; short generic texts) and, for each item, the review it copies."""
    syllables = [f"{c}{v}{e}" for c in "bcdfghklmnprstvz" for v in "aeiou" for e in "lmnrst"]
    entries: list[tuple[DedupItem, str]] = []
    for index in range(originals):
        words = [rng.choice(syllables) for _ in range(rng.randint(33, 60))]
        text = " ".join(words).capitalize() + "."
        entries.append(
            (item(f"r{index}", text, sku=f"SKU-{1000 + index % 40}", customer_id=f"c{index}"), f"r{index}")
        )
    for index in range(originals // 4):
        base, origin = rng.choice(entries[:originals])
        text = rng.choice(
            [f"Posted on our site: {base.text}", f"{base.text} 👍", base.text.upper(), base.text]
        )
        entries.append((item(f"s{index}", text, source="social", sku=None), origin))
    entries.extend(rng.choice(entries[:originals]) for _ in range(originals // 10))
    for index in range(60):
        generic = item(
            f"g{index}", rng.choice(["Great!", "Love it", "Ok", "Perfect fit"]), customer_id=f"g{index}"
        )
        entries.append((generic, generic.key))
    rng.shuffle(entries)
    return [entry for entry, _ in entries], [origin for _, origin in entries]


def test_synthetic_day_groups_copies_with_their_originals() -> None:
    items, origins = _synthetic_day(random.Random(11), 500)
    first_of_origin: dict[str, int] = {}
    expected = [first_of_origin.setdefault(origin, index) for index, origin in enumerate(origins)]
    assert find_duplicate_groups(items) == expected


def test_two_thousand_items_group_by_origin() -> None:
    items, origins = _synthetic_day(random.Random(3), 1400)
    items = items[:2000]
    find_duplicate_groups(items[:50])  # warm-up: imports, LSH setup
    started = time.perf_counter()
    groups = find_duplicate_groups(items)
    elapsed = time.perf_counter() - started
    assert len(set(groups)) == len(set(origins[:2000]))
    print(f"{elapsed:.2f}s for {len(items)} items")
