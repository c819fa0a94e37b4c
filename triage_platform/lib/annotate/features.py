"""Features of the local model (stage 2): what a review looks like to the per-category classifiers.

One sparse row per review, the horizontal stack of up to four blocks:

- `word`: TF-IDF of word 1-2grams of the folded text (lowercase, accents stripped: `rules.fold`), sublinear tf;
- `char`: TF-IDF of character 2-5grams inside word boundaries (`char_wb`): robust to typos, inflection
  and the Portuguese/English mix of the data, and the block that carries most of the signal;
- `rules`: what the rules stage said about the review (one 0/1 column per category hit, the hit's rules
  confidence, the rules severity and sentiment, whether it asked for a human) plus the metadata the text
  does not show: star rating (one-hot and scaled), source (one-hot over the sources seen in training),
  language (one-hot over en/pt/es/de/fr/other) and log length. Scaled by `rules_weight` so the
  regularisation treats it on a par with the L2-normalised text blocks;
- `embedding` (optional extra, off by default): a dense sentence embedding from an `Embedder`
  (see `model.py` for the measured comparison; needs packages outside the default install).

The rules block takes the rules annotations as input, so the cascade scans each review once and hands
the same annotations to both stages (`FeatureBuilder.transform(items, rule_annotations)`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from triage_platform.lib.annotate.rules import fold
from triage_platform.lib.annotate.schema import Annotation, AnnotationInput
from triage_platform.lib.annotate.taxonomy import SEVERITY_LEVELS, Taxonomy

MAX_FEATURE_CHARS = 3_000
"""Only the first characters of a (title + text) feed the text blocks: long tickets cost time, not signal."""

FEATURE_LANGUAGES: tuple[str, ...] = ("en", "pt", "es", "de", "fr")
"""Languages with their own one-hot column; every other code shares the `other` column."""

SENTIMENTS: tuple[str, ...] = ("positive", "neutral", "negative", "mixed")


class Embedder(Protocol):
    """An optional dense text encoder: texts in, one L2-normalised row per text out."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class FeatureConfig:
    """Which blocks the model uses and how they are built (stored in the model manifest)."""

    word_ngrams: tuple[int, int] | None = (1, 2)
    char_ngrams: tuple[int, int] | None = (2, 5)
    min_df: int = 2
    max_word_features: int | None = 50_000
    max_char_features: int | None = 150_000
    use_rules: bool = True
    rules_weight: float = 1.0
    embedding: str | None = None
    embedding_weight: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureConfig:
        values = dict(data)
        for key in ("word_ngrams", "char_ngrams"):
            if values.get(key) is not None:
                values[key] = tuple(values[key])
        return cls(**values)


def item_text(item: AnnotationInput) -> str:
    """The text the text blocks see: title and body, folded, cut at `MAX_FEATURE_CHARS`."""
    text = f"{item.title}. {item.text}" if item.title else item.text
    return fold(text[:MAX_FEATURE_CHARS])


def base_language(code: str | None) -> str:
    """`pt-BR` -> `pt`; None or empty -> `und`."""
    code = (code or "").strip().lower()
    return code.replace("_", "-").split("-", 1)[0] if code else "und"


@dataclass
class FeatureBuilder:
    """Fits the vocabularies on training reviews and turns any reviews into the model's feature rows."""

    config: FeatureConfig
    taxonomy_ids: tuple[str, ...]
    sources: tuple[str, ...] = ()
    word: TfidfVectorizer | None = None
    char: TfidfVectorizer | None = None
    embedder: Embedder | None = field(default=None, repr=False)

    @classmethod
    def for_taxonomy(cls, config: FeatureConfig, taxonomy: Taxonomy) -> FeatureBuilder:
        return cls(config=config, taxonomy_ids=taxonomy.ids)

    # ------------------------------------------------------------------ fitting

    def fit(self, items: Sequence[AnnotationInput], texts: Sequence[str] | None = None) -> FeatureBuilder:
        """Learn the vocabularies (and the known sources) from training reviews."""
        texts = list(texts) if texts is not None else [item_text(i) for i in items]
        cfg = self.config
        if cfg.word_ngrams:
            self.word = TfidfVectorizer(
                ngram_range=cfg.word_ngrams,
                min_df=_min_df(cfg.min_df, len(texts)),
                max_features=cfg.max_word_features,
                sublinear_tf=True,
                lowercase=False,
                dtype=np.float32,
            ).fit(texts)
        if cfg.char_ngrams:
            self.char = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=cfg.char_ngrams,
                min_df=_min_df(cfg.min_df, len(texts)),
                max_features=cfg.max_char_features,
                sublinear_tf=True,
                lowercase=False,
                dtype=np.float32,
            ).fit(texts)
        self.sources = tuple(sorted({i.source for i in items if i.source}))
        return self

    # ------------------------------------------------------------------ transforming

    def transform(
        self,
        items: Sequence[AnnotationInput],
        rule_annotations: Sequence[Annotation] | None = None,
        texts: Sequence[str] | None = None,
    ) -> sp.csr_matrix:
        """Feature rows of `items`; `rule_annotations` (same order) are required when `use_rules`."""
        texts = list(texts) if texts is not None else [item_text(i) for i in items]
        blocks: list[sp.spmatrix] = []
        if self.word is not None:
            blocks.append(self.word.transform(texts))
        if self.char is not None:
            blocks.append(self.char.transform(texts))
        if self.config.use_rules:
            if rule_annotations is None or len(rule_annotations) != len(items):
                raise ValueError("the rules block needs one rules annotation per item")
            blocks.append(sp.csr_matrix(self.rules_block(items, rule_annotations) * self.config.rules_weight))
        if self.config.embedding:
            if self.embedder is None:
                raise RuntimeError(
                    f"this model uses the {self.config.embedding!r} embedding: attach an embedder "
                    "(FeatureBuilder.embedder) before transforming"
                )
            dense = np.asarray(self.embedder.encode(texts), dtype=np.float32) * self.config.embedding_weight
            blocks.append(sp.csr_matrix(dense))
        if not blocks:
            raise ValueError("the feature config enables no block")
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def rules_block_names(self) -> list[str]:
        """Column names of the rules block (for inspection and debugging)."""
        names = [f"hit:{c}" for c in self.taxonomy_ids]
        names += [f"hit_conf:{c}" for c in self.taxonomy_ids]
        names += [f"rules_severity:{s}" for s in SEVERITY_LEVELS]
        names += [f"rules_sentiment:{s}" for s in SENTIMENTS]
        names += ["rules_needs_human", "rules_hits"]
        names += [f"rating:{r}" for r in (1, 2, 3, 4, 5)] + ["rating:none", "rating_scaled"]
        names += [f"source:{s}" for s in self.sources] + ["source:other"]
        names += [f"language:{code}" for code in FEATURE_LANGUAGES] + ["language:other", "log_length"]
        return names

    def rules_block(self, items: Sequence[AnnotationInput], rules: Sequence[Annotation]) -> np.ndarray:
        """The dense rules-and-metadata block (see the module docstring)."""
        k = len(self.taxonomy_ids)
        index = {c: j for j, c in enumerate(self.taxonomy_ids)}
        severity_at = {s: j for j, s in enumerate(SEVERITY_LEVELS)}
        sentiment_at = {s: j for j, s in enumerate(SENTIMENTS)}
        source_at = {s: j for j, s in enumerate(self.sources)}
        language_at = {code: j for j, code in enumerate(FEATURE_LANGUAGES)}
        width = len(self.rules_block_names())
        out = np.zeros((len(items), width), dtype=np.float32)
        o_sev = 2 * k
        o_sent = o_sev + len(SEVERITY_LEVELS)
        o_misc = o_sent + len(SENTIMENTS)
        o_rating = o_misc + 2
        o_source = o_rating + 7
        o_lang = o_source + len(self.sources) + 1
        for row, (item, annotation) in enumerate(zip(items, rules, strict=True)):
            for category in annotation.issue_types:
                j = index.get(category)
                if j is not None:
                    out[row, j] = 1.0
                    out[row, k + j] = annotation.category_confidence.get(category, 1.0)
            out[row, o_sev + severity_at[annotation.severity]] = 1.0
            out[row, o_sent + sentiment_at[annotation.sentiment]] = 1.0
            out[row, o_misc] = float(annotation.needs_human)
            out[row, o_misc + 1] = min(len(annotation.issue_types), 3) / 3
            rating = item.rating
            if rating is None or not 1 <= rating <= 5:
                out[row, o_rating + 5] = 1.0
            else:
                out[row, o_rating + min(4, max(0, round(rating) - 1))] = 1.0
                out[row, o_rating + 6] = (rating - 3) / 2
            out[row, o_source + source_at.get(item.source or "", len(self.sources))] = 1.0
            language = base_language(item.language)
            out[row, o_lang + language_at.get(language, len(FEATURE_LANGUAGES))] = 1.0
            out[row, o_lang + len(FEATURE_LANGUAGES) + 1] = math.log1p(len(item.text)) / 8
        return out


def _min_df(min_df: int, n_docs: int) -> int:
    """`min_df` that still leaves a vocabulary on tiny training sets (unit tests, few labels)."""
    return 1 if n_docs < 50 else min_df


__all__ = [
    "FEATURE_LANGUAGES",
    "MAX_FEATURE_CHARS",
    "Embedder",
    "FeatureBuilder",
    "FeatureConfig",
    "base_language",
    "item_text",
]
