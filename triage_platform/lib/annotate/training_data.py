"""The labeled data the platform trains and evaluates on, from TRIAGE_HOME/labels.

- training labels: `labels/*.jsonl` (the format of shared/data/labels/dev.jsonl; human labels and
  corrections land here);
- evaluation set: `labels/eval/*.jsonl` when present (a fixed, versioned evaluation set), else a stable
  25% split of the training labels;
- no labels at all: the seed examples the project writes itself (split the same way)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from triage_platform.lib.annotate.labels import LabeledExample, load_labels, stable_split, training_data_hash
from triage_platform.lib.annotate.seed import seed_examples
from triage_platform.lib.annotate.taxonomy import Taxonomy


@dataclass(frozen=True)
class TrainingData:
    train: list[LabeledExample]
    evaluation: list[LabeledExample]
    origin: str  # "labels", "labels+eval" or "seed"

    @property
    def evaluation_hash(self) -> str:
        return training_data_hash(self.evaluation)


def _load_all(folder: Path, taxonomy: Taxonomy) -> list[LabeledExample]:
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    return [example for path in files for example in load_labels(path, taxonomy)]


def training_data(labels_dir: Path, taxonomy: Taxonomy) -> TrainingData:
    labels = _load_all(labels_dir, taxonomy)
    fixed_eval = _load_all(labels_dir / "eval", taxonomy)
    if labels and fixed_eval:
        return TrainingData(labels, fixed_eval, "labels+eval")
    if labels:
        train, held_out = stable_split(labels)
        return TrainingData(train, held_out, "labels")
    train, held_out = stable_split(seed_examples(taxonomy))
    return TrainingData(train, held_out, "seed")
