"""Assemble the annotation cascade a deployment runs: rules → local model → (optional) LLM.

- Model: an explicit model folder, else the promoted model of the store (TRIAGE_HOME/models), else the
  seed model (trained from examples the project writes itself; built and cached on first use).
- LLM: on whenever an endpoint is configured in the environment (Azure OpenAI or any OpenAI-compatible
  server, see `LLMConfig.from_env`), off otherwise or when `use_llm` is False (`--no-llm`).
- Few-shot examples for the LLM: the few-shot set stored with the live model (`few_shot.jsonl`, written by
  weekly retraining from its training set; the prompt version then carries the set's version, e.g.
  `llm-batch-v1+fs-1a2b3c4d`, so a refreshed set is visible on every annotation and misses the LLM
  cache), else the labels the user dropped in TRIAGE_HOME/labels/*.jsonl, if any.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path

from triage_platform.lib.annotate.cascade import CascadeAnnotator
from triage_platform.lib.annotate.llm import LLMStage
from triage_platform.lib.annotate.llm_cache import LLMCache
from triage_platform.lib.annotate.model import ModelError, TriageModel
from triage_platform.lib.annotate.prompt import PROMPT_VERSION, FewShotSelector
from triage_platform.lib.annotate.registry import ModelStore
from triage_platform.lib.annotate.seed import seed_model
from triage_platform.lib.annotate.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

DEFAULT_LLM_SHARE = 0.2
FEW_SHOT_FILE = "few_shot.jsonl"
"""The few-shot examples stored in a model's folder (one labeled example a line)."""


def few_shot_version(training_hash: str) -> str:
    """Version of a few-shot set built from a training set with this content hash."""
    return f"fs-{training_hash[:8]}"


def prompt_version_with(few_shot: str | None) -> str:
    """The LLM prompt version stamped on annotations when the few-shot set `few_shot` is in use."""
    return f"{PROMPT_VERSION}+{few_shot}" if few_shot else PROMPT_VERSION


def model_few_shot(
    folder: Path | None, taxonomy: Taxonomy, model_version: str
) -> tuple[FewShotSelector | None, str | None]:
    """The few-shot set stored with the model `model_version` in `folder`, and its version (None, None
    when the folder holds another model or no set)."""
    if folder is None or not (folder / FEW_SHOT_FILE).is_file():
        return None, None
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("model_version") != model_version:
        return None, None
    selector = FewShotSelector.from_jsonl(folder / FEW_SHOT_FILE, taxonomy=taxonomy)
    return (selector if len(selector) else None), manifest.get("few_shot_version")


def resolve_model(taxonomy: Taxonomy, models_root: Path, model_dir: Path | None = None) -> TriageModel:
    """The model to annotate with (explicit folder > promoted model of the store > seed model)."""
    if model_dir is not None:
        return TriageModel.load(model_dir, taxonomy)
    try:
        current = ModelStore(models_root).load_current(taxonomy)
    except (ModelError, ValueError) as error:
        logger.warning(
            "the promoted model cannot serve taxonomy %s (%s); using the seed model",
            taxonomy.fingerprint,
            error,
        )
        current = None
    return current if current is not None else seed_model(taxonomy, models_root)


def few_shot_examples(labels_dir: Path, taxonomy: Taxonomy) -> FewShotSelector | None:
    files = sorted(labels_dir.glob("*.jsonl")) if labels_dir.is_dir() else []
    if not files:
        return None
    selectors = [FewShotSelector.from_jsonl(path, taxonomy=taxonomy) for path in files]
    examples = [example for selector in selectors for example in selector.examples]
    return FewShotSelector(examples) if examples else None


def build_annotator(
    taxonomy: Taxonomy,
    home: Path,
    *,
    model_dir: Path | None = None,
    use_llm: bool = True,
    env: Mapping[str, str] | None = None,
    llm_share: float | None = None,
) -> CascadeAnnotator:
    """The cascade for one TRIAGE_HOME (models/, labels/ and the LLM cache live there). `llm_share`
    overrides TRIAGE_LLM_SHARE (the nightly reprocess sends every item it picked: 1.0)."""
    env = os.environ if env is None else env
    model = resolve_model(taxonomy, home / "models", model_dir)
    llm = None
    if use_llm:
        folder = model_dir if model_dir is not None else ModelStore(home / "models").current()
        stored, stored_version = model_few_shot(folder, taxonomy, model.version)
        llm = LLMStage.from_env(
            taxonomy,
            few_shot=stored if stored is not None else few_shot_examples(home / "labels", taxonomy),
            env=env,
            cache=LLMCache(home / "cache" / "llm_annotations.sqlite"),
        )
        if llm is not None and stored is not None:
            llm.prompt_version = prompt_version_with(stored_version)
    share = float(env.get("TRIAGE_LLM_SHARE") or DEFAULT_LLM_SHARE) if llm_share is None else llm_share
    return CascadeAnnotator(taxonomy, model, llm=llm, llm_share=share)
