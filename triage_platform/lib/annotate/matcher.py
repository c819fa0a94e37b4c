"""Fast matching of many phrase patterns, tried only where a text's words can start them.

The rules stage holds well over a thousand phrase patterns. One big alternation per category is simple but
slow in Python's `re` (every alternative is tried at every word start), too slow for bulk backfills. Nearly
every pattern, though, starts with a known word or word stem ("arrived|came ... broken", "quebr\\w*"), so
`PhraseSet` indexes each pattern by the possible prefixes of its first word and, for a text, tries a
pattern only at the words that can start it (`regex.match` at that position). Patterns whose first word
cannot be determined are run with an ordinary search. Results are the same as searching each pattern
wrapped in `\\b...\\b`; only the time differs.

The first-word analysis reads the parse tree of the standard library's regex parser (`re._parser`); if
that private module is missing or changes shape, patterns fall back to ordinary searches (slower, same
results).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

try:  # CPython 3.11+: the regex parser behind `re`
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - other interpreters: every pattern is searched
    _c = _p = None  # type: ignore[assignment]

MAX_ANCHOR = 6
"""First-word prefixes are indexed up to this many characters."""

_MAX_VARIANTS = 64
"""Largest number of first-word spellings a pattern may fan out to before it is searched instead."""

_CACHE_LIMIT = 200_000
"""Distinct words whose candidate patterns are memoized before the memo is reset (bounds memory)."""

WORD_RE = re.compile(r"\w+")

Token = tuple[int, str]
"""A word of a text: (start offset, the word)."""


def tokenize(text: str) -> list[Token]:
    """The words of a text with their offsets."""
    return [(m.start(), m.group()) for m in WORD_RE.finditer(text)]


def split_alternatives(pattern: str) -> list[str]:
    """Split a regex at its top-level `|` (outside groups and character classes)."""
    parts: list[str] = []
    depth = 0
    in_class = escaped = False
    current: list[str] = []
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p]


def _is_word_char(code: int) -> bool:
    char = chr(code)
    return char.isalnum() or char == "_"


def _items(node: Any) -> list[tuple[Any, Any]]:
    return list(node.data if hasattr(node, "data") else node)


def _is_separator(item: tuple[Any, Any]) -> bool:
    """Whether an item consumes only non-word characters (a space, `\\s+`, `-`, `'`): a word ends there."""
    op, av = item
    if op is _c.LITERAL:
        return not _is_word_char(av)
    if op is _c.IN:
        return all(
            (o is _c.LITERAL and not _is_word_char(v)) or (o is _c.CATEGORY and v is _c.CATEGORY_SPACE)
            for o, v in av
        )
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
        return all(_is_separator(i) for i in _items(av[2]))
    return False


WordKey = tuple[str, bool]
"""A word key: the word (or its prefix, when the flag is False) that a pattern's word must be."""

FirstWords = tuple[str, bool, WordKey | None]
"""A pattern's first word key, plus the key of the word right after it when that is known."""


def _separators_skipped(items: Sequence[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    index = 0
    while index < len(items) and _is_separator(items[index]):
        index += 1
    return list(items[index:])


def _first_words(items: Sequence[tuple[Any, Any]]) -> set[FirstWords] | None:
    """Keys one of which the first words of every match satisfy; None if unknown.

    Each key is (word, whole, second): the first word is `word` (or starts with it when `whole` is
    False) and, when `second` is not None, the next word satisfies `second` the same way.
    """
    items = list(items)
    while items and items[0][0] is _c.AT:
        items = items[1:]
    if not items:
        return None
    op, av = items[0]
    if op is _c.LITERAL or op is _c.IN:
        runs = [""]
        for index, (op, av) in enumerate(items):
            if op is _c.LITERAL and _is_word_char(av):
                runs = [r + chr(av) for r in runs]
            elif op is _c.IN and av and all(o is _c.LITERAL and _is_word_char(v) for o, v in av):
                runs = [r + chr(v) for r in runs for _, v in av]
            elif op is _c.BRANCH and runs[0]:
                tails: set[FirstWords] = set()
                for alternative in av[1]:
                    tail = _first_words(_items(alternative) + items[index + 1 :])
                    if tail is None:
                        tails = set()
                        break
                    tails |= tail
                if tails and len(runs) * len(tails) <= _MAX_VARIANTS:
                    return {(r + word, whole, second) for r in runs for (word, whole, second) in tails}
                return {(r, False, None) for r in runs} if runs[0] else None
            elif _is_separator((op, av)):
                if not runs[0]:
                    return None
                following = _first_words(_separators_skipped(items[index:]))
                seconds = {(word, whole) for word, whole, _ in following} if following else set()
                if seconds and len(runs) * len(seconds) <= _MAX_VARIANTS * 4:
                    return {(r, True, second) for r in runs for second in seconds}
                return {(r, True, None) for r in runs}
            else:
                return {(r, False, None) for r in runs} if runs[0] else None
            if len(runs) > _MAX_VARIANTS:
                return None
        return {(r, True, None) for r in runs} if runs[0] else None
    if op is _c.BRANCH:
        union: set[FirstWords] = set()
        for alternative in av[1]:
            words = _first_words(_items(alternative) + items[1:])
            if words is None:
                return None
            union |= words
        return union if len(union) <= _MAX_VARIANTS * 8 else None
    if op is _c.SUBPATTERN:
        return _first_words(_items(av[-1]) + items[1:])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        minimum, maximum, body = av
        if maximum == 1:
            first = _first_words(_items(body) + items[1:])
        else:
            first = _first_words(_items(body))
            if first is not None:
                first = {(word, False, None) for word, _, _ in first}  # a repetition may glue more on
        if first is None:
            return None
        if minimum >= 1:
            return first
        rest = _first_words(items[1:])
        return None if rest is None else first | rest
    return None


def _is_word(text: str) -> bool:
    return bool(text) and all(c.isalnum() or c == "_" for c in text)


def first_words(pattern: str) -> set[FirstWords] | None:
    """First-word keys of `pattern` (see `_first_words`); None when they cannot be determined.

    A match is assumed to begin at a word start (patterns are matched as `\\b(?:pattern)\\b`).
    """
    if _p is None:
        return None
    try:
        words = _first_words(_items(_p.parse(pattern)))
    except Exception:  # pragma: no cover - unexpected parser shape: search instead
        return None
    if not words or not all(_is_word(w) and (s is None or _is_word(s[0])) for w, _, s in words):
        return None
    return words


@dataclass(frozen=True)
class PhraseMatch:
    """One match of a labeled pattern: the label given at construction and the span in the text."""

    label: Hashable
    start: int
    end: int


GroupKey = tuple[str, bool, str | None, bool]
"""Index key of a group of alternatives: first word, whole?, second word (or None), whole?"""

Candidates = tuple[tuple[Hashable, re.Pattern[str]], ...]


class PhraseSet:
    """Many labeled regex patterns, matched at word starts through a first-word index.

    `entries` are (label, pattern) pairs; a pattern is split at its top-level `|` and each alternative is
    indexed by its first word (and, when the first word is a whole word and the next one is known, by the
    pair, so "is broken" is only tried where "is" is followed by "broken"). Alternatives that share a key
    and a label are compiled together. A label can be shared by many patterns (e.g. `("shipping_delay",
    "pt")`).
    """

    def __init__(self, entries: Iterable[tuple[Hashable, str]]) -> None:
        alternatives: list[tuple[Hashable, str]] = []
        grouped: dict[GroupKey, dict[Hashable, list[int]]] = {}
        self._searched: list[tuple[int, Hashable, re.Pattern[str]]] = []
        for label, pattern in entries:
            for alternative in split_alternatives(pattern):
                order = len(alternatives)
                alternatives.append((label, alternative))
                words = first_words(alternative)
                if words is None:
                    self._searched.append((order, label, re.compile(rf"\b(?:{alternative})\b")))
                    continue
                for word, whole, second in words:
                    word = word if whole else word[:MAX_ANCHOR]
                    if whole and second is not None:
                        key: GroupKey = (word, True, *_cut(second))
                    else:
                        key = (word, whole, None, False)
                    grouped.setdefault(key, {}).setdefault(label, []).append(order)
        self._size = len(alternatives)
        self._groups: list[tuple[int, Hashable, re.Pattern[str]]] = []
        self._single: dict[tuple[str, bool], list[int]] = {}
        self._pairs: dict[tuple[str, str, bool], list[int]] = {}
        compiled: dict[tuple[int, ...], re.Pattern[str]] = {}
        for (word, whole, second, second_whole), by_label in grouped.items():
            for label, orders in by_label.items():
                members = tuple(sorted(set(orders)))
                regex = compiled.get(members)
                if regex is None:
                    body = "|".join(alternatives[o][1] for o in members)
                    regex = compiled[members] = re.compile(rf"(?:{body})\b")
                if second is None:
                    self._single.setdefault((word, whole), []).append(len(self._groups))
                else:
                    self._pairs.setdefault((word, second, second_whole), []).append(len(self._groups))
                self._groups.append((members[0], label, regex))
        self._prefix_lengths = tuple(sorted({len(w) for w, whole in self._single if not whole}))
        self._pair_firsts = frozenset(first for first, _, _ in self._pairs)
        self._pair_prefix_lengths = tuple(sorted({len(s) for _, s, whole in self._pairs if not whole}))
        self._candidates_of: dict[str, Candidates] = {}
        self._pair_candidates_of: dict[tuple[str, str], Candidates] = {}

    def _ordered(self, found: set[int]) -> Candidates:
        groups = sorted((self._groups[g] for g in found), key=lambda g: g[0])
        return tuple((label, regex) for _order, label, regex in groups)

    def _candidates(self, word: str) -> Candidates:
        """(label, regex) pairs, in pattern order, that can match at a word `word`; memoized per word."""
        single = self._single
        found = set(single.get((word, True), ()))
        for length in self._prefix_lengths:
            if length > len(word):
                break
            hits = single.get((word[:length], False))
            if hits:
                found.update(hits)
        result = self._ordered(found) if found else ()
        if len(self._candidates_of) >= _CACHE_LIMIT:
            self._candidates_of.clear()
        self._candidates_of[word] = result
        return result

    def _pair_candidates(self, word: str, following: str) -> Candidates:
        """Candidates keyed by the word pair (`word` then `following`); memoized per pair."""
        pairs = self._pairs
        found = set(pairs.get((word, following, True), ()))
        for length in self._pair_prefix_lengths:
            if length > len(following):
                break
            hits = pairs.get((word, following[:length], False))
            if hits:
                found.update(hits)
        result = self._ordered(found) if found else ()
        if len(self._pair_candidates_of) >= _CACHE_LIMIT:
            self._pair_candidates_of.clear()
        self._pair_candidates_of[(word, following)] = result
        return result

    def __len__(self) -> int:
        """Number of pattern alternatives."""
        return self._size

    @property
    def searched_patterns(self) -> int:
        """How many alternatives could not be indexed and are searched over the whole text."""
        return len(self._searched)

    def candidates_per_text(self, tokens: Sequence[Token]) -> int:
        """How many regex attempts `scan` makes for these tokens (a diagnostic for tuning rules)."""
        total = 0
        for index, (_start, word) in enumerate(tokens):
            total += len(self._candidates_of.get(word) or self._candidates(word))
            if word in self._pair_firsts and index + 1 < len(tokens):
                total += len(self._pair_candidates(word, tokens[index + 1][1]))
        return total

    def scan(self, text: str, tokens: Sequence[Token] | None = None) -> list[PhraseMatch]:
        """Every (label, start) match in `text`, sorted by start.

        At one start position a label is reported once (by its first matching pattern).
        `tokens` must be `tokenize(text)` (pass them when several sets scan the same text).
        """
        if tokens is None:
            tokens = tokenize(text)
        cache, pair_cache, pair_firsts = self._candidates_of, self._pair_candidates_of, self._pair_firsts
        found: list[tuple[int, Hashable, int]] = []
        last = len(tokens) - 1
        for index, (start, word) in enumerate(tokens):
            candidates = cache.get(word)
            if candidates is None:
                candidates = self._candidates(word)
            if word in pair_firsts and index < last:
                following = tokens[index + 1][1]
                paired = pair_cache.get((word, following))
                if paired is None:
                    paired = self._pair_candidates(word, following)
                if paired:
                    candidates = candidates + paired if candidates else paired
            if not candidates:
                continue
            seen: set[Hashable] = set()
            for label, regex in candidates:
                if label in seen:
                    continue
                match = regex.match(text, start)
                if match is not None:
                    seen.add(label)
                    found.append((start, label, match.end()))
        if self._searched:
            keys = {(start, label) for start, label, _end in found}
            for _order, label, regex in self._searched:
                for match in regex.finditer(text):
                    if (match.start(), label) not in keys:
                        keys.add((match.start(), label))
                        found.append((match.start(), label, match.end()))
            found.sort(key=lambda f: f[0])
        return [PhraseMatch(label, start, end) for start, label, end in found]


def _cut(key: WordKey) -> tuple[str, bool]:
    word, whole = key
    return (word, True) if whole else (word[:MAX_ANCHOR], False)
