"""Normalization: what silver stores as the review text, the SKU key and the content hash."""

from __future__ import annotations

import pytest

from triage_platform.lib.text.normalize import (
    BOILERPLATE_PATTERNS,
    content_fingerprint,
    normalize_text,
    standardize_sku,
)


@pytest.mark.parametrize("raw", [None, "", "   ", "\n\t ", float("nan")])
def test_missing_or_blank_text_becomes_empty(raw: str | None) -> None:
    assert normalize_text(raw) == ""


def test_mojibake_is_repaired() -> None:
    assert normalize_text("CafÃ© was great, the jacket is perfeito â€” thanks") == (
        "Café was great, the jacket is perfeito — thanks"
    )
    assert normalize_text("NÃ£o gostei do tÃªnis") == "Não gostei do tênis"


def test_html_markup_is_stripped_and_breaks_become_spaces() -> None:
    raw = "<p>The zipper <b>broke</b>.</p><p>Second&nbsp;para</p>line one<br>line two<br/>end"
    assert normalize_text(raw) == "The zipper broke. Second para line one line two end"


def test_entities_are_unescaped_without_tags() -> None:
    assert normalize_text("Fits &amp; looks great &eacute;l&egrave;ve &quot;10/10&quot;") == (
        'Fits & looks great élève "10/10"'
    )


def test_scripts_and_styles_are_dropped() -> None:
    assert normalize_text("<style>p{color:red}</style><p>ok shoes</p><script>alert(1)</script>") == "ok shoes"


def test_text_that_only_looks_like_markup_is_kept() -> None:
    assert normalize_text("price < 50 and > 20, I <3 it") == "price < 50 and > 20, I <3 it"
    assert normalize_text("R&D team, AT&T") == "R&D team, AT&T"


def test_nfc_normalization_keeps_emoji() -> None:
    decomposed = "Cafe\u0301 bom ❤️👍🏽 👨‍👩‍👧"
    assert normalize_text(decomposed) == "Café bom ❤️👍🏽 👨‍👩‍👧"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Great shoes!\n\nSent from my iPhone", "Great shoes!"),
        ("Great shoes! Sent from my Samsung Galaxy smartphone", "Great shoes!"),
        ("[This review was collected as part of a promotion.] Love the color", "Love the color"),
        ("Produto ótimo, recomendo. Enviado do meu iPhone", "Produto ótimo, recomendo."),
        ("Muy buena calidad. Enviado desde mi iPhone", "Muy buena calidad."),
        ("Sehr gut. Von meinem iPhone gesendet", "Sehr gut."),
        ("Très bien. Envoyé de mon iPhone", "Très bien."),
        ("The sole came off after a week... Read more", "The sole came off after a week"),
        ("The sole came off after a week… Read more Sent from my iPhone", "The sole came off after a week"),
        ("Posted on our site: the zipper broke", "the zipper broke"),
    ],
)
def test_boilerplate_is_removed(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_read_more_inside_a_sentence_is_kept() -> None:
    text = "I want to read more books with this lamp, it is bright"
    assert normalize_text(text) == text


def test_boilerplate_patterns_are_a_tuple_of_regexes() -> None:
    assert isinstance(BOILERPLATE_PATTERNS, tuple)
    assert all(isinstance(pattern, str) for pattern in BOILERPLATE_PATTERNS)


def test_whitespace_is_collapsed_and_invisible_characters_removed() -> None:
    assert normalize_text("  too\u00a0\u00a0small \n\n\t size\u200b chart  ") == "too small size chart"


def test_normalization_is_idempotent() -> None:
    raw = "<p>CafÃ© &amp; more</p>  Sent from my iPhone"
    once = normalize_text(raw)
    assert normalize_text(once) == once


@pytest.mark.parametrize(
    "raw", ["sku 1042", "SKU_1042", "sku-1042 ", "1042", "Sku#1042", "SKU-1042", " sku:1042"]
)
def test_sku_variants_are_standardized(raw: str) -> None:
    assert standardize_sku(raw) == "SKU-1042"


@pytest.mark.parametrize(
    ("raw", "expected"), [("abc-9", "ABC-9"), (" b2b-44x ", "B2B-44X"), ("SKU-12A", "SKU-12A")]
)
def test_other_codes_are_upper_cased(raw: str, expected: str) -> None:
    assert standardize_sku(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_sku_is_none(raw: str | None) -> None:
    assert standardize_sku(raw) is None


def test_fingerprint_ignores_case_punctuation_emoji_and_spacing() -> None:
    original = "The zipper broke after ONE wear!!"
    copies = [
        "the zipper broke after one wear",
        "The zipper broke after one wear 😡😡",
        "The  zipper, broke -after one wear.",
    ]
    assert all(content_fingerprint(copy) == content_fingerprint(original) for copy in copies)


def test_fingerprint_differs_for_different_words() -> None:
    assert content_fingerprint("The zipper broke after one wear") != content_fingerprint(
        "The zipper broke after two wears"
    )


def test_fingerprint_is_sha256_hex() -> None:
    fingerprint = content_fingerprint("anything")
    assert len(fingerprint) == 64
    assert int(fingerprint, 16) >= 0
