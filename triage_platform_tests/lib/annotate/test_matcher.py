"""The first-word index must find exactly what a plain `\\b(?:pattern)\\b` match at each word finds."""

from __future__ import annotations

import re

import pytest

from triage_platform.lib.annotate import fold, load_rules
from triage_platform.lib.annotate.matcher import PhraseSet, first_words, split_alternatives, tokenize
from triage_platform.lib.annotate.rules import _checked

TEXTS = [
    "The blender stopped working after two weeks and the box was crushed.",
    "It's broken, it isn't what I ordered, and they never responded. Runs small; had to size up!",
    "Não recebi o produto, já passou do prazo e a loja não responde. Quero meu dinheiro de volta.",
    "Chegou no prazo mas veio quebrado; faltando uma peça. Produto falsificado!",
    "Dejó de funcionar, no es como en la foto. Llegó roto.",
    "Funktioniert nicht mehr, falscher Artikel geliefert, viel zu teuer.",
    "Ne fonctionne plus, colis arrivé abîmé, service client inexistant.",
    "see-through, see through, seethrough fabric; $20 for this? not worth it at all",
    "The charger got so hot it melted; sharp edges cut my son's finger. Hot pink color though.",
    "Wouldn't recommend. doesn't work. didn't come with the remote. only 2 of 3 arrived",
    "the app is so slow and too tight, crap",
]

SYNTHETIC = [
    ("a", r"(?:is|was) broken"),
    ("b", r"holes?(?:\sin| on)?|a hole"),
    ("c", r"stop(?:ped|s)? working|quebr\w*"),
    ("d", r"(?:\w+ ){0,2}?slow|(?:too )?tight"),
    ("e", r"see[- ]?(?:through|thru)|[ck]rap"),
    ("f", r"\$\d+|\d+ bucks"),
    ("g", r"hot(?! pink)|it's broken|isn't what i ordered"),
    ("h", r"(?:only|just) (?:one|two|\d+) (?:\w+ ){0,3}?(?:came|arrived)"),
    ("i", r"n[aã]o (?:recebi|responde)|(?:did|does)n't (?:\w+ )?(?:work|come)"),
]


Compiled = list[tuple[object, bool, re.Pattern[str]]]


def _compile(entries: list[tuple[object, str]]) -> Compiled:
    """Indexed alternatives are tried at every word (`match`); the others are searched."""
    out: Compiled = []
    for label, pattern in entries:
        for alternative in split_alternatives(pattern):
            if first_words(alternative) is None:
                out.append((label, True, re.compile(rf"\b(?:{alternative})\b")))
            else:
                out.append((label, False, re.compile(rf"(?:{alternative})\b")))
    return out


def _brute_force(compiled: Compiled, text: str) -> set[tuple[int, object]]:
    found: set[tuple[int, object]] = set()
    starts = [start for start, _word in tokenize(text)]
    for label, searched, regex in compiled:
        if searched:
            found |= {(m.start(), label) for m in regex.finditer(text)}
        else:
            found |= {(start, label) for start in starts if regex.match(text, start)}
    return found


def test_split_alternatives_respects_groups_classes_and_escapes() -> None:
    assert split_alternatives(r"a|b(?:c|d)|[|]|\||e") == ["a", "b(?:c|d)", "[|]", r"\|", "e"]


def test_first_words() -> None:
    assert first_words(r"(?:is|was) broken") == {
        ("is", True, ("broken", True)),
        ("was", True, ("broken", True)),
    }
    assert first_words(r"quebr\w*") == {("quebr", False, None)}
    assert first_words(r"stop(?:ped|s)") == {("stopped", True, None), ("stops", True, None)}
    assert first_words(r"(?:\w+ )?slow") is None  # any word may come first: searched instead
    assert first_words(r"\$\d+") is None


@pytest.mark.parametrize("text", TEXTS)
def test_synthetic_patterns_match_like_plain_regexes(text: str) -> None:
    folded = fold(text)
    phrases = PhraseSet(SYNTHETIC)
    assert {(m.start, m.label) for m in phrases.scan(folded)} == _brute_force(_compile(SYNTHETIC), folded)


def test_packaged_rules_match_like_plain_regexes() -> None:
    rules = load_rules()
    entries = [
        ((category, language), _checked(pattern))
        for category, by_language in rules["categories"].items()
        for language, patterns in by_language.items()
        for pattern in patterns
    ]
    entries += [
        (("negation", language), _checked(p)) for language, ps in rules["negations"].items() for p in ps
    ]
    phrases = PhraseSet(entries)
    assert phrases.searched_patterns < 10  # nearly everything is indexed
    compiled = _compile(entries)
    for text in TEXTS:
        folded = fold(text)
        assert {(m.start, m.label) for m in phrases.scan(folded)} == _brute_force(compiled, folded), text
