"""Assemble the annotation cascade a deployment runs: rules → local model → (optional) LLM.

- Model: an explicit model folder, else the promoted model of the store (TRIAGE_HOME/models), else the
  seed model (trained from examples the project writes itself; built and cached on first use).
- LLM: on whenever an endpoint is configured in the environment (Azure OpenAI or any OpenAI-compatible
  server, see `LLMConfig.from_env`), off otherwise or when `use_llm` is False (`--no-llm`).
- Few-shot examples for the LLM: the labels the user dropped in TRIAGE_HOME/labels/*.jsonl, if any.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from triage_platform.lib.annotate.cascade import CascadeAnnotator
from triage_platform.lib.annotate.llm import LLMStage
from triage_platform.lib.annotate.llm_cache import LLMCache
from triage_platform.lib.annotate.model import ModelError, TriageModel
from triage_platform.lib.annotate.prompt import FewShotSelector
from triage_platform.lib.annotate.registry import ModelStore
from triage_platform.lib.annotate.seed import seed_model
from triage_platform.lib.annotate.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

DEFAULT_LLM_SHARE = 0.2


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
) -> CascadeAnnotator:
    """The cascade for one TRIAGE_HOME (models/, labels/ and the LLM cache live there)."""
    env = os.environ if env is None else env
    model = resolve_model(taxonomy, home / "models", model_dir)
    llm = None
    if use_llm:
        llm = LLMStage.from_env(
            taxonomy,
            few_shot=few_shot_examples(home / "labels", taxonomy),
            env=env,
            cache=LLMCache(home / "cache" / "llm_annotations.sqlite"),
        )
    share = float(env.get("TRIAGE_LLM_SHARE") or DEFAULT_LLM_SHARE)
    return CascadeAnnotator(taxonomy, model, llm=llm, llm_share=share)
