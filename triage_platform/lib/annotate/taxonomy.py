"""The triage taxonomy: which issue categories exist, who owns each, and how urgent each is.

The taxonomy is configuration, not code. The platform ships `triage_platform/taxonomy/default.yaml`
(the 13 categories of the labeling guide); a deployment can point at its own file with other categories,
and every stage of the annotator (rules, model, LLM prompt, JSON schema, routing) follows it. A user file
only has to give each category an `id` and an `owner`; everything else has a sensible default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

Severity = Literal["none", "low", "medium", "high", "critical"]
"""Severity levels of the rubric, mildest first."""

SEVERITY_LEVELS: tuple[str, ...] = ("none", "low", "medium", "high", "critical")
"""Rubric levels in increasing order of urgency (index = rank)."""

SEVERITY_RANK: dict[str, int] = {level: rank for rank, level in enumerate(SEVERITY_LEVELS)}
"""Rank of each severity level: `none` 0 ... `critical` 4; compare ranks, never strings."""

CATEGORY_ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
"""Category ids are snake_case: they become column values, metric names and JSON-schema enums."""

RESERVED_IDS: frozenset[str] = frozenset({"none"})
"""`none` is what `primary_issue` says when a review reports no issue, so no category may use it."""

DEFAULT_TAXONOMY_RESOURCE = "taxonomy/default.yaml"
"""Where the packaged default taxonomy lives, relative to the `triage_platform` package."""


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used: unreadable, not YAML, or failing validation."""


class Category(BaseModel):
    """One issue category: what it means, who acts on it and how urgently.

    Only `id` and `owner` are required; a missing field takes the platform default (a medium-severity
    issue with a 0.70 recall floor, alerting at confidence 0.8 and queueing for review at 0.5).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(description="snake_case identifier, e.g. `shipping_delay`.")
    owner: str = Field(min_length=1, description="Team that must act on this issue, e.g. `logistics`.")
    description: str = Field(default="", description="When to label it (what the customer says).")
    not_: str = Field(default="", alias="not", description="What looks similar but belongs elsewhere.")
    default_severity: Literal["low", "medium", "high", "critical"] = Field(
        default="medium", description="Severity when the text gives no stronger signal."
    )
    recall_floor: float = Field(
        default=0.70, ge=0.0, le=1.0, description="Minimum recall the annotator must keep for this category."
    )
    alert_threshold: float = Field(
        default=0.8, ge=0.0, le=1.0, description="Confidence needed before a high/critical issue alerts."
    )
    review_threshold: float = Field(
        default=0.5, ge=0.0, le=1.0, description="Confidence needed to enter the human review queue."
    )
    slack_channel: str | None = Field(
        default=None, description="Channel for this category's alerts; falls back to the owner's channel."
    )
    keywords: tuple[str, ...] = Field(
        default=(),
        description="Optional literal phrases the rules stage matches for this category (any language).",
    )

    @field_validator("id")
    @classmethod
    def _snake_case_id(cls, value: str) -> str:
        if not CATEGORY_ID_PATTERN.match(value):
            raise ValueError(f"category id {value!r} must be snake_case (lowercase letters, digits and _)")
        if value in RESERVED_IDS:
            raise ValueError(f"category id {value!r} is reserved (it means 'no issue')")
        return value

    @field_validator("keywords", mode="before")
    @classmethod
    def _keywords_list(cls, value: Any) -> Any:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        return value

    @field_validator("description", "not_", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Category:
        if self.review_threshold > self.alert_threshold:
            raise ValueError(
                f"category {self.id!r}: review_threshold ({self.review_threshold}) must not exceed "
                f"alert_threshold ({self.alert_threshold})"
            )
        return self


class Taxonomy(BaseModel):
    """A named, versioned set of issue categories plus the severity rubric and owner channels.

    `name@version` (see `taxonomy_fingerprint`) is stamped on every annotation, so a change of
    categories or of their meaning must bump `version`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    version: str = Field(
        min_length=1, description="Version label; an int in YAML (`version: 1`) is accepted."
    )
    categories: tuple[Category, ...] = Field(min_length=1)
    severity_rubric: dict[Severity, str] | None = None
    owners: dict[str, str] | None = Field(
        default=None, description="owner -> Slack channel, e.g. `#triage-x`."
    )
    cue_windows: dict[str, str] | None = Field(
        default=None,
        description="Optional aspect cues of the local model: name -> regular expression on the lowercased, "
        "accent-stripped text; the text around each match becomes a feature block of its own.",
    )

    @field_validator("cue_windows")
    @classmethod
    def _cues_compile(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for name, pattern in (value or {}).items():
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(
                    f"cue_windows[{name!r}] is not a valid regular expression: {error}"
                ) from None
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _coerce_version(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("version must be a string or a number")
        if isinstance(value, int | float):
            return str(value)
        return value

    _by_id: dict[str, Category] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique_ids(self) -> Taxonomy:
        seen: set[str] = set()
        duplicates: set[str] = set()
        for category in self.categories:
            if category.id in seen:
                duplicates.add(category.id)
            seen.add(category.id)
        if duplicates:
            raise ValueError(f"duplicate category ids: {sorted(duplicates)}")
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._by_id = {c.id: c for c in self.categories}

    @property
    def ids(self) -> tuple[str, ...]:
        """Category ids in file order (the order used for tie-breaks and reports)."""
        return tuple(c.id for c in self.categories)

    @property
    def fingerprint(self) -> str:
        """`name@version`, the value stamped as `taxonomy_version` on annotations."""
        return taxonomy_fingerprint(self)

    def has(self, category_id: str) -> bool:
        """Whether `category_id` is one of this taxonomy's categories."""
        return category_id in self._by_id

    def category(self, category_id: str) -> Category:
        """The category with this id; `KeyError` naming the known ids when it does not exist."""
        try:
            return self._by_id[category_id]
        except KeyError:
            raise KeyError(
                f"unknown category {category_id!r} in taxonomy {self.fingerprint}; known: {list(self.ids)}"
            ) from None

    def owner_of(self, category_id: str) -> str | None:
        """The owning team of a category; None for `none` (no issue)."""
        if category_id in RESERVED_IDS:
            return None
        return self.category(category_id).owner

    def channel_of(self, category_id: str) -> str | None:
        """Where alerts for a category go: its own `slack_channel`, else its owner's channel, else None."""
        if category_id in RESERVED_IDS:
            return None
        category = self.category(category_id)
        if category.slack_channel:
            return category.slack_channel
        return (self.owners or {}).get(category.owner)


def taxonomy_fingerprint(taxonomy: Taxonomy) -> str:
    """`name@version` of a taxonomy, e.g. `ecommerce-default@1`: identifies which categories an annotation used."""
    return f"{taxonomy.name}@{taxonomy.version}"


def default_taxonomy_path() -> Path:
    """Filesystem path of the packaged default taxonomy (`triage_platform/taxonomy/default.yaml`)."""
    try:
        resource = resources.files("triage_platform").joinpath(DEFAULT_TAXONOMY_RESOURCE)
        path = Path(str(resource))
        if path.is_file():
            return path
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - package not importable this way
        pass
    return Path(__file__).resolve().parents[2] / DEFAULT_TAXONOMY_RESOURCE


def parse_taxonomy(data: Any, *, source: str = "<taxonomy>") -> Taxonomy:
    """Validate an already-parsed mapping as a taxonomy; `TaxonomyError` lists every problem found."""
    if not isinstance(data, Mapping):
        raise TaxonomyError(f"{source}: a taxonomy must be a mapping with name, version and categories")
    try:
        return Taxonomy.model_validate(dict(data))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
        )
        raise TaxonomyError(f"{source}: invalid taxonomy: {problems}") from exc


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file; with no path, the packaged default (`ecommerce-default`).

    Raises `FileNotFoundError` when the file does not exist and `TaxonomyError` (a `ValueError`) when it
    is not valid YAML or not a valid taxonomy, naming the file and each offending field.
    """
    file = Path(path) if path is not None else default_taxonomy_path()
    if not file.is_file():
        raise FileNotFoundError(f"taxonomy file not found: {file}")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{file}: not valid YAML: {exc}") from exc
    return parse_taxonomy(data, source=str(file))
