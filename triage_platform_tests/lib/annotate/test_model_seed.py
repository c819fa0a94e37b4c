"""The zero-label seed model: deterministic synthetic examples, a fast cached build, sensible answers in
five languages, and (with ../shared) its score on the real labeled dev set it never saw."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from triage_platform.lib.annotate import AnnotationInput, RulesAnnotator, Taxonomy, parse_taxonomy
from triage_platform.lib.annotate.labels import load_labels, training_data_hash
from triage_platform.lib.annotate.metrics import evaluate
from triage_platform.lib.annotate.model import TriageModel
from triage_platform.lib.annotate.seed import SEED_PER_LANGUAGE, seed_examples, seed_model, seed_model_dir

DEV_SET = Path(__file__).resolve().parents[3].parent / "shared/data/labels/dev.jsonl"


@pytest.fixture(scope="module")
def built(
    taxonomy: Taxonomy, rules: RulesAnnotator, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TriageModel, float, Path]:
    root = tmp_path_factory.mktemp("models")
    start = time.perf_counter()
    model = seed_model(taxonomy, root=root, rules=rules)
    return model, time.perf_counter() - start, root


def test_seed_examples_are_deterministic_valid_and_cover_everything(taxonomy: Taxonomy) -> None:
    examples = seed_examples(taxonomy)
    assert len(examples) == 5 * SEED_PER_LANGUAGE
    assert training_data_hash(seed_examples(taxonomy)) == training_data_hash(examples)
    assert Counter(e.language for e in examples) == dict.fromkeys(
        ("en", "pt", "es", "de", "fr"), SEED_PER_LANGUAGE
    )
    counts = Counter(c for e in examples for c in e.issue_types)
    assert set(counts) == set(taxonomy.ids)
    assert min(counts.values()) >= 100
    assert 0.25 < sum(not e.issue_types for e in examples) / len(examples) < 0.5  # praise and chatter too
    for example in examples:
        example.check_taxonomy(taxonomy)
        assert "{" not in example.text and example.text.strip()
    assert {e.severity for e in examples if "safety_hazard" in e.issue_types} == {"critical"}


def test_seed_examples_follow_a_custom_taxonomy() -> None:
    custom = parse_taxonomy(
        {
            "name": "custom",
            "version": "1",
            "categories": [
                {"id": "shipping_delay", "owner": "logistics"},  # known to the phrase banks
                {
                    "id": "loyalty_points",
                    "owner": "crm",
                    "keywords": ["points never credited", "lost my points"],
                },
                {"id": "mystery", "owner": "nobody"},  # no bank, no keywords: cannot be written
            ],
        }
    )
    counts = Counter(c for e in seed_examples(custom, per_language=60) for c in e.issue_types)
    assert counts["shipping_delay"] > 50 and counts["loyalty_points"] > 50
    assert "mystery" not in counts


def test_seed_model_caches_and_reloads(
    built: tuple[TriageModel, float, Path], taxonomy: Taxonomy, rules: RulesAnnotator
) -> None:
    model, seconds, root = built
    assert model.version.startswith("seed-")
    folder = seed_model_dir(taxonomy, root)
    assert folder == root / "seed-ecommerce-default" and (folder / "manifest.json").is_file()
    start = time.perf_counter()
    again = seed_model(taxonomy, root=root, rules=rules)
    assert again.version == model.version  # loaded from the cache, not retrained
    assert time.perf_counter() - start < seconds


def test_seed_model_cache_defaults_to_triage_home(triage_home: Path, taxonomy: Taxonomy) -> None:
    assert seed_model_dir(taxonomy) == triage_home.resolve() / "models" / "seed-ecommerce-default"


@pytest.mark.parametrize(
    ("text", "language", "rating", "expected"),
    [
        ("Bought a lamp. It stopped working after three days, completely dead.", "en", 1, "product_defect"),
        ("A caixa chegou toda amassada e o produto veio quebrado.", "pt", 1, "packaging_damage"),
        ("El pedido llegó con dos semanas de retraso.", "es", 2, "shipping_delay"),
        ("Der Stecker wurde so heiß, dass er geschmolzen ist.", "de", 1, "safety_hazard"),
        ("Ce n'est pas un original, c'est une contrefaçon.", "fr", 1, "fraud_suspicion"),
    ],
)
def test_seed_model_answers_in_five_languages(
    built: tuple[TriageModel, float, Path], text: str, language: str, rating: int, expected: str
) -> None:
    model = built[0]
    annotation = model.predict([AnnotationInput(id="x", text=text, language=language, rating=rating)])[0]
    assert expected in annotation.issue_types, annotation.rationale
    assert annotation.stage == "model" and annotation.language == language


@pytest.mark.shared_data
def test_seed_model_on_the_real_dev_set(built: tuple[TriageModel, float, Path], taxonomy: Taxonomy) -> None:
    """Zero labels: the seed model (with the rules it consumes) on all 1,100 labeled reviews.

    Measured when written: macro-F1 0.729 over the 13 categories (rules alone: 0.763, but the rules were
    tuned on this very set), micro-F1 0.752, safety_hazard recall 0.98.
    """
    if not DEV_SET.is_file():
        pytest.skip(f"labeled dev set not available at {DEV_SET} (read-only shared data, not in the repo)")
    gold = load_labels(DEV_SET, taxonomy)
    report = evaluate(built[0].predict([e.to_input() for e in gold]), gold, taxonomy)
    print("\n" + report.render("seed model on all of dev.jsonl"))
    assert report.macro_f1 is not None and report.macro_f1 >= 0.70  # target 0.60
    assert report.categories["safety_hazard"].recall >= 0.9
