"""The annotation cascade: rules, then the local model, then (for the most uncertain few) an LLM.

1. Rules (`RulesAnnotator`) scan every review once.
2. The local model (`TriageModel`) reads the same rules annotations as features, so its answer already
   weighs every rule hit against the text; the rules are not run twice and there is no separate union
   step. The rules stage is credited with the decision (`stage="rules"`, its annotation kept, with the
   matched phrases in the rationale) when it matched with high confidence (>= `rules_confident`, not
   `needs_human`) and the model found exactly the same issue set; otherwise the model's annotation is
   used (`stage="model"`). Without a model, the rules annotation is the answer.
3. An LLM (optional) gets the uncertain items (`needs_human`, or confidence below `llm_below`), lowest
   confidence first, at most `llm_share` of the items annotated so far (the unused fraction carries over
   between batches, so a stream of small batches keeps the same share). Its interface is
   `llm.annotate(items, candidates) -> list[Annotation | None]`, one entry per item: None means the LLM
   failed for that item (the earlier annotation is kept, with `needs_human=True`); an answer that is not
   an `Annotation` for that item and taxonomy becomes a `fallback` (the earlier annotation, `needs_human`).
   An exception from the LLM counts as None for the whole call.

Every output passes `validate_against_taxonomy`; one that does not, or a stage that raised, is replaced
by a `fallback` annotation (the best earlier annotation, or an empty one) with `needs_human=True`.
`stats` counts the items of the last `annotate` call per deciding stage (`rules`, `model`, `llm`,
`fallback`: they add up to the batch size) plus `llm_sent`, `llm_failed` and `needs_human`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any, Protocol

from triage_platform.lib.annotate.model import TaxonomyMismatchError, TriageModel
from triage_platform.lib.annotate.rules import UNKNOWN_LANGUAGE, RulesAnnotator
from triage_platform.lib.annotate.schema import (
    NO_ISSUE,
    Annotation,
    AnnotationInput,
    validate_against_taxonomy,
)
from triage_platform.lib.annotate.taxonomy import Taxonomy

log = logging.getLogger(__name__)

STAGES: tuple[str, ...] = ("rules", "model", "llm", "fallback")

DEFAULT_RULES_CONFIDENT = 0.85
"""Rules confidence at which the rules stage is credited (a phrase hit at 1-3 stars or unrated: 0.9)."""

DEFAULT_LLM_BELOW = 0.5
"""Items with a confidence under this (or `needs_human`) are candidates for the LLM."""

FALLBACK_VERSION = "fallback"


class LLMAnnotator(Protocol):
    """The LLM stage's interface (implemented in `llm.py`)."""

    def annotate(
        self, items: Sequence[AnnotationInput], candidates: Sequence[Annotation]
    ) -> Sequence[Annotation | None]: ...


class CascadeAnnotator:
    """Rules -> local model -> LLM, with validation and fallbacks at every step (see the module doc)."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        model: TriageModel | None,
        rules: RulesAnnotator | None = None,
        llm: object | None = None,
        llm_share: float = 0.2,
        rules_confident: float = DEFAULT_RULES_CONFIDENT,
        llm_below: float = DEFAULT_LLM_BELOW,
    ) -> None:
        if not 0.0 <= llm_share <= 1.0:
            raise ValueError(f"llm_share must lie in [0, 1], not {llm_share}")
        if model is not None and model.taxonomy_version != taxonomy.fingerprint:
            raise TaxonomyMismatchError(
                f"model {model.version} was trained for taxonomy {model.taxonomy_version}, the cascade "
                f"uses {taxonomy.fingerprint}"
            )
        self.taxonomy = taxonomy
        self.model = model
        if rules is None:
            rules = model.rules if model is not None else RulesAnnotator(taxonomy)
        self.rules = rules
        self.llm = llm
        self.llm_share = llm_share
        self.rules_confident = rules_confident
        self.llm_below = llm_below
        self._llm_credit = 0.0
        self.stats: dict[str, int] = self._empty_stats()

    @staticmethod
    def _empty_stats() -> dict[str, int]:
        return {**dict.fromkeys(STAGES, 0), "llm_sent": 0, "llm_failed": 0, "needs_human": 0}

    # ------------------------------------------------------------------ the cascade

    def annotate(self, items: Sequence[AnnotationInput]) -> list[Annotation]:
        """One validated annotation per item, in input order; `stats` describes this call."""
        items = list(items)
        stats = self._empty_stats()
        rules_out: list[Annotation | None] = [self._rules_one(item) for item in items]
        chosen: list[Annotation] = []
        model_out: list[Annotation | None] = [None] * len(items)
        if self.model is not None and items:
            model_out = self._model_batch(items, rules_out)
        for item, ruled, modelled in zip(items, rules_out, model_out, strict=True):
            chosen.append(self._combine(item, ruled, modelled))

        if self.llm is not None and self.llm_share > 0 and items:
            self._llm_credit += self.llm_share * len(items)
            budget = math.floor(self._llm_credit + 1e-9)
            uncertain = [
                i
                for i, a in enumerate(chosen)
                if a.stage != "fallback" and (a.needs_human or a.confidence < self.llm_below)
            ]
            uncertain.sort(key=lambda i: (chosen[i].confidence, i))
            selected = sorted(uncertain[:budget])
            self._llm_credit -= len(selected)
            if selected:
                stats["llm_sent"] = len(selected)
                answers = self._llm_batch([items[i] for i in selected], [chosen[i] for i in selected])
                for i, answer in zip(selected, answers, strict=True):
                    chosen[i], failed = self._accept_llm(items[i], chosen[i], answer)
                    stats["llm_failed"] += failed

        for annotation in chosen:
            stats[annotation.stage] += 1
            stats["needs_human"] += annotation.needs_human
        self.stats = stats
        return chosen

    def _rules_one(self, item: AnnotationInput) -> Annotation | None:
        try:
            return self._valid(self.rules.annotate_one(item))
        except Exception:  # a broken pattern or input must not lose the batch
            log.exception("rules stage failed on %s", item.id)
            return None

    def _model_batch(
        self, items: list[AnnotationInput], rules_out: list[Annotation | None]
    ) -> list[Annotation | None]:
        assert self.model is not None
        if self.model.config.features.use_rules and any(r is None for r in rules_out):
            # the model needs a rules annotation per item: score the ones the rules failed on alone
            good = [i for i, r in enumerate(rules_out) if r is not None]
            out: list[Annotation | None] = [None] * len(items)
            for i, a in zip(
                good, self._model_batch([items[i] for i in good], [rules_out[i] for i in good]), strict=True
            ):
                out[i] = a
            return out
        try:
            predicted = self.model.predict(items, rules_out if self.model.config.features.use_rules else None)  # type: ignore[arg-type]
        except Exception:
            log.exception("model stage failed on a batch of %d items", len(items))
            return [None] * len(items)
        return [self._valid(a) for a in predicted]

    def _combine(
        self, item: AnnotationInput, ruled: Annotation | None, modelled: Annotation | None
    ) -> Annotation:
        if modelled is None:
            if ruled is None:
                return _fallback(item, None, self.taxonomy, "rules and model failed")
            if self.model is not None:  # the model failed on this item: rules alone, flagged
                return _fallback(item, ruled, self.taxonomy, "model failed; rules answer kept")
            return ruled
        if (
            ruled is not None
            and ruled.issue_types
            and not ruled.needs_human
            and ruled.confidence >= self.rules_confident
            and set(ruled.issue_types) == set(modelled.issue_types)
        ):
            return ruled
        return modelled

    def _llm_batch(self, items: list[AnnotationInput], candidates: list[Annotation]) -> list[Any]:
        assert self.llm is not None
        try:
            answers = list(self.llm.annotate(items, candidates))  # type: ignore[attr-defined]
        except Exception:
            log.exception("LLM stage failed on a batch of %d items", len(items))
            return [None] * len(items)
        if len(answers) != len(items):
            log.error("LLM stage returned %d answers for %d items: ignored", len(answers), len(items))
            return [None] * len(items)
        return answers

    def _accept_llm(
        self, item: AnnotationInput, candidate: Annotation, answer: Any
    ) -> tuple[Annotation, int]:
        """(annotation to keep, 1 if the LLM failed on this item else 0)."""
        if answer is None:
            return candidate.model_copy(update={"needs_human": True}), 1
        reason = None
        if not isinstance(answer, Annotation):
            reason = f"LLM answer is a {type(answer).__name__}, not an Annotation"
        elif answer.id != item.id:
            reason = f"LLM answered for {answer.id!r}, not {item.id!r}"
        else:
            try:
                validate_against_taxonomy(answer, self.taxonomy)
            except ValueError as exc:
                reason = str(exc)
        if reason is not None:
            log.warning("invalid LLM answer for %s: %s", item.id, reason)
            return _fallback(item, candidate, self.taxonomy, f"invalid LLM answer ({reason})"), 1
        if answer.stage != "llm":
            answer = answer.model_copy(update={"stage": "llm"})
        return answer, 0

    def _valid(self, annotation: Annotation) -> Annotation | None:
        try:
            return validate_against_taxonomy(annotation, self.taxonomy)
        except ValueError:
            log.warning("annotation of %s failed taxonomy validation", annotation.id, exc_info=True)
            return None


def _fallback(item: AnnotationInput, base: Annotation | None, taxonomy: Taxonomy, reason: str) -> Annotation:
    """`base` (already validated) re-stamped as a `fallback` needing a human, or an empty annotation."""
    if base is not None:
        rationale = f"{base.rationale}; fallback: {reason}" if base.rationale else f"fallback: {reason}"
        return base.model_copy(update={"stage": "fallback", "needs_human": True, "rationale": rationale})
    return Annotation(
        id=item.id,
        issue_types=[],
        primary_issue=NO_ISSUE,
        sentiment="neutral",
        severity="none",
        language=(item.language or UNKNOWN_LANGUAGE).strip().lower() or UNKNOWN_LANGUAGE,
        confidence=0.0,
        category_confidence={},
        owner=None,
        rationale=f"fallback: {reason}",
        needs_human=True,
        stage="fallback",
        model_version=FALLBACK_VERSION,
        prompt_version=None,
        taxonomy_version=taxonomy.fingerprint,
    )


__all__ = [
    "DEFAULT_LLM_BELOW",
    "DEFAULT_RULES_CONFIDENT",
    "STAGES",
    "CascadeAnnotator",
    "LLMAnnotator",
]
