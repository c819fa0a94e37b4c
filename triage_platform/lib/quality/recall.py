"""Recall floors: each category's owner is promised that the annotator catches at least `recall_floor` of
their issues. A category below its floor has its alerts paused (its high-severity annotations go to human
review instead, see `annotate.routing.route_annotation(paused_categories=...)`) until recall recovers.

`recall_floor_outcomes` gives one ERROR-severity outcome per taxonomy category. A category with fewer
than `min_support` gold examples passes with a note: three examples cannot establish a recall (one miss
is a 33-point swing), and pausing an owner's alerts on such evidence would do more harm than good.
Categories of the evaluation that the taxonomy does not have are ignored (they belong to another
taxonomy version); categories of the taxonomy the evaluation does not mention have support 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.quality.contracts import CheckOutcome


def recall_floor_outcomes(
    per_category_recall: Mapping[str, float],
    support: Mapping[str, int],
    taxonomy: Taxonomy,
    min_support: int = 5,
) -> dict[str, CheckOutcome]:
    """Category id -> outcome (taxonomy order): fails (ERROR) when recall is below the category's floor.

    Metadata: `category`, `recall` (absent when unknown), `recall_floor`, `margin` (recall - floor),
    `support`, `min_support`, `enough_support`, `alerts_paused`.
    """
    outcomes: dict[str, CheckOutcome] = {}
    for category in taxonomy.categories:
        n = int(support.get(category.id, 0) or 0)
        recall = per_category_recall.get(category.id)
        if recall is not None and math.isnan(recall):
            recall = None
        metadata: dict[str, float | int | str | bool] = {
            "category": category.id,
            "recall_floor": category.recall_floor,
            "support": n,
            "min_support": min_support,
        }
        if recall is not None:
            metadata.update(
                recall=round(float(recall), 4), margin=round(float(recall) - category.recall_floor, 4)
            )
        enough = n >= min_support and recall is not None
        metadata["enough_support"] = enough
        if not enough:
            metadata["alerts_paused"] = False
            measured = f"recall {recall:.2f}" if recall is not None else "no recall measured"
            outcomes[category.id] = CheckOutcome(
                passed=True,
                severity="ERROR",
                description=(
                    f"{category.id}: too little support to judge recall ({n} < {min_support} gold examples; "
                    f"{measured}, floor {category.recall_floor:.2f})"
                ),
                metadata=metadata,
            )
            continue
        assert recall is not None
        below = recall < category.recall_floor
        metadata["alerts_paused"] = below
        if below:
            description = (
                f"{category.id}: recall {recall:.2f} below its floor {category.recall_floor:.2f} "
                f"(support {n}): alerts paused, items go to human review"
            )
        else:
            description = f"{category.id}: recall {recall:.2f} meets its floor {category.recall_floor:.2f} (support {n})"
        outcomes[category.id] = CheckOutcome(
            passed=not below, severity="ERROR", description=description, metadata=metadata
        )
    return outcomes


def paused_categories(outcomes: Mapping[str, CheckOutcome]) -> frozenset[str]:
    """The categories whose recall-floor check failed: pass to `route_annotation(paused_categories=...)`."""
    return frozenset(category for category, outcome in outcomes.items() if not outcome.passed)
