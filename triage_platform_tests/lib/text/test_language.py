"""Language detection: the language a review is routed by."""

from __future__ import annotations

import pytest

from triage_platform.lib.text.language import SUPPORTED_LANGUAGES, detect_language, detect_languages

SENTENCES = {
    "en": "The jacket arrived two days late and the zipper broke after the first wear.",
    "pt": "O casaco chegou com dois dias de atraso e o zíper quebrou no primeiro uso.",
    "es": "La chaqueta llegó dos días tarde y la cremallera se rompió con el primer uso.",
    "de": "Die Jacke kam zwei Tage zu spät an und der Reißverschluss ist beim ersten Tragen kaputtgegangen.",
    "fr": "La veste est arrivée avec deux jours de retard et la fermeture éclair a cassé au premier port.",
    "it": "La giacca è arrivata con due giorni di ritardo e la cerniera si è rotta al primo utilizzo.",
    "nl": "De jas kwam twee dagen te laat aan en de rits brak na de eerste keer dragen.",
    "zh": "外套晚到了两天，拉链第一次穿就坏了。",
    "ja": "ジャケットは二日遅れで届き、ファスナーは一回着ただけで壊れました。",
}


def test_supported_languages() -> None:
    assert SUPPORTED_LANGUAGES == ("en", "pt", "es", "de", "fr", "it", "nl", "zh", "ja")


@pytest.mark.parametrize(("expected", "text"), sorted(SENTENCES.items()))
def test_sentences_are_detected(expected: str, text: str) -> None:
    language, confidence = detect_language(text)
    assert language == expected
    assert 0.5 < confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "👍👍🔥❤️",
        "12345 678",
        "5/5 !!!",
        "ok",
        "A+",
        "[EMAIL] [PHONE]",
        "SKU-1042 5/5",
        "X200 10/10",
    ],
)
def test_texts_without_enough_letters_are_undetermined(text: str) -> None:
    assert detect_language(text) == ("und", 0.0)


def test_redaction_tokens_do_not_make_a_review_english() -> None:
    language, _ = detect_language("Meu pedido [ORDER] chegou quebrado, liguem para [PHONE] por favor")
    assert language == "pt"


def test_batch_matches_single_calls_and_keeps_order() -> None:
    texts = [SENTENCES["fr"], "", "👍", SENTENCES["en"], SENTENCES["pt"], SENTENCES["de"], SENTENCES["es"]]
    results = detect_languages(texts)
    assert [language for language, _ in results] == ["fr", "und", "und", "en", "pt", "de", "es"]
    for text, (language, confidence) in zip(texts, results, strict=True):
        single_language, single_confidence = detect_language(text)
        assert language == single_language
        assert confidence == pytest.approx(single_confidence)


def test_digits_inside_cjk_text_do_not_hide_it() -> None:
    assert detect_language("外套晚到了2天，拉链坏了")[0] == "zh"


def test_batch_edge_cases() -> None:
    assert detect_languages([]) == []
    assert detect_languages(["", "😀"]) == [("und", 0.0), ("und", 0.0)]


def test_result_codes_are_supported_or_undetermined() -> None:
    for language, confidence in detect_languages(
        ["Hello there, how are you doing today?", "Olá, tudo bem?", "xyz"]
    ):
        assert language in (*SUPPORTED_LANGUAGES, "und")
        assert 0.0 <= confidence <= 1.0
