"""Labeled examples: the ground truth that trains and measures the annotator.

A labeled example is one review with the labels of the labeling guide (`issue_types`, `primary_issue`,
`sentiment`, `severity`, `language`), in the JSONL format of `shared/data/labels/dev.jsonl`: one JSON object
a line with `id`, `source`, `text`, `rating` (null when unknown), `product` and the labels.

- `load_labels` reads and validates such a file; a bad line fails with its line number and the reason.
- `stable_split` / `stable_folds` split by hashing ids: the same examples always land on the same side, so
  numbers measured on a split are reproducible and a held-out example never leaks into training.
- `training_data_hash` fingerprints a training set (stamped in a model's manifest).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from triage_platform.lib.annotate.schema import NO_ISSUE, AnnotationInput
from triage_platform.lib.annotate.taxonomy import Taxonomy

DEFAULT_SPLIT_SEED = "triage-split-v1"
"""Salt of the id hash behind `stable_split` and `stable_folds`; change it only to draw a new split."""


class LabelError(ValueError):
    """A labels file or record that cannot be used (unreadable, not JSON, failing validation)."""


class LabeledExample(BaseModel):
    """One review with its gold triage labels (see the labeling guide)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(min_length=1)
    source: str | None = None
    text: str
    rating: float | None = None
    product: str | None = None
    issue_types: tuple[str, ...] = ()
    primary_issue: str = NO_ISSUE
    sentiment: Literal["positive", "neutral", "negative", "mixed"]
    severity: Literal["none", "low", "medium", "high", "critical"]
    language: str = Field(default="und", min_length=1)

    @field_validator("rating")
    @classmethod
    def _rating_scale(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= 5:
            raise ValueError(f"rating must be on the 1-5 scale (or null), not {value}")
        return value

    @field_validator("issue_types", mode="before")
    @classmethod
    def _list_of_ids(cls, value: Any) -> Any:
        return () if value is None else value

    @field_validator("product", "source", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @model_validator(mode="after")
    def _consistent(self) -> LabeledExample:
        if len(set(self.issue_types)) != len(self.issue_types):
            raise ValueError(f"issue_types has duplicates: {list(self.issue_types)}")
        if NO_ISSUE in self.issue_types:
            raise ValueError("'none' is not an issue type; use an empty issue_types list")
        if self.issue_types:
            if self.primary_issue not in self.issue_types:
                raise ValueError(
                    f"primary_issue {self.primary_issue!r} must be one of issue_types {list(self.issue_types)}"
                )
            if self.severity == "none":
                raise ValueError("severity cannot be 'none' when issues are reported")
        else:
            if self.primary_issue != NO_ISSUE:
                raise ValueError(f"primary_issue must be 'none' without issues, not {self.primary_issue!r}")
            if self.severity != "none":
                raise ValueError(f"severity must be 'none' without issues, not {self.severity!r}")
        return self

    def to_input(self) -> AnnotationInput:
        """What an annotator sees of this example (the text and its metadata, never the labels)."""
        return AnnotationInput(
            id=self.id,
            text=self.text,
            rating=self.rating,
            source=self.source,
            product=self.product,
            language=self.language,
        )

    def check_taxonomy(self, taxonomy: Taxonomy) -> LabeledExample:
        """Return self when every category it names belongs to `taxonomy`; `LabelError` otherwise."""
        unknown = sorted(c for c in self.issue_types if not taxonomy.has(c))
        if unknown:
            raise LabelError(
                f"example {self.id!r} uses categories outside taxonomy {taxonomy.fingerprint}: {unknown}"
            )
        return self


def parse_label(record: Any, *, where: str = "<record>") -> LabeledExample:
    """Validate one parsed JSON record as a `LabeledExample`; `LabelError` names `where` and each problem."""
    if not isinstance(record, dict):
        raise LabelError(f"{where}: expected a JSON object, got {type(record).__name__}")
    try:
        return LabeledExample.model_validate(record)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or '<record>'}: {err['msg']}"
            for err in exc.errors()
        )
        raise LabelError(f"{where}: invalid labeled example: {problems}") from exc


def load_labels(path: str | Path, taxonomy: Taxonomy | None = None) -> list[LabeledExample]:
    """Read a labels JSONL file (the `dev.jsonl` format); blank lines are skipped.

    Raises `FileNotFoundError` when the file is missing and `LabelError` (a `ValueError`) naming the file
    and line number for a line that is not JSON, fails validation, repeats an earlier id, or (with
    `taxonomy`) names a category the taxonomy does not have.
    """
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"labels file not found: {file}")
    examples: list[LabeledExample] = []
    seen: dict[str, int] = {}
    with file.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{file}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabelError(f"{where}: not valid JSON: {exc.msg} (column {exc.colno})") from exc
            example = parse_label(record, where=where)
            if example.id in seen:
                raise LabelError(f"{where}: duplicate id {example.id!r} (first on line {seen[example.id]})")
            seen[example.id] = number
            if taxonomy is not None:
                try:
                    example.check_taxonomy(taxonomy)
                except LabelError as exc:
                    raise LabelError(f"{where}: {exc}") from None
            examples.append(example)
    return examples


def _unit_hash(example_id: str, seed: str) -> float:
    """A uniform number in [0, 1) from the id alone (sha256; stable across Python runs and platforms)."""
    digest = hashlib.sha256(f"{seed}\x00{example_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _strata(examples: Sequence[LabeledExample]) -> list[str]:
    """Stratum of each example: its rarest category (by frequency in `examples`), or `none`."""
    counts = Counter(c for e in examples for c in e.issue_types)
    return [min(e.issue_types, key=lambda c: (counts[c], c)) if e.issue_types else NO_ISSUE for e in examples]


def stable_split(
    examples: Sequence[LabeledExample],
    eval_fraction: float = 0.25,
    seed: str = DEFAULT_SPLIT_SEED,
    stratify: bool = True,
) -> tuple[list[LabeledExample], list[LabeledExample]]:
    """Deterministic (train, eval) split by hashing ids; input order is kept on both sides.

    With `stratify` (default), examples are grouped by their rarest category and each group sends its
    `round(eval_fraction * size)` lowest-hash members to eval, so thin categories appear on both sides in
    proportion. Without it, an example goes to eval when its id hash is below `eval_fraction`: membership
    then never changes when other examples are added or removed (stratified membership can, at the margin).
    """
    if not 0.0 < eval_fraction < 1.0:
        raise ValueError(f"eval_fraction must lie strictly between 0 and 1, not {eval_fraction}")
    hashes = [_unit_hash(e.id, seed) for e in examples]
    if stratify:
        groups: dict[str, list[int]] = {}
        for index, stratum in enumerate(_strata(examples)):
            groups.setdefault(stratum, []).append(index)
        chosen: set[int] = set()
        for members in groups.values():
            members.sort(key=lambda i: (hashes[i], examples[i].id))
            chosen.update(members[: round(eval_fraction * len(members))])
    else:
        chosen = {i for i, h in enumerate(hashes) if h < eval_fraction}
    train = [e for i, e in enumerate(examples) if i not in chosen]
    held_out = [e for i, e in enumerate(examples) if i in chosen]
    return train, held_out


def stable_folds(
    examples: Sequence[LabeledExample], k: int = 5, seed: str = DEFAULT_SPLIT_SEED
) -> list[tuple[list[LabeledExample], list[LabeledExample]]]:
    """`k` deterministic (train, eval) folds: each example is in exactly one eval fold.

    Stratified like `stable_split`: within each rarest-category group, examples are dealt to the folds
    round-robin in id-hash order.
    """
    if k < 2:
        raise ValueError(f"k must be at least 2, not {k}")
    fold_of = assign_folds(examples, k, seed)
    return [
        (
            [e for e, f in zip(examples, fold_of, strict=True) if f != fold],
            [e for e, f in zip(examples, fold_of, strict=True) if f == fold],
        )
        for fold in range(k)
    ]


def assign_folds(examples: Sequence[LabeledExample], k: int, seed: str = DEFAULT_SPLIT_SEED) -> list[int]:
    """Fold number (0..k-1) of each example, stratified by rarest category, in id-hash order."""
    hashes = [_unit_hash(e.id, seed) for e in examples]
    groups: dict[str, list[int]] = {}
    for index, stratum in enumerate(_strata(examples)):
        groups.setdefault(stratum, []).append(index)
    fold_of = [0] * len(examples)
    offset = 0
    for stratum in sorted(groups):
        members = sorted(groups[stratum], key=lambda i: (hashes[i], examples[i].id))
        for rank, index in enumerate(members):
            fold_of[index] = (rank + offset) % k
        offset += len(members)  # continue the deal where the previous group stopped: balanced folds
    return fold_of


def training_data_hash(examples: Iterable[LabeledExample]) -> str:
    """sha256 (hex) of the examples' content, independent of their order."""
    lines = sorted(
        json.dumps(e.model_dump(mode="json"), sort_keys=True, ensure_ascii=False) for e in examples
    )
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


__all__ = [
    "DEFAULT_SPLIT_SEED",
    "LabelError",
    "LabeledExample",
    "assign_folds",
    "load_labels",
    "parse_label",
    "stable_folds",
    "stable_split",
    "training_data_hash",
]
