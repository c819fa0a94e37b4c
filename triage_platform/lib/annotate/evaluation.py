"""Model evaluation for the learning loops: score a model on a labeled set, compare a candidate with the
live model, and turn reports into rows of the `ml/evaluation_history` trend table.

- `score_model`: the model inside the cascade (rules → model, no LLM: the LLM is not what is being
  promoted, and evaluating must not spend money), scored by `metrics.evaluate`.
- `compare`: candidate vs current per category, language and source (a markdown table for the UI).
- `macro_f1_outcome`: the promotion rule "macro-F1 does not drop" as a check outcome. Macro-F1 averages
  the categories with enough support (see `metrics`); when neither report has one, micro-F1 is compared.
- `history_rows`: per-category precision/recall/F1/support (plus `macro` and `micro` rows) of one day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from triage_platform.lib.annotate.cascade import CascadeAnnotator
from triage_platform.lib.annotate.labels import LabeledExample
from triage_platform.lib.annotate.metrics import EvaluationReport, evaluate
from triage_platform.lib.annotate.model import TriageModel
from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.quality.contracts import CheckOutcome

MACRO_F1_TOLERANCE = 0.0
"""How much macro-F1 a candidate may lose against the live model and still be promoted."""

EVALUATION_HISTORY_SCHEMA = pa.schema(
    [
        ("day", pa.date32()),
        ("model_version", pa.string()),
        ("dataset", pa.string()),
        ("dataset_hash", pa.string()),
        ("category", pa.string()),
        ("precision", pa.float64()),
        ("recall", pa.float64()),
        ("f1", pa.float64()),
        ("support", pa.int64()),
        ("examples", pa.int64()),
        ("evaluated_at", pa.timestamp("us", tz="UTC")),
    ]
)
"""`ml/evaluation_history`: model quality per day × dataset × category (plus `macro` / `micro` rows)."""

DATASET_EVALUATION_SET = "evaluation_set"
DATASET_DAY_LABELS = "day_human_labels"


def score_model(
    model: TriageModel | None, examples: Sequence[LabeledExample], taxonomy: Taxonomy
) -> EvaluationReport:
    """`model` (None: the rules alone) in the cascade without LLM, scored on `examples`."""
    cascade = CascadeAnnotator(taxonomy, model)
    return evaluate(cascade.annotate([e.to_input() for e in examples]), list(examples), taxonomy)


def headline_f1(report: dict[str, Any]) -> tuple[str, float | None]:
    """("macro_f1", value) when the report has a macro-F1, else ("micro_f1", value)."""
    if report.get("macro_f1") is not None:
        return "macro_f1", float(report["macro_f1"])
    micro = report.get("micro_f1")
    return "micro_f1", None if micro is None else float(micro)


def macro_f1_outcome(
    candidate: dict[str, Any],
    current: dict[str, Any] | None,
    current_version: str | None,
    tolerance: float = MACRO_F1_TOLERANCE,
) -> CheckOutcome:
    """Pass when the candidate's macro-F1 (reports as `EvaluationReport.to_dict()`) is at least the
    current model's minus `tolerance`; pass with a note when there is no current model to compare."""
    if current is None:
        name, value = headline_f1(candidate)
        return CheckOutcome(
            passed=True,
            severity="ERROR",
            description=f"no live model to compare with (candidate {name} {value})",
            metadata={"candidate": value if value is not None else -1.0, "current_version": "none"},
        )
    metric = (
        "macro_f1"
        if candidate.get("macro_f1") is not None and current.get("macro_f1") is not None
        else "micro_f1"
    )
    new, old = float(candidate.get(metric) or 0.0), float(current.get(metric) or 0.0)
    delta = round(new - old, 4)
    passed = new >= old - tolerance - 1e-9
    verdict = "does not drop" if passed else "drops"
    return CheckOutcome(
        passed=passed,
        severity="ERROR",
        description=(
            f"candidate {metric} {new:.3f} vs live model {current_version} {old:.3f} (Δ {delta:+.3f}): "
            f"{verdict}" + ("" if passed else f" below the tolerance {tolerance:.3f}; not promoted")
        ),
        metadata={
            "metric": metric,
            "candidate": round(new, 4),
            "current": round(old, 4),
            "delta": delta,
            "tolerance": tolerance,
            "current_version": current_version or "none",
        },
    )


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{float(value):.3f}"


def compare(candidate: dict[str, Any], current: dict[str, Any] | None) -> str:
    """A markdown table: F1 per category, then macro-F1 per language and source, candidate vs current."""
    current = current or {}
    lines = ["| slice | candidate | current | support |", "|---|---|---|---|"]
    for name, metrics in candidate["categories"].items():
        old = (current.get("categories") or {}).get(name) or {}
        lines.append(
            f"| {name} (F1) | {_fmt(metrics['f1'])} | {_fmt(old.get('f1'))} | {metrics['support']} |"
        )
    for label in ("macro_f1", "micro_f1"):
        lines.append(
            f"| **{label}** | {_fmt(candidate.get(label))} | {_fmt(current.get(label))} | {candidate['n']} |"
        )
    for group in ("by_language", "by_source"):
        for name, metrics in (candidate.get(group) or {}).items():
            old = (current.get(group) or {}).get(name) or {}
            new_value = (
                metrics.get("macro_f1") if metrics.get("macro_f1") is not None else metrics.get("micro_f1")
            )
            old_value = old.get("macro_f1") if old.get("macro_f1") is not None else old.get("micro_f1")
            lines.append(f"| {group[3:]}={name} | {_fmt(new_value)} | {_fmt(old_value)} | {metrics['n']} |")
    return "\n".join(lines)


def history_rows(
    report: EvaluationReport,
    *,
    day: date,
    model_version: str,
    dataset: str,
    dataset_hash: str,
    evaluated_at: datetime,
) -> list[dict[str, Any]]:
    """Rows of `ml/evaluation_history` for one report: one per category, then `macro` and `micro`."""
    base = {
        "day": day,
        "model_version": model_version,
        "dataset": dataset,
        "dataset_hash": dataset_hash,
        "examples": report.n,
        "evaluated_at": evaluated_at,
    }
    rows = [
        {
            **base,
            "category": name,
            "precision": m.precision,
            "recall": m.recall,
            "f1": m.f1,
            "support": m.support,
        }
        for name, m in report.categories.items()
    ]
    rows.append(
        {
            **base,
            "category": "macro",
            "precision": None,
            "recall": None,
            "f1": report.macro_f1,
            "support": report.n,
        }
    )
    rows.append(
        {
            **base,
            "category": "micro",
            "precision": report.micro_precision,
            "recall": report.micro_recall,
            "f1": report.micro_f1,
            "support": report.n,
        }
    )
    return rows


__all__ = [
    "DATASET_DAY_LABELS",
    "DATASET_EVALUATION_SET",
    "EVALUATION_HISTORY_SCHEMA",
    "MACRO_F1_TOLERANCE",
    "compare",
    "headline_f1",
    "history_rows",
    "macro_f1_outcome",
    "score_model",
]
