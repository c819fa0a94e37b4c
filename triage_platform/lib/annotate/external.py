"""Extra training examples from public labeled data sets, read in place at training time (never copied).

Thin categories (missing_parts, fraud_suspicion, ...) have only a handful of labeled examples; public data
sets with human (or clearly stated weak) labels add more. Each such data set labels only *some* of the
taxonomy's categories, so an external example carries `known`: the categories whose label (positive or
negative) its source states. The model trains each category's classifier on the user's labels plus the
external examples that know that category, and never scores, calibrates or tunes thresholds on external
examples (see `TriageModel.train(augment=..., augment_known=...)`).

Sources (paths relative to a data root laid out like `shared/data`; each reader skips a missing file):

- `olist`: `olist_brazilian_ecommerce/olist_classified_public_dataset.csv`, Portuguese order reviews each
  classified by 3 human annotators (`votes_*` columns). A subclass with at least 2 votes is a positive:
  `atrasado` -> shipping_delay, `entrega_parcial` -> missing_parts, `devolucao` -> refund_request; a review
  with at least 2 `satisfeito`/`antes_prazo` votes and no complaint vote is a negative of all three. A single
  (minority) vote leaves that category unknown. `diferente_do_anunciado` mixes the guide's
  not_as_described and wrong_item, so those two stay unknown.
- `counterfeit`: `safety_and_fraud/amazon_india_counterfeit_reviews_dtekt/...csv`: reviews whose text
  itself claims or suspects a counterfeit (`COUNTERFEIT_PATTERN`) among the author's "fake" file are
  fraud_suspicion positives; the author's "genuine" file gives negatives. The other "fake" lines (plain
  quality complaints) are skipped: their label is the repo author's guess, not what the text says.
- `marketplace_fraud`: the Amazon unlocked-phone and Flipkart reviews of `safety_and_fraud/`: reviews of at
  most 3 stars whose text matches `COUNTERFEIT_PATTERN` are fraud_suspicion positives (weak labels).

`exclude_texts`: texts of the evaluation (and training) labels; an external example whose normalised
text equals one of them or contains / is contained in one (30+ characters) is dropped, so no labeled
example leaks into training twice or from the held-out side.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage_platform.lib.annotate.labels import LabeledExample
from triage_platform.lib.annotate.rules import fold
from triage_platform.lib.annotate.taxonomy import Taxonomy

COUNTERFEIT_PATTERN = re.compile(
    r"\b(counterfeit|fake|replica|knock-?off|scam|fraud|not (?:an? )?(?:original|genuine)|first copy|"
    r"duplicate (?:product|item)|refurbished|not (?:a )?(?:brand )?new|(?:seems?|seemed|was|is) (?:to be )?used)\b",
    re.IGNORECASE,
)
"""What a review says when it claims or suspects a counterfeit, scam or used-as-new item (English)."""

MIN_SUBSTRING_CHARS = 30

OLIST_FILE = "olist_brazilian_ecommerce/olist_classified_public_dataset.csv"
DTEKT_FILE = (
    "safety_and_fraud/amazon_india_counterfeit_reviews_dtekt/dtekt_counterfeit_vs_genuine_reviews.csv"
)
AMAZON_PHONES_FILE = (
    "safety_and_fraud/amazon_unlocked_mobile_reviews/amazon_unlocked_mobile_reviews_first1919.csv"
)
FLIPKART_FILE = "safety_and_fraud/flipkart_reviews/flipkart_product_reviews.csv"


@dataclass(frozen=True)
class ExternalExample:
    """A review from a public data set, labeled for the `known` categories only."""

    example: LabeledExample
    known: frozenset[str]
    origin: str


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def _stable_id(origin: str, text: str) -> str:
    return f"ext-{origin}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _example(
    origin: str,
    text: str,
    positives: Iterable[str],
    known: Iterable[str],
    language: str,
    source: str,
    rating: float | None = None,
) -> ExternalExample:
    issues = tuple(sorted(set(positives)))
    negative = not issues
    example = LabeledExample(
        id=_stable_id(origin, text),
        source=source,
        text=text,
        rating=rating if rating is None or 0 <= rating <= 5 else None,
        issue_types=issues,
        primary_issue=issues[0] if issues else "none",
        sentiment="positive" if negative else "negative",
        severity="none" if negative else "medium",
        language=language,
    )
    return ExternalExample(example, frozenset(known) | frozenset(issues), origin)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _int(value: str | None) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


OLIST_SUBCLASSES: dict[str, str] = {
    "votes_atrasado": "shipping_delay",
    "votes_entrega_parcial": "missing_parts",
    "votes_devolucao": "refund_request",
}
OLIST_SATISFIED = ("votes_satisfeito", "votes_antes_prazo")
OLIST_COMPLAINTS = (
    *OLIST_SUBCLASSES,
    "votes_baixa_qualidade",
    "votes_diferente_do_anunciado",
    "votes_outro_entrega",
    "votes_outro_pedido",
)


def read_olist(root: Path) -> list[ExternalExample]:
    """Olist classified reviews (see the module docstring)."""
    path = root / OLIST_FILE
    if not path.is_file():
        return []
    out = []
    for row in _rows(path):
        text = " ".join(x for x in (row.get("review_comment_title"), row.get("review_comment_message")) if x)
        if len(text.strip()) < 3:
            continue
        positives = [c for column, c in OLIST_SUBCLASSES.items() if _int(row.get(column)) >= 2]
        unknown = [c for column, c in OLIST_SUBCLASSES.items() if _int(row.get(column)) == 1]
        satisfied = sum(_int(row.get(c)) for c in OLIST_SATISFIED) >= 2
        complaint_votes = sum(_int(row.get(c)) for c in OLIST_COMPLAINTS)
        if not positives and not (satisfied and complaint_votes == 0):
            continue
        known = set(OLIST_SUBCLASSES.values()) - set(unknown)
        rating = float(_int(row.get("review_score"))) or None
        out.append(_example("olist", text.strip(), positives, known, "pt", "post_purchase_survey", rating))
    return out


def read_counterfeit(root: Path) -> list[ExternalExample]:
    """DTekt counterfeit-vs-genuine reviews (see the module docstring)."""
    path = root / DTEKT_FILE
    if not path.is_file():
        return []
    out = []
    for row in _rows(path):
        text = (row.get("text") or "").strip()
        if not text:
            continue
        if row.get("dtekt_label") == "genuine":
            out.append(_example("dtekt", text, [], ["fraud_suspicion"], "en", "marketplace"))
        elif COUNTERFEIT_PATTERN.search(text):
            out.append(_example("dtekt", text, ["fraud_suspicion"], [], "en", "marketplace"))
    return out


def read_marketplace_fraud(root: Path) -> list[ExternalExample]:
    """Low-star Amazon phone and Flipkart reviews that claim a counterfeit / used-as-new item."""
    out = []
    for relative, text_column, rating_column, origin in (
        (AMAZON_PHONES_FILE, "Reviews", "Rating", "amazon-phones"),
        (FLIPKART_FILE, "review", "rating", "flipkart"),
    ):
        path = root / relative
        if not path.is_file():
            continue
        for row in _rows(path):
            text = (row.get(text_column) or "").removesuffix("READ MORE").strip()
            rating = _int(row.get(rating_column))
            if text and 1 <= rating <= 3 and COUNTERFEIT_PATTERN.search(text):
                out.append(
                    _example(origin, text, ["fraud_suspicion"], [], "en", "marketplace", float(rating))
                )
    return out


SOURCES: dict[str, Callable[[Path], list[ExternalExample]]] = {
    "olist": read_olist,
    "counterfeit": read_counterfeit,
    "marketplace_fraud": read_marketplace_fraud,
}
"""Known external sources by name."""

DEFAULT_SOURCES: tuple[str, ...] = ("counterfeit", "marketplace_fraud")
"""Sources used when none is named: the fraud_suspicion ones, which raise its recall (measured in
docs/annotation-quality.md); `olist` lowered missing_parts' F1 on the dev set (its "partial delivery"
class is broader than the guide's missing_parts), so it is opt-in."""


def load_external(
    root: str | Path,
    taxonomy: Taxonomy,
    sources: Sequence[str] = DEFAULT_SOURCES,
    exclude_texts: Iterable[str] = (),
) -> list[ExternalExample]:
    """External examples of `sources` under `root`, restricted to `taxonomy`'s categories, deduplicated
    (by normalised text) and without any text of `exclude_texts` (see the module docstring)."""
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise KeyError(f"unknown external sources {unknown}; known: {sorted(SOURCES)}")
    base = Path(root)
    if not base.is_dir():
        raise FileNotFoundError(f"external data root {base} is not a folder")
    ids = set(taxonomy.ids)
    excluded = [_normalise(t) for t in exclude_texts]
    exact = set(excluded)
    haystack = "\n".join(excluded)
    seen: set[str] = set()
    out: list[ExternalExample] = []
    for name in sources:
        for item in SOURCES[name](base):
            key = _normalise(item.example.text)
            if not key or key in seen or key in exact:
                continue
            if len(key) >= MIN_SUBSTRING_CHARS and key in haystack:
                continue
            if any(len(x) >= MIN_SUBSTRING_CHARS and x in key for x in excluded):
                continue
            known = item.known & ids
            if not known or not set(item.example.issue_types) <= ids:
                continue
            seen.add(key)
            out.append(ExternalExample(item.example, frozenset(known), item.origin))
    return out


def augment_arguments(external: Sequence[ExternalExample], sources: Sequence[str] = ()) -> dict[str, Any]:
    """Keyword arguments of `TriageModel.train` that add `external` to training (`augment`,
    `augment_known`, and `augment_info`: the sources and counts recorded in the model manifest)."""
    by_origin = Counter(x.origin for x in external)
    by_category = Counter(c for x in external for c in x.example.issue_types)
    return {
        "augment": [x.example for x in external],
        "augment_known": [x.known for x in external],
        "augment_info": {
            "sources": list(sources),
            "n_examples": len(external),
            "by_origin": dict(sorted(by_origin.items())),
            "positives": dict(sorted(by_category.items())),
        },
    }


__all__ = [
    "COUNTERFEIT_PATTERN",
    "DEFAULT_SOURCES",
    "SOURCES",
    "ExternalExample",
    "augment_arguments",
    "load_external",
    "read_counterfeit",
    "read_marketplace_fraud",
    "read_olist",
]
