"""Where an annotation goes next: an owner's alert channel, the human review queue, the labeling backlog,
or nowhere.

The thresholds live on the taxonomy's categories (`alert_threshold`, `review_threshold`), so each owner
tunes how sure the annotator must be before it interrupts them. Operators can pause a category's alerts
(a noisy rule, an incident already being handled): its high-severity annotations then go to human review
instead of paging anyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

from triage_platform.lib.annotate.schema import NO_ISSUE, Annotation
from triage_platform.lib.annotate.taxonomy import Category, Taxonomy, taxonomy_fingerprint

Route = Literal["alert", "human_review", "labeling_backlog", "none"]
"""`alert`: notify the owner now; `human_review`: a person confirms it soon; `labeling_backlog`: too
uncertain to act on, worth labeling to improve the annotator; `none`: nothing to do."""

ROUTES: tuple[str, ...] = get_args(Route)

ALERT_SEVERITIES: frozenset[str] = frozenset({"high", "critical"})
"""Only these severities may page an owner."""

DEFAULT_REVIEW_THRESHOLD: float = Category.model_fields["review_threshold"].default
"""Review threshold for annotations without a primary category (a `needs_human` with no issue found)."""


def route_annotation(
    annotation: Annotation, taxonomy: Taxonomy, paused_categories: frozenset[str] = frozenset()
) -> Route:
    """Decide the route of one annotation.

    - no issue and nobody needs to look: `none`;
    - primary category confident enough (`alert_threshold`), severity high or critical, alerts for it not
      paused: `alert`;
    - confidence at least the category's `review_threshold`, or a paused category at high/critical
      severity: `human_review`;
    - otherwise: `labeling_backlog`.

    `needs_human` never yields `none`: without an issue it goes to `human_review` when confidence reaches
    the default review threshold and to `labeling_backlog` otherwise. Raises `ValueError` when the primary
    issue is not a category of `taxonomy`.
    """
    if not annotation.issue_types and not annotation.needs_human:
        return "none"
    primary = annotation.primary_issue
    if primary == NO_ISSUE:
        return "human_review" if annotation.confidence >= DEFAULT_REVIEW_THRESHOLD else "labeling_backlog"
    if not taxonomy.has(primary):
        raise ValueError(
            f"annotation {annotation.id!r}: primary issue {primary!r} is not in taxonomy "
            f"{taxonomy_fingerprint(taxonomy)}"
        )
    category = taxonomy.category(primary)
    severe = annotation.severity in ALERT_SEVERITIES
    paused = primary in paused_categories
    if severe and not paused and annotation.confidence >= category.alert_threshold:
        return "alert"
    if annotation.confidence >= category.review_threshold or (paused and severe):
        return "human_review"
    return "labeling_backlog"


def route_annotations(
    annotations: Iterable[Annotation], taxonomy: Taxonomy, paused_categories: frozenset[str] = frozenset()
) -> list[Route]:
    """`route_annotation` over a batch, in order."""
    return [route_annotation(a, taxonomy, paused_categories) for a in annotations]
