"""How good an annotator is: its annotations scored against gold labels (pure functions, no I/O).

`evaluate(predictions, gold, taxonomy)` returns an `EvaluationReport`:

- per category: precision, recall, F1, support (gold count), predicted count, tp / fp / fn;
- micro precision / recall / F1 over every (review, category) decision;
- macro F1: the mean F1 of the categories with support >= `min_support` (thin categories are reported but
  left out of the mean: a category with 3 gold examples swings the mean by a third of its F1);
- exact issue-set accuracy, primary-issue accuracy, severity accuracy, sentiment accuracy;
- critical recall: of the reviews whose gold severity is `critical`, the share predicted `high` or
  `critical` (both page the owner, see `routing.ALERT_SEVERITIES`); `critical_exact_recall` is the
  share predicted exactly `critical`;
- per language and per source: n, micro F1 and macro F1 (macro over the slice's categories with slice
  support >= `slice_min_support`, None when no category qualifies);
- expected calibration error (ECE) of the per-category probabilities (`category_confidence`), pooled
  over every (review, category) pair and per category. A category missing from `category_confidence`
  counts as probability 0 (the annotator did not consider it), which is how the rules stage reports.

Conventions: a ratio with a zero denominator is 0.0 (as scikit-learn's `zero_division=0`), except where
documented as None (nothing to measure).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from triage_platform.lib.annotate.labels import LabeledExample
from triage_platform.lib.annotate.schema import Annotation
from triage_platform.lib.annotate.taxonomy import Taxonomy

ALERTING_SEVERITIES = frozenset({"high", "critical"})
"""Predicted severities that count as catching a critical review (both alert the owner)."""


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def expected_calibration_error(
    probs: Sequence[float] | np.ndarray, labels: Sequence[Any], bins: int = 10
) -> float:
    """ECE with `bins` equal-width bins over [0, 1]: sum over bins of (share of items) x |mean p - mean y|.

    `labels` are 0/1 (or booleans). A probability of exactly 1.0 falls into the last bin. Returns 0.0 for
    no items.
    """
    p = np.asarray(probs, dtype=float).ravel()
    y = np.asarray(labels, dtype=float).ravel()
    if p.shape != y.shape:
        raise ValueError(f"probs and labels differ in length: {p.shape[0]} vs {y.shape[0]}")
    if bins < 1:
        raise ValueError("bins must be at least 1")
    if p.size == 0:
        return 0.0
    if np.any((p < 0) | (p > 1)):
        raise ValueError("probabilities must lie in [0, 1]")
    index = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        count = int(mask.sum())
        if count:
            total += count / p.size * abs(float(p[mask].mean()) - float(y[mask].mean()))
    return total


@dataclass(frozen=True)
class CategoryMetrics:
    """Scores of one category."""

    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    tp: int
    fp: int
    fn: int
    ece: float | None = None


@dataclass(frozen=True)
class SliceMetrics:
    """Scores of one slice of the data (a language or a source)."""

    n: int
    micro_f1: float
    macro_f1: float | None
    macro_categories: int


@dataclass(frozen=True)
class EvaluationReport:
    """Everything `evaluate` measured; `to_dict()` for JSON, `render()` for a text table."""

    n: int
    taxonomy_version: str
    min_support: int
    categories: dict[str, CategoryMetrics]
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_f1: float | None
    macro_categories: list[str]
    exact_match: float
    primary_accuracy: float
    severity_accuracy: float
    sentiment_accuracy: float
    critical_support: int
    critical_recall: float | None
    critical_exact_recall: float | None
    ece: float | None
    by_language: dict[str, SliceMetrics] = field(default_factory=dict)
    by_source: dict[str, SliceMetrics] = field(default_factory=dict)

    def recall_of(self, category: str) -> float:
        return self.categories[category].recall

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (floats rounded to 4 decimals)."""
        return _rounded(asdict(self))

    def render(self, title: str | None = None) -> str:
        """A fixed-width text table: per-category rows, then the summary lines and the slices."""
        lines: list[str] = []
        if title:
            lines.append(title)
        lines.append(
            f"{'category':20s} {'prec':>6s} {'rec':>6s} {'f1':>6s} {'supp':>5s} {'pred':>5s} {'ece':>6s}"
        )
        for name, m in self.categories.items():
            mark = "" if name in self.macro_categories else "  (thin: not in macro)"
            ece = "" if m.ece is None else f"{m.ece:.3f}"
            lines.append(
                f"{name:20s} {m.precision:6.3f} {m.recall:6.3f} {m.f1:6.3f} {m.support:5d} {m.predicted:5d} "
                f"{ece:>6s}{mark}"
            )
        macro = "n/a" if self.macro_f1 is None else f"{self.macro_f1:.3f}"
        lines.append(
            f"micro P {self.micro_precision:.3f} R {self.micro_recall:.3f} F1 {self.micro_f1:.3f} | "
            f"macro F1 {macro} over {len(self.macro_categories)} categories with support >= "
            f"{self.min_support} | n {self.n}"
        )
        critical = "n/a" if self.critical_recall is None else f"{self.critical_recall:.3f}"
        ece = "n/a" if self.ece is None else f"{self.ece:.3f}"
        lines.append(
            f"exact set {self.exact_match:.3f} | primary {self.primary_accuracy:.3f} | severity "
            f"{self.severity_accuracy:.3f} | sentiment {self.sentiment_accuracy:.3f} | critical->high+ "
            f"{critical} (n {self.critical_support}) | ECE {ece}"
        )
        for label, slices in (("language", self.by_language), ("source", self.by_source)):
            parts = []
            for key, s in slices.items():
                macro_s = "n/a" if s.macro_f1 is None else f"{s.macro_f1:.3f}"
                parts.append(f"{key} n={s.n} micro {s.micro_f1:.3f} macro {macro_s}")
            if parts:
                lines.append(f"by {label}: " + "; ".join(parts))
        return "\n".join(lines)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _counts(
    predicted: Sequence[frozenset[str]], gold: Sequence[frozenset[str]], categories: Sequence[str]
) -> dict[str, tuple[int, int, int]]:
    out: dict[str, tuple[int, int, int]] = {}
    for category in categories:
        tp = fp = fn = 0
        for p, g in zip(predicted, gold, strict=True):
            if category in p:
                if category in g:
                    tp += 1
                else:
                    fp += 1
            elif category in g:
                fn += 1
        out[category] = (tp, fp, fn)
    return out


def _micro_macro(
    counts: dict[str, tuple[int, int, int]], min_support: int
) -> tuple[float, float, float, float | None, list[str]]:
    tp = sum(c[0] for c in counts.values())
    fp = sum(c[1] for c in counts.values())
    fn = sum(c[2] for c in counts.values())
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    included = [k for k, (t, _, f) in counts.items() if t + f >= min_support and t + f > 0]
    f1s = [_f1(_ratio(t, t + p), _ratio(t, t + f)) for k, (t, p, f) in counts.items() if k in included]
    macro = float(np.mean(f1s)) if f1s else None
    return precision, recall, _f1(precision, recall), macro, included


def evaluate(
    predictions: Sequence[Annotation],
    gold: Sequence[LabeledExample],
    taxonomy: Taxonomy,
    min_support: int = 10,
    slice_min_support: int = 5,
    bins: int = 10,
) -> EvaluationReport:
    """Score `predictions` against `gold` (matched by id; every gold example needs a prediction).

    Categories are the taxonomy's, in its order. See the module docstring for every definition.
    """
    by_id = {p.id: p for p in predictions}
    missing = [g.id for g in gold if g.id not in by_id]
    if missing:
        raise ValueError(f"{len(missing)} gold examples have no prediction, e.g. {missing[:3]}")
    preds = [by_id[g.id] for g in gold]
    categories = list(taxonomy.ids)
    known = set(categories)
    predicted_sets = [frozenset(p.issue_types) & known for p in preds]
    gold_sets = [frozenset(g.issue_types) for g in gold]
    n = len(gold)

    counts = _counts(predicted_sets, gold_sets, categories)
    micro_p, micro_r, micro_f, macro, included = _micro_macro(counts, min_support)

    probs = np.array([[p.category_confidence.get(c, 0.0) for c in categories] for p in preds], dtype=float)
    truth = np.array([[c in g for c in categories] for g in gold_sets], dtype=float)
    has_probs = any(p.category_confidence for p in preds)
    per_category: dict[str, CategoryMetrics] = {}
    for j, category in enumerate(categories):
        tp, fp, fn = counts[category]
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        per_category[category] = CategoryMetrics(
            precision=precision,
            recall=recall,
            f1=_f1(precision, recall),
            support=tp + fn,
            predicted=tp + fp,
            tp=tp,
            fp=fp,
            fn=fn,
            ece=expected_calibration_error(probs[:, j], truth[:, j], bins) if has_probs and n else None,
        )
    ece = expected_calibration_error(probs.ravel(), truth.ravel(), bins) if has_probs and n else None

    critical = [i for i, g in enumerate(gold) if g.severity == "critical"]
    critical_recall = (
        _ratio(sum(preds[i].severity in ALERTING_SEVERITIES for i in critical), len(critical))
        if critical
        else None
    )
    critical_exact = (
        _ratio(sum(preds[i].severity == "critical" for i in critical), len(critical)) if critical else None
    )

    def slices(key_of: Any) -> dict[str, SliceMetrics]:
        groups: dict[str, list[int]] = {}
        for i, g in enumerate(gold):
            groups.setdefault(key_of(g) or "unknown", []).append(i)
        out: dict[str, SliceMetrics] = {}
        for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
            members = groups[key]
            sub = _counts([predicted_sets[i] for i in members], [gold_sets[i] for i in members], categories)
            _, _, micro, macro_s, cats = _micro_macro(sub, slice_min_support)
            out[key] = SliceMetrics(
                n=len(members), micro_f1=micro, macro_f1=macro_s, macro_categories=len(cats)
            )
        return out

    return EvaluationReport(
        n=n,
        taxonomy_version=taxonomy.fingerprint,
        min_support=min_support,
        categories=per_category,
        micro_precision=micro_p,
        micro_recall=micro_r,
        micro_f1=micro_f,
        macro_f1=macro,
        macro_categories=included,
        exact_match=_ratio(sum(p == g for p, g in zip(predicted_sets, gold_sets, strict=True)), n),
        primary_accuracy=_ratio(
            sum(p.primary_issue == g.primary_issue for p, g in zip(preds, gold, strict=True)), n
        ),
        severity_accuracy=_ratio(sum(p.severity == g.severity for p, g in zip(preds, gold, strict=True)), n),
        sentiment_accuracy=_ratio(
            sum(p.sentiment == g.sentiment for p, g in zip(preds, gold, strict=True)), n
        ),
        critical_support=len(critical),
        critical_recall=critical_recall,
        critical_exact_recall=critical_exact,
        ece=ece,
        by_language=slices(lambda g: g.language),
        by_source=slices(lambda g: g.source),
    )


__all__ = [
    "ALERTING_SEVERITIES",
    "CategoryMetrics",
    "EvaluationReport",
    "SliceMetrics",
    "evaluate",
    "expected_calibration_error",
]
