"""The cascade: which stage decides, the LLM hand-off (budget, failures, invalid answers) and fallbacks.

The LLM is a tiny fake honouring the interface of `llm.py`: `annotate(items, candidates)` returns one
`Annotation | None` per item. Texts are made up for these tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from triage_platform.lib.annotate import (
    Annotation,
    AnnotationInput,
    RulesAnnotator,
    Taxonomy,
    parse_taxonomy,
    validate_against_taxonomy,
)
from triage_platform.lib.annotate.cascade import STAGES, CascadeAnnotator
from triage_platform.lib.annotate.model import ModelConfig, TaxonomyMismatchError, TriageModel
from triage_platform.lib.annotate.seed import seed_examples

CLEAR = [
    ("The zipper broke the second time I wore it.", "en", 1),
    ("Runs two sizes small, way too tight.", "en", 2),
    ("Produto chegou quebrado, caixa toda amassada.", "pt", 1),
    ("My order never arrived and tracking has not moved in weeks.", "en", 1),
    ("Love it, perfect colour and arrived early!", "en", 5),
    ("Great quality for the price, very happy.", "en", 5),
    ("Das Kabel wurde heiß und hat Funken gesprüht.", "de", 1),
    ("Adorei, chegou antes do prazo.", "pt", 5),
]
UNCERTAIN = [
    ("这个东西太差了", "zh", 1),  # language the rules do not cover: confidence 0.2
    ("Terrible. Just terrible. Never again.", "en", 1),  # negative, no issue phrase: confidence 0.3
]


def _items(rows: Sequence[tuple[str, str, int]], prefix: str = "i") -> list[AnnotationInput]:
    return [
        AnnotationInput(id=f"{prefix}{n}", text=text, language=language, rating=rating)
        for n, (text, language, rating) in enumerate(rows)
    ]


class FakeLLM:
    """Answers per `mode`: valid, none, invalid (unknown category), wrong_id, raise, short, not_annotation."""

    def __init__(self, mode: str, taxonomy: Taxonomy) -> None:
        self.mode = mode
        self.taxonomy = taxonomy
        self.calls: list[list[str]] = []

    def annotate(
        self, items: Sequence[AnnotationInput], candidates: Sequence[Annotation]
    ) -> list[Annotation | None]:
        self.calls.append([i.id for i in items])
        assert [c.id for c in candidates] == [i.id for i in items]
        if self.mode == "raise":
            raise RuntimeError("LLM provider down")
        if self.mode == "short":
            return []
        out: list[Annotation | None] = []
        for item, candidate in zip(items, candidates, strict=True):
            if self.mode == "none":
                out.append(None)
            elif self.mode == "not_annotation":
                out.append({"id": item.id})  # type: ignore[arg-type]
            else:
                issue = "teleportation" if self.mode == "invalid" else "customer_service"
                out.append(
                    candidate.model_copy(
                        update={
                            "id": "someone-else" if self.mode == "wrong_id" else item.id,
                            "issue_types": [issue],
                            "primary_issue": issue,
                            "severity": "medium",
                            "confidence": 0.9,
                            "needs_human": False,
                            "stage": "llm",
                            "model_version": "fake-llm-1",
                            "prompt_version": "p1",
                        }
                    )
                )
        return out


@pytest.fixture(scope="module")
def small_model(taxonomy: Taxonomy, rules: RulesAnnotator) -> TriageModel:
    """A model of the default taxonomy trained on a small seed set (about a second)."""
    return TriageModel.train(
        seed_examples(taxonomy, per_language=80), taxonomy, ModelConfig(cv_folds=3), rules=rules
    )


def _assert_valid(
    out: list[Annotation], items: list[AnnotationInput], taxonomy: Taxonomy, stats: dict
) -> None:
    assert [a.id for a in out] == [i.id for i in items]
    for annotation in out:
        validate_against_taxonomy(annotation, taxonomy)
    assert sum(stats[s] for s in STAGES) == len(items)
    assert stats["needs_human"] == sum(a.needs_human for a in out)


def test_without_a_model_the_rules_decide(taxonomy: Taxonomy, rules: RulesAnnotator) -> None:
    cascade = CascadeAnnotator(taxonomy, None, rules=rules)
    items = _items(CLEAR + UNCERTAIN)
    out = cascade.annotate(items)
    _assert_valid(out, items, taxonomy, cascade.stats)
    assert cascade.stats["rules"] == len(items)
    assert [a.model_dump() for a in out] == [a.model_dump() for a in rules.annotate(items)]


def test_rules_decide_clear_cases_and_the_model_the_rest(
    taxonomy: Taxonomy, rules: RulesAnnotator, small_model: TriageModel
) -> None:
    cascade = CascadeAnnotator(taxonomy, small_model, rules=rules)
    items = _items(CLEAR + UNCERTAIN)
    out = cascade.annotate(items)
    _assert_valid(out, items, taxonomy, cascade.stats)
    by_id = {a.id: a for a in out}
    ruled = {a.id: a for a in rules.annotate(items)}
    modelled = {a.id: a for a in small_model.predict(items)}
    for item in items:
        r, m, chosen = ruled[item.id], modelled[item.id], by_id[item.id]
        credited = bool(r.issue_types) and r.confidence >= 0.85 and set(r.issue_types) == set(m.issue_types)
        assert chosen.stage == ("rules" if credited else "model"), item.text
        assert chosen.model_dump() == (r if credited else m).model_dump()
    sizing = by_id["i1"]
    assert sizing.stage == "rules" and sizing.issue_types == ["sizing_fit"]
    assert 'matched "' in sizing.rationale  # the rules stage quotes what it matched
    assert by_id["i4"].stage == "model" and by_id["i4"].issue_types == []  # praise: no rule hit to credit
    assert by_id["i8"].stage == "model"  # unsupported language: the model answers
    assert cascade.stats["rules"] >= 1 and cascade.stats["model"] >= 3
    assert cascade.stats["llm"] == cascade.stats["llm_sent"] == 0  # no LLM configured


@pytest.mark.parametrize("mode", ["valid", "none", "invalid", "wrong_id", "raise", "short", "not_annotation"])
def test_llm_stage_outcomes(taxonomy: Taxonomy, rules: RulesAnnotator, mode: str) -> None:
    llm = FakeLLM(mode, taxonomy)
    cascade = CascadeAnnotator(taxonomy, None, rules=rules, llm=llm, llm_share=0.2)
    items = _items(CLEAR + UNCERTAIN)  # 10 items: a budget of 2, the 2 uncertain ones
    before = {a.id: a for a in rules.annotate(items)}
    out = cascade.annotate(items)
    _assert_valid(out, items, taxonomy, cascade.stats)
    assert llm.calls == [["i8", "i9"]]  # lowest confidence first, sent in input order
    assert cascade.stats["llm_sent"] == 2
    sent = {a.id: a for a in out if a.id in ("i8", "i9")}
    untouched = [a for a in out if a.id not in sent]
    assert all(a.stage == "rules" for a in untouched)
    if mode == "valid":
        assert cascade.stats["llm"] == 2 and cascade.stats["llm_failed"] == 0
        assert all(a.stage == "llm" and a.issue_types == ["customer_service"] for a in sent.values())
        assert all(not a.needs_human and a.model_version == "fake-llm-1" for a in sent.values())
    elif mode in ("none", "raise", "short"):
        # the LLM failed: the earlier annotation stays, a human must look
        assert cascade.stats["llm_failed"] == 2 and cascade.stats["llm"] == 0
        for annotation in sent.values():
            assert annotation.stage == "rules" and annotation.needs_human
            assert annotation.issue_types == before[annotation.id].issue_types
    else:
        # an answer outside the taxonomy (or for another item, or not an Annotation) is never used
        assert cascade.stats["fallback"] == 2 and cascade.stats["llm_failed"] == 2
        for annotation in sent.values():
            assert annotation.stage == "fallback" and annotation.needs_human
            assert "invalid LLM answer" in annotation.rationale
            assert annotation.issue_types == before[annotation.id].issue_types


def test_llm_budget_carries_over_between_small_batches(taxonomy: Taxonomy, rules: RulesAnnotator) -> None:
    llm = FakeLLM("valid", taxonomy)
    cascade = CascadeAnnotator(taxonomy, None, rules=rules, llm=llm, llm_share=0.2)
    sent = []
    for batch in range(5):  # 5 batches of 2 uncertain items: 10 items, 20% -> 2 LLM calls in all
        cascade.annotate(_items(UNCERTAIN, prefix=f"b{batch}-"))
        sent.append(cascade.stats["llm_sent"])
    assert sent == [0, 0, 1, 0, 1]
    assert CascadeAnnotator(taxonomy, None, rules=rules, llm=llm, llm_share=0.0).annotate(_items(UNCERTAIN))
    with pytest.raises(ValueError):
        CascadeAnnotator(taxonomy, None, llm_share=1.5)


def test_confident_items_never_go_to_the_llm(taxonomy: Taxonomy, rules: RulesAnnotator) -> None:
    llm = FakeLLM("valid", taxonomy)
    cascade = CascadeAnnotator(taxonomy, None, rules=rules, llm=llm, llm_share=1.0)
    cascade.annotate(_items(CLEAR))
    assert llm.calls == [] and cascade.stats["llm_sent"] == 0


def test_a_failing_or_invalid_model_falls_back(
    taxonomy: Taxonomy, rules: RulesAnnotator, small_model: TriageModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = _items(CLEAR[:3])
    cascade = CascadeAnnotator(taxonomy, small_model, rules=rules)

    def boom(*args: object, **kwargs: object) -> list[Annotation]:
        raise RuntimeError("model file corrupted")

    monkeypatch.setattr(small_model, "predict", boom)
    out = cascade.annotate(items)
    _assert_valid(out, items, taxonomy, cascade.stats)
    assert cascade.stats["fallback"] == 3
    assert all(a.stage == "fallback" and a.needs_human for a in out)
    assert out[0].issue_types == ["product_defect"]  # the rules' answer is kept

    def outside(batch: list[AnnotationInput], rule_annotations: object = None) -> list[Annotation]:
        good = rules.annotate(batch)
        return [
            a.model_copy(update={"issue_types": ["teleportation"], "primary_issue": "teleportation"})
            for a in good
        ]

    monkeypatch.setattr(small_model, "predict", outside)
    out = cascade.annotate(items)
    _assert_valid(out, items, taxonomy, cascade.stats)
    assert all(a.stage == "fallback" and "teleportation" not in a.issue_types for a in out)


def test_the_model_must_match_the_taxonomy(taxonomy: Taxonomy, small_model: TriageModel) -> None:
    other = parse_taxonomy({"name": "other", "version": "1", "categories": [{"id": "x", "owner": "y"}]})
    with pytest.raises(TaxonomyMismatchError):
        CascadeAnnotator(other, small_model)
