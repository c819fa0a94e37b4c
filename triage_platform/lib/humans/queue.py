"""What waits for a person: the review queue and the labeling backlog, derived from `gold/reviews`
minus what people already labeled; and the rule that keeps human labels in `gold/reviews`.

- **Review queue** (`gold/review_queue`): items routed to `human_review` (medium confidence: a person
  confirms or corrects before anyone acts), most severe and most confident first, oldest first.
- **Labeling backlog** (`gold/labeling_backlog`): items routed to `labeling_backlog` (too uncertain to act
  on), ordered by how much a label would teach the annotator. The priority is a weighted sum of explained
  signals, each in [0, 1]:

  | signal | weight | meaning |
  |---|---|---|
  | `low_confidence` | 0.35 | 1 − confidence: the model is unsure |
  | `disagreement` | 0.20 | the stages disagreed: the cascade flagged `needs_human` / fell back, or the star rating contradicts the sentiment |
  | `high_value_sku` | 0.15 | the SKU's unit price is in the top quartile of the catalogue |
  | `emerging_cluster` | 0.15 | its (product family, primary issue) grew in the latest two days vs before |
  | `rare_language` | 0.15 | its language is under-represented among the human labels so far |

  `priority_reasons` lists the signals that contributed, e.g. `low_confidence=0.81, rare_language=1.00`.

**Second opinion.** Critical items, and items of categories whose default severity is critical (safety,
fraud), stay in their queue until two different people labeled them (`labels_so_far`/`labels_required`);
nobody is shown an item they already labeled, and `label_agreement` measures how often they agree.

**Re-opening.** An owner or admin can send a labeled review back to its queue (`label.reopen` in the
audit log): labels made before the reopening no longer count, so it needs fresh labels (previous
annotators may label it again).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta

import pandas as pd
import pyarrow as pa

from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.humans.tables import LABEL_FIELDS
from triage_platform.lib.reference import sku_dimension
from triage_platform.lib.transform.gold import GOLD_REVIEWS_SCHEMA, HUMAN_LABELED_STATUS

BACKLOG_WEIGHTS: Mapping[str, float] = {
    "low_confidence": 0.35,
    "disagreement": 0.20,
    "high_value_sku": 0.15,
    "emerging_cluster": 0.15,
    "rare_language": 0.15,
}
SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "none": 0}

QUEUE_COLUMNS = [
    "review_key",
    "day",
    "source",
    "language",
    "sku",
    "product",
    "product_family",
    "region",
    "rating",
    "title_redacted",
    "text_redacted",
    "issue_types",
    "primary_issue",
    "severity",
    "sentiment",
    "confidence",
    "owner",
    "stage",
    "model_version",
    "taxonomy_version",
    "route",
    "submitted_at",
]
_BASE_FIELDS = [GOLD_REVIEWS_SCHEMA.field(name) for name in QUEUE_COLUMNS]

_PROGRESS_FIELDS = [pa.field("labels_so_far", pa.int64()), pa.field("labels_required", pa.int64())]

REVIEW_QUEUE_SCHEMA = pa.schema([*_BASE_FIELDS, *_PROGRESS_FIELDS, pa.field("position", pa.int64())])
"""`gold/review_queue`: medium-confidence items awaiting a person, in working order (`position` 1 first)."""

LABELING_BACKLOG_SCHEMA = pa.schema(
    [
        *_BASE_FIELDS,
        *_PROGRESS_FIELDS,
        pa.field("position", pa.int64()),
        pa.field("priority", pa.float64()),
        pa.field("priority_reasons", pa.string()),
        pa.field("signals_json", pa.string()),
    ]
)
"""`gold/labeling_backlog`: uncertain items, most informative first, with the score and its reasons."""


def second_opinion_categories(taxonomy: Taxonomy) -> frozenset[str]:
    """Categories whose default severity is critical (safety, fraud in the default taxonomy): their items
    need labels from two different people before they leave the queue."""
    return frozenset(c.id for c in taxonomy.categories if c.default_severity == "critical")


def labels_required(frame: pd.DataFrame, second_opinion: frozenset[str]) -> pd.Series:
    """2 distinct annotators for critical items or second-opinion categories, else 1."""
    critical = (frame["severity"] == "critical") | frame["primary_issue"].isin(second_opinion)
    return critical.map({True: 2, False: 1}).astype("int64")


def labels_since_reopen(labels: pd.DataFrame, reopened: Mapping[str, object] | None) -> pd.DataFrame:
    """The label rows that still count: for a reopened review only those made after its reopening."""
    if labels.empty or not reopened:
        return labels
    since = pd.to_datetime(labels["review_key"].map(reopened), utc=True)
    stamps = pd.to_datetime(labels["labeled_at"], utc=True)
    return labels[since.isna() | (stamps > since)]


def _unlabeled(
    gold: pd.DataFrame,
    labels: pd.DataFrame | None,
    route: str,
    second_opinion: frozenset[str],
    reopened: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Rows of `route` with fewer distinct annotators than required (labels made before a reopening do
    not count)."""
    reopened = dict(reopened or {})
    frame = gold[gold["route"] == route].copy()
    if labels is not None and not labels.empty:
        counts = labels_since_reopen(labels, reopened).groupby("review_key")["annotator"].nunique()
        frame["labels_so_far"] = frame["review_key"].map(counts).fillna(0).astype("int64")
    else:
        frame["labels_so_far"] = 0
    frame["labels_required"] = labels_required(frame, second_opinion)
    return frame[frame["labels_so_far"] < frame["labels_required"]].copy()


def label_agreement(labels: pd.DataFrame) -> dict[str, float]:
    """Among reviews labeled by two or more people (each person's latest label): how many, and the share
    where all of them agree on issue types and severity."""
    if labels.empty:
        return {"multi_labeled": 0, "agreeing": 0, "agreement_rate": 1.0}
    latest = labels.sort_values("labeled_at").drop_duplicates(["review_key", "annotator"], keep="last")
    multi = agreeing = 0
    for _, group in latest.groupby("review_key"):
        if group["annotator"].nunique() < 2:
            continue
        multi += 1
        views = {
            (tuple(sorted(v)), sev) for v, sev in zip(group["issue_types"], group["severity"], strict=True)
        }
        agreeing += len(views) == 1
    return {
        "multi_labeled": multi,
        "agreeing": agreeing,
        "agreement_rate": agreeing / multi if multi else 1.0,
    }


def build_review_queue(
    gold: pd.DataFrame,
    labels: pd.DataFrame | None = None,
    second_opinion: frozenset[str] = frozenset(),
    reopened: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Items routed to human review that still need a label (`labels` are all label rows: critical items
    and `second_opinion` categories need two different annotators): most severe first, then most confident
    (closest to acting), then oldest."""
    frame = _unlabeled(gold, labels, "human_review", second_opinion, reopened)
    if frame.empty:
        return REVIEW_QUEUE_SCHEMA.empty_table().to_pandas()
    frame["_severity"] = frame["severity"].map(SEVERITY_RANK).fillna(0)
    frame = frame.sort_values(
        ["_severity", "confidence", "submitted_at", "review_key"], ascending=[False, False, True, True]
    )
    frame["position"] = range(1, len(frame) + 1)
    return pa.Table.from_pandas(
        frame[REVIEW_QUEUE_SCHEMA.names], schema=REVIEW_QUEUE_SCHEMA, preserve_index=False
    ).to_pandas()


def high_value_skus(quantile: float = 0.75) -> frozenset[str]:
    """SKUs whose unit price is at or above the catalogue's `quantile` (top quartile by default)."""
    dim = sku_dimension()
    prices = pd.to_numeric(dim["unit_price"], errors="coerce")
    cut = prices.quantile(quantile)
    return frozenset(dim.loc[prices >= cut, "sku"])


def emerging_clusters(gold: pd.DataFrame, recent_days: int = 2, min_reviews: int = 3) -> frozenset[tuple]:
    """(product family, primary issue) pairs whose daily count in the latest `recent_days` days is at
    least twice their daily count before (and at least `min_reviews` recent reviews)."""
    issues = gold[gold["primary_issue"].notna() & (gold["primary_issue"] != "none")]
    if issues.empty:
        return frozenset()
    days = pd.to_datetime(issues["day"])
    last = days.max()
    recent = days > last - timedelta(days=recent_days)
    earlier_days = max(1, (last - days.min()).days + 1 - recent_days)
    keys = list(zip(issues["product_family"].fillna("unknown"), issues["primary_issue"], strict=True))
    counts = pd.DataFrame({"key": keys, "recent": recent.to_numpy()})
    out = set()
    for key, group in counts.groupby("key"):
        n_recent = int(group["recent"].sum())
        n_before = int((~group["recent"]).sum())
        if n_recent >= min_reviews and n_recent / recent_days >= 2 * (n_before / earlier_days):
            out.add(key)
    return frozenset(out)


def language_rarity(gold: pd.DataFrame, labels: pd.DataFrame | None) -> dict[str, float]:
    """Per language, how under-represented it is among human labels relative to the reviews: 1 when no
    label exists in that language, 0 when its label share is at least its review share."""
    review_share = gold["language"].fillna("und").value_counts(normalize=True)
    if labels is None or labels.empty:
        return {lang: 1.0 for lang in review_share.index}
    label_share = labels["language"].fillna("und").value_counts(normalize=True)
    return {
        lang: float(max(0.0, 1.0 - label_share.get(lang, 0.0) / share)) if share > 0 else 0.0
        for lang, share in review_share.items()
    }


def backlog_signals(
    frame: pd.DataFrame, valuable: frozenset[str], emerging: frozenset[tuple], rarity: Mapping[str, float]
) -> pd.DataFrame:
    """The five signals of each backlog item, each in [0, 1] (one column per signal)."""
    rating = pd.to_numeric(frame["rating"], errors="coerce")
    contradicts = ((rating <= 2) & (frame["sentiment"] == "positive")) | (
        (rating >= 5) & (frame["sentiment"] == "negative")
    )
    disagreement = (
        frame["needs_human"].fillna(False).astype(bool) | (frame["stage"] == "fallback") | contradicts
    )
    clusters = zip(frame["product_family"].fillna("unknown"), frame["primary_issue"], strict=True)
    return pd.DataFrame(
        {
            "low_confidence": (1.0 - pd.to_numeric(frame["confidence"], errors="coerce"))
            .fillna(1.0)
            .round(4),
            "disagreement": disagreement.astype(float),
            "high_value_sku": frame["sku"].isin(valuable).astype(float),
            "emerging_cluster": [1.0 if key in emerging else 0.0 for key in clusters],
            "rare_language": frame["language"].fillna("und").map(rarity).fillna(0.0).astype(float).round(4),
        },
        index=frame.index,
    )


def build_labeling_backlog(
    gold: pd.DataFrame,
    labels: pd.DataFrame | None = None,
    weights: Mapping[str, float] = BACKLOG_WEIGHTS,
    valuable: frozenset[str] | None = None,
    second_opinion: frozenset[str] = frozenset(),
    reopened: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Items routed to the labeling backlog that still need a label, most informative first (see the
    module docstring for the score)."""
    frame = _unlabeled(gold, labels, "labeling_backlog", second_opinion, reopened)
    if frame.empty:
        return LABELING_BACKLOG_SCHEMA.empty_table().to_pandas()
    valuable = high_value_skus() if valuable is None else valuable
    emerging = emerging_clusters(gold)
    rarity = language_rarity(gold, labels)
    table = backlog_signals(frame, valuable, emerging, rarity)
    signals = table.to_dict("records")
    frame["priority"] = sum(weights[name] * table[name] for name in table.columns).round(4)
    frame["priority_reasons"] = [
        ", ".join(
            f"{k}={v:.2f}" for k, v in sorted(s.items(), key=lambda kv: -weights[kv[0]] * kv[1]) if v > 0
        )
        for s in signals
    ]
    frame["signals_json"] = [json.dumps(s, sort_keys=True) for s in signals]
    frame = frame.sort_values(["priority", "submitted_at", "review_key"], ascending=[False, True, True])
    frame["position"] = range(1, len(frame) + 1)
    return pa.Table.from_pandas(
        frame[LABELING_BACKLOG_SCHEMA.names], schema=LABELING_BACKLOG_SCHEMA, preserve_index=False
    ).to_pandas()


def apply_labels(gold: pd.DataFrame, labels: pd.DataFrame | None) -> pd.DataFrame:
    """`gold/reviews` rows with the latest human label of each review applied: its issue types, primary
    issue, severity and sentiment, `human_override=True` and status `human_labeled`. Rebuilding gold
    from silver keeps what people decided."""
    if gold.empty or labels is None or labels.empty:
        return gold
    from triage_platform.lib.humans.tables import latest_labels

    latest = latest_labels(labels).set_index("review_key")
    hit = gold["review_key"].isin(latest.index)
    if not hit.any():
        return gold
    out = gold.copy()
    for column in LABEL_FIELDS:
        values = out.loc[hit, "review_key"].map(latest[column])
        if column == "issue_types":
            out.loc[hit, column] = pd.Series([list(v) for v in values], index=values.index, dtype=object)
        else:
            out.loc[hit, column] = values
    out.loc[hit, "human_override"] = True
    out.loc[hit, "status"] = HUMAN_LABELED_STATUS
    return out
