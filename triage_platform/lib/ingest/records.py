"""The shapes of what arrives in the landing zone: one generic review record, and rejects with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

GENERIC_FIELDS: tuple[str, ...] = (
    "review_id",
    "source",
    "submitted_at",
    "text",
    "title",
    "rating",
    "sku",
    "product",
    "region",
    "customer_id",
    "order_id",
    "language",
)
OPTIONAL_TEXT_FIELDS: tuple[str, ...] = (
    "title",
    "sku",
    "product",
    "region",
    "customer_id",
    "order_id",
    "language",
)


@dataclass(frozen=True)
class LandedRecord:
    """One valid review as received, mapped onto the generic landing format."""

    line: int
    source: str
    source_review_id: str
    submitted_at: datetime
    text: str
    payload: str
    title: str | None = None
    rating: float | None = None
    sku: str | None = None
    product: str | None = None
    region: str | None = None
    customer_id: str | None = None
    order_id: str | None = None
    language: str | None = None

    @property
    def day(self) -> date:
        return self.submitted_at.date()


@dataclass(frozen=True)
class Reject:
    """A row (or, with line 0, a whole file) that could not be ingested, and why."""

    line: int
    reason: str
    detail: str
    raw: str
    day: date | None = None


@dataclass
class ParsedFile:
    """Everything one landed file yielded: valid records and rejects. rows_total = records + rejects."""

    path: str
    source: str
    records: list[LandedRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rows_total(self) -> int:
        return len(self.records) + len(self.rejects)

    @property
    def days(self) -> set[date]:
        return {record.day for record in self.records}
