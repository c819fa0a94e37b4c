"""Input drift: is today's feedback still like the feedback the annotator was built and measured on?

**Population stability index** (`psi`): `PSI = sum_i (a_i - e_i) * ln(a_i / e_i)` over the bins (numeric)
or categories (categorical) of the expected (reference) and actual distributions, as proportions.
Conventional reading: below 0.1 stable, 0.1-0.25 a moderate shift worth a look, above 0.25 a significant
shift. Details:

- numeric values (e.g. text length): the bin edges are the reference's deciles (`bins` quantile bins, so
  each holds ~1/bins of the reference), open at both ends so actual values outside the reference range
  land in the outer bins; duplicate edges (a lumpy reference) merge bins;
- categorical values (language, source, category mix): pass the raw values (strings) or counts
  (`{category: count}`); the categories are the union of both sides;
- an empty bin or unseen category gets a proportion of `epsilon` (1e-4) instead of 0, the usual
  smoothing (otherwise one new category makes PSI infinite); with it, a category holding 10% of one side
  and none of the other contributes ~0.8 alone.

PSI grows with sampling noise on small samples: about `(bins - 1) * (1/n_expected + 1/n_actual)` for two
samples of the same distribution (0.09 for 10 bins and 200 rows a side). `drift_outcome` therefore
passes with a note below `min_rows` (default 100) current rows.

**Vocabulary shift** (`vocabulary_shift`): compares the top-N tokens of the current texts with a
reference token count. `jaccard` is the overlap of the two top-N sets (1 identical, 0 disjoint); `oov_rate`
is the share of current token occurrences, among the current top-N tokens, that the reference vocabulary
(all its tokens, not only its top N) never saw: a new product, a new complaint, a new language, or a
broken upstream (mojibake, HTML) that the annotator has not seen. Tokens: lowercased Unicode words of at
least 2 letters; digits and PII tokens (`[EMAIL]` ...) are dropped.

Calibration of the vocabulary thresholds (`drift_outcome` defaults): on the demo generator's feedback
(~350-450 texts a day), the top-100 Jaccard of one day against the previous day or the previous 7 days
ranged 0.41-0.64, and the OOV rate 0-0.016. Top-N sets of a few hundred short texts are noisy in their
tail, so the floor is 0.3 (not 0.5) and the OOV ceiling 0.1; the text-length PSI between days was
0.03-0.10 there, well under 0.25.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from triage_platform.lib.quality.contracts import CheckOutcome, MetadataValue, join_names

MODERATE_PSI = 0.1
SIGNIFICANT_PSI = 0.25
EPSILON = 1e-4

_TOKEN_RE = re.compile(r"[^\W\d_]{2,}")
_PII_TOKEN_RE = re.compile(r"\[(?:EMAIL|URL|CARD|ORDER|PHONE|ADDRESS)\]")


def _is_categorical(values: Any) -> bool:
    if isinstance(values, Mapping):
        return True
    if isinstance(values, pd.Series):
        values = values.dropna()
        return not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
    return any(isinstance(v, str | bool) for v in values if v is not None)


def _counts(values: Mapping[Any, float] | Iterable[Any]) -> Counter[Any]:
    if isinstance(values, Mapping):
        counts = Counter({k: float(v) for k, v in values.items()})
        if any(v < 0 for v in counts.values()):
            raise ValueError("category counts must not be negative")
        return counts
    return Counter(v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v)))


def _psi_terms(expected: np.ndarray, actual: np.ndarray, epsilon: float) -> float:
    e = np.maximum(expected / expected.sum(), epsilon)
    a = np.maximum(actual / actual.sum(), epsilon)
    return float(np.sum((a - e) * np.log(a / e)))


def psi(
    expected: Sequence[float] | Sequence[str] | Mapping[Any, float] | pd.Series,
    actual: Sequence[float] | Sequence[str] | Mapping[Any, float] | pd.Series,
    bins: int = 10,
    *,
    categorical: bool | None = None,
    epsilon: float = EPSILON,
) -> float:
    """Population stability index of `actual` against `expected` (the reference); see the module doc.

    Numeric samples are binned on the reference's quantiles; mappings are category counts; sequences of
    strings (or `categorical=True`) are counted per value. `ValueError` when either side is empty.
    """
    if categorical is None:
        categorical = _is_categorical(expected) or _is_categorical(actual)
    if categorical:
        e_counts, a_counts = _counts(expected), _counts(actual)
        if not sum(e_counts.values()) or not sum(a_counts.values()):
            raise ValueError("psi needs a non-empty expected and actual distribution")
        categories = sorted(set(e_counts) | set(a_counts), key=str)
        e = np.array([e_counts.get(c, 0.0) for c in categories], dtype=float)
        a = np.array([a_counts.get(c, 0.0) for c in categories], dtype=float)
        return _psi_terms(e, a, epsilon)
    if bins < 1:
        raise ValueError(f"bins must be at least 1, not {bins}")
    e_values = pd.to_numeric(pd.Series(list(expected), dtype=float)).dropna().to_numpy()
    a_values = pd.to_numeric(pd.Series(list(actual), dtype=float)).dropna().to_numpy()
    if not len(e_values) or not len(a_values):
        raise ValueError("psi needs a non-empty expected and actual sample")
    levels = np.linspace(0, 1, bins + 1)[1:-1]
    cuts = np.unique(np.quantile(e_values, levels)) if len(levels) else np.array([])
    if not len(cuts):
        cuts = np.array([float(np.median(e_values))])
    # right-closed bins: (-inf, c1], (c1, c2], ..., (ck, inf)
    e = np.bincount(np.searchsorted(cuts, e_values, side="left"), minlength=len(cuts) + 1).astype(float)
    a = np.bincount(np.searchsorted(cuts, a_values, side="left"), minlength=len(cuts) + 1).astype(float)
    return _psi_terms(e, a, epsilon)


def psi_level(
    value: float, *, moderate_at: float = MODERATE_PSI, significant_at: float = SIGNIFICANT_PSI
) -> str:
    """`stable`, `moderate` or `significant` by the conventional thresholds."""
    if value >= significant_at:
        return "significant"
    if value >= moderate_at:
        return "moderate"
    return "stable"


def tokenize(text: str | None) -> list[str]:
    """Lowercased words of 2+ letters (any script); digits, codes' digits and PII tokens dropped."""
    if not isinstance(text, str):
        return []
    return _TOKEN_RE.findall(_PII_TOKEN_RE.sub(" ", text).casefold())


def token_counts(texts: Iterable[str | None]) -> Counter[str]:
    """How often each token occurs across `texts` (the reference vocabulary, or today's)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(tokenize(text))
    return counts


@dataclass(frozen=True)
class VocabularyShift:
    """Top-N vocabulary of the current texts against the reference (see the module doc)."""

    jaccard: float
    oov_rate: float
    top_n: int
    new_tokens: tuple[str, ...]
    """Current top-N tokens the reference never saw, most frequent first."""


def vocabulary_shift(
    reference: Mapping[str, int], current: Mapping[str, int], *, top_n: int = 100
) -> VocabularyShift:
    """Jaccard overlap of the top-`top_n` tokens and out-of-vocabulary rate of the current top tokens.

    Both arguments are token counts (`token_counts`). An empty current side has nothing to compare:
    jaccard 1.0 and oov_rate 0.0.
    """
    if top_n < 1:
        raise ValueError(f"top_n must be at least 1, not {top_n}")

    def top(counts: Mapping[str, int]) -> list[str]:
        ranked = sorted(((c, t) for t, c in counts.items() if c > 0), key=lambda item: (-item[0], item[1]))
        return [t for _, t in ranked[:top_n]]

    current_top = top(current)
    if not current_top:
        return VocabularyShift(jaccard=1.0, oov_rate=0.0, top_n=top_n, new_tokens=())
    reference_top = set(top(reference))
    current_set = set(current_top)
    union = reference_top | current_set
    jaccard = len(reference_top & current_set) / len(union) if union else 1.0
    new = [t for t in current_top if reference.get(t, 0) <= 0]
    total = sum(current[t] for t in current_top)
    oov = sum(current[t] for t in new) / total if total else 0.0
    return VocabularyShift(jaccard=jaccard, oov_rate=oov, top_n=top_n, new_tokens=tuple(new))


def review_psis(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    text_col: str | None = "text_redacted",
    categorical: Sequence[str] = ("source", "language"),
    list_columns: Sequence[str] = (),
    bins: int = 10,
) -> dict[str, float]:
    """PSI per input dimension of two review frames (reference first): text length, categorical columns
    and the element mix of list columns (e.g. `issue_types` for the category mix). Columns absent from
    either frame, or empty on either side, are skipped."""
    values: dict[str, float] = {}
    if text_col and text_col in reference.columns and text_col in current.columns:
        ref_len = reference[text_col].dropna().str.len()
        cur_len = current[text_col].dropna().str.len()
        if len(ref_len) and len(cur_len):
            values["text_length"] = psi(ref_len.tolist(), cur_len.tolist(), bins, categorical=False)
    for column in categorical:
        if column in reference.columns and column in current.columns:
            ref, cur = _counts(reference[column]), _counts(current[column])
            if ref and cur:
                values[column] = psi(ref, cur)
    for column in list_columns:
        if column in reference.columns and column in current.columns:
            ref = _counts(item for cell in reference[column].dropna() for item in cell)
            cur = _counts(item for cell in current[column].dropna() for item in cell)
            if ref and cur:
                values[column] = psi(ref, cur)
    return values


def drift_outcome(
    name: str,
    psi_values: Mapping[str, float],
    *,
    vocabulary: VocabularyShift | None = None,
    rows: int | None = None,
    min_rows: int = 100,
    moderate_at: float = MODERATE_PSI,
    significant_at: float = SIGNIFICANT_PSI,
    jaccard_floor: float = 0.3,
    oov_ceiling: float = 0.1,
) -> CheckOutcome:
    """A WARN outcome: fails when any PSI reaches `significant_at` (0.25), or the vocabulary shifted
    (top-N Jaccard below `jaccard_floor` or OOV rate above `oov_ceiling`). A moderate PSI (0.1-0.25) passes
    but is named in the description. With `rows` below `min_rows` the check passes with a note (PSI on
    small samples is mostly noise) while still reporting the values.

    Metadata: `psi[<dim>]` and `psi_level[<dim>]` per dimension, `psi_max`, the thresholds, and
    `vocab_jaccard`, `vocab_oov_rate`, `vocab_new_tokens` when `vocabulary` is given.
    """
    metadata: dict[str, MetadataValue] = {"moderate_at": moderate_at, "significant_at": significant_at}
    levels = {
        dim: psi_level(v, moderate_at=moderate_at, significant_at=significant_at)
        for dim, v in psi_values.items()
    }
    for dim, value in psi_values.items():
        metadata[f"psi[{dim}]"] = round(float(value), 4)
        metadata[f"psi_level[{dim}]"] = levels[dim]
    if psi_values:
        metadata["psi_max"] = round(max(float(v) for v in psi_values.values()), 4)
    significant = [f"{d} {psi_values[d]:.2f}" for d, level in levels.items() if level == "significant"]
    moderate = [f"{d} {psi_values[d]:.2f}" for d, level in levels.items() if level == "moderate"]
    problems = []
    if significant:
        problems.append(f"significant shift in {', '.join(significant)}")
    if vocabulary is not None:
        metadata.update(
            vocab_jaccard=round(vocabulary.jaccard, 4),
            vocab_oov_rate=round(vocabulary.oov_rate, 4),
            vocab_top_n=vocabulary.top_n,
            vocab_new_tokens=join_names(list(vocabulary.new_tokens), limit=15),
            jaccard_floor=jaccard_floor,
            oov_ceiling=oov_ceiling,
        )
        if vocabulary.jaccard < jaccard_floor:
            problems.append(
                f"top-{vocabulary.top_n} vocabulary overlap {vocabulary.jaccard:.2f} < {jaccard_floor:g}"
            )
        if vocabulary.oov_rate > oov_ceiling:
            problems.append(
                f"out-of-vocabulary rate {vocabulary.oov_rate:.2f} > {oov_ceiling:g}"
                f" (new: {join_names(list(vocabulary.new_tokens), limit=5)})"
            )
    if rows is not None:
        metadata.update(rows=int(rows), min_rows=int(min_rows))
    note = f"; moderate shift in {', '.join(moderate)}" if moderate else ""
    if rows is not None and rows < min_rows:
        found = f" (would flag: {'; '.join(problems)})" if problems else ""
        return CheckOutcome(
            passed=True,
            severity="WARN",
            description=f"{name}: too few rows to judge drift ({rows} < {min_rows}){found}",
            metadata=metadata,
        )
    if problems:
        description = f"{name}: input drift: {'; '.join(problems)}{note}"
    else:
        description = (
            f"{name}: no significant drift{note}" if psi_values or vocabulary else f"{name}: nothing compared"
        )
    return CheckOutcome(passed=not problems, severity="WARN", description=description, metadata=metadata)
