"""What goes into the annotator and what comes out: one review in, one triage annotation out.

`Annotation` is the contract of `silver/annotations`: every stage of the cascade (rules, local model, LLM,
fallback) returns it, so downstream routing, alerting and metrics never care which stage answered.
The model checks the invariants of the labeling guide (`primary_issue` is one of `issue_types` or `none`;
severity is `none` exactly when there is no issue). Category ids are free strings here because the
taxonomy is configuration: `validate_against_taxonomy` checks them against a given taxonomy, and
`annotation_json_schema` produces the schema an LLM must follow for that taxonomy.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from triage_platform.lib.annotate.taxonomy import Taxonomy, taxonomy_fingerprint

Sentiment = Literal["positive", "neutral", "negative", "mixed"]
"""Overall tone; `mixed` when clear praise and a clear complaint both appear."""

SeverityLevel = Literal["none", "low", "medium", "high", "critical"]
"""Severity rubric level; `none` exactly when no issue is reported."""

Stage = Literal["rules", "model", "llm", "fallback"]
"""Which cascade stage produced the annotation."""

NO_ISSUE = "none"
"""`primary_issue` of an annotation that reports no issue."""


class AnnotationInput(BaseModel):
    """One piece of customer feedback to triage (a review, survey answer, ticket or post).

    `id` is the caller's key (in the platform, the silver `review_key`); `rating` is on a 1-5 scale
    when known; `language` is an ISO 639-1 code when already detected.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    title: str | None = None
    rating: float | None = None
    source: str | None = None
    product: str | None = None
    language: str | None = None


class Annotation(BaseModel):
    """The triage of one piece of feedback: which issues it reports, how bad, and who must act.

    Confidence is the annotator's estimate that the issue set is right; `category_confidence` gives it
    per category considered (not only the chosen ones). `needs_human` marks annotations the stage could
    not decide (no signal on a negative review, unsupported language, ...): routing sends them to people.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    issue_types: list[str] = Field(default_factory=list, description="Every issue the text reports.")
    primary_issue: str = Field(default=NO_ISSUE, description="The issue an owner must act on first, or none.")
    sentiment: Sentiment
    severity: SeverityLevel
    language: str = Field(min_length=1, description="ISO 639-1 code, or `und` when unknown.")
    confidence: float = Field(ge=0.0, le=1.0)
    category_confidence: dict[str, float] = Field(default_factory=dict)
    owner: str | None = None
    rationale: str = ""
    needs_human: bool = False
    stage: Stage
    model_version: str
    prompt_version: str | None = None
    taxonomy_version: str

    @field_validator("category_confidence")
    @classmethod
    def _confidences_are_probabilities(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not 0.0 <= v <= 1.0}
        if bad:
            raise ValueError(f"category confidences must lie in [0, 1]: {bad}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Annotation:
        if len(set(self.issue_types)) != len(self.issue_types):
            raise ValueError(f"issue_types has duplicates: {self.issue_types}")
        if NO_ISSUE in self.issue_types:
            raise ValueError("'none' is not an issue type; use an empty issue_types list")
        if self.issue_types:
            if self.primary_issue not in self.issue_types:
                raise ValueError(
                    f"primary_issue {self.primary_issue!r} must be one of issue_types {self.issue_types}"
                )
            if self.severity == "none":
                raise ValueError("severity cannot be 'none' when issues are reported")
        else:
            if self.primary_issue != NO_ISSUE:
                raise ValueError(
                    f"primary_issue must be 'none' when issue_types is empty, not {self.primary_issue!r}"
                )
            if self.severity != "none":
                raise ValueError(f"severity must be 'none' when issue_types is empty, not {self.severity!r}")
        return self


def validate_against_taxonomy(annotation: Annotation, taxonomy: Taxonomy) -> Annotation:
    """Return the annotation unchanged if every category it names belongs to `taxonomy`.

    Raises `ValueError` naming the unknown ids (in `issue_types`, `primary_issue` or the keys of
    `category_confidence`) and the taxonomy; this is the guard between an LLM's answer and the table.
    """
    known = set(taxonomy.ids)
    named = [*annotation.issue_types, *annotation.category_confidence]
    if annotation.primary_issue != NO_ISSUE:
        named.append(annotation.primary_issue)
    unknown = sorted({category_id for category_id in named if category_id not in known})
    if unknown:
        raise ValueError(
            f"annotation {annotation.id!r} uses categories outside taxonomy "
            f"{taxonomy_fingerprint(taxonomy)}: {unknown}"
        )
    return annotation


def annotation_json_schema(taxonomy: Taxonomy) -> dict[str, Any]:
    """JSON Schema of `Annotation` with category fields restricted to `taxonomy`'s ids.

    `issue_types` items and the keys of `category_confidence` must be category ids; `primary_issue`
    must be a category id or `none`. Suitable for an LLM's structured-output mode or for validating
    annotation rows produced elsewhere.
    """
    schema = copy.deepcopy(Annotation.model_json_schema())
    ids = list(taxonomy.ids)
    properties = schema["properties"]
    properties["issue_types"]["items"] = {"type": "string", "enum": ids}
    properties["issue_types"]["uniqueItems"] = True
    properties["primary_issue"] = {
        **{k: v for k, v in properties["primary_issue"].items() if k != "type"},
        "type": "string",
        "enum": [*ids, NO_ISSUE],
    }
    properties["category_confidence"]["propertyNames"] = {"enum": ids}
    schema["title"] = "Annotation"
    schema["description"] = (
        f"Triage annotation for taxonomy {taxonomy_fingerprint(taxonomy)}. "
        + (schema.get("description") or "").split("\n\n")[0]
    ).strip()
    schema["$comment"] = f"taxonomy {taxonomy_fingerprint(taxonomy)}"
    return schema
