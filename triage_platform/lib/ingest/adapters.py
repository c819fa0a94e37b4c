"""Per-source adapters: map each channel's export shape onto the generic landing record.

An adapter takes the raw record (a dict, exactly as parsed) and returns a dict with the generic field names.
It never drops information: the verbatim original is kept separately as the payload.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Adapter = Callable[[Mapping[str, Any]], dict[str, Any]]


def generic(record: Mapping[str, Any]) -> dict[str, Any]:
    """Files already in the generic landing format."""
    return dict(record)


def app_store(record: Mapping[str, Any]) -> dict[str, Any]:
    """App-store review exports (reviewId, content, score, at, country, ...)."""
    return {
        "review_id": record.get("reviewId"),
        "submitted_at": record.get("at"),
        "text": record.get("content"),
        "title": record.get("title"),
        "rating": record.get("score"),
        "region": record.get("country"),
        "product": record.get("appVersion") and f"app {record.get('appVersion')}",
        "language": record.get("lang"),
    }


def survey_score_to_rating(score: Any) -> Any:
    """Post-purchase surveys score 0-10; reviews rate 1-5. Non-numbers pass through for validation."""
    if score is None or score == "":
        return None
    try:
        value = float(score)
    except (TypeError, ValueError):
        return score
    if not 0 <= value <= 10:
        return -1  # out of the survey scale: fails rating validation with the original value in the payload
    return 1 + round(value * 4 / 10)


def post_purchase_survey(record: Mapping[str, Any]) -> dict[str, Any]:
    """Post-purchase survey answers (response_id, submitted, score_0_10, comment, ...)."""
    locale = record.get("locale") or None
    return {
        "review_id": record.get("response_id"),
        "submitted_at": record.get("submitted"),
        "text": record.get("comment"),
        "rating": survey_score_to_rating(record.get("score_0_10")),
        "sku": record.get("sku"),
        "region": record.get("region"),
        "customer_id": record.get("customer_email"),
        "order_id": record.get("order_id"),
        "language": locale[:2].lower() if isinstance(locale, str) else None,
    }


def support_ticket(record: Mapping[str, Any]) -> dict[str, Any]:
    """Support tickets (ticket_id, created_at, subject, body, ...)."""
    return {
        "review_id": record.get("ticket_id"),
        "submitted_at": record.get("created_at"),
        "title": record.get("subject"),
        "text": record.get("body"),
        "sku": record.get("sku"),
        "region": record.get("region"),
        "customer_id": record.get("customer_id"),
        "order_id": record.get("order_ref"),
        "language": record.get("lang"),
    }


ADAPTERS: dict[str, Adapter] = {
    "app_store": app_store,
    "post_purchase_survey": post_purchase_survey,
    "support_ticket": support_ticket,
}


def adapter_for(source: str) -> Adapter:
    """The adapter of a source folder; unknown sources use the generic landing format."""
    return ADAPTERS.get(source, generic)
