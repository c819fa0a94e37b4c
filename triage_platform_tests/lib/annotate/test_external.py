"""External training examples: readers of the public data sets' layouts (on small files the tests write),
deduplication against labeled texts, partial labels in training, the new classifier options and
`triage train --augment-from`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from triage_platform.cli import main
from triage_platform.lib.annotate import Taxonomy
from triage_platform.lib.annotate.external import (
    DTEKT_FILE,
    FLIPKART_FILE,
    OLIST_FILE,
    SOURCES,
    load_external,
)
from triage_platform.lib.annotate.model import ModelConfig, TriageModel
from triage_platform_tests.lib.annotate.test_model import AIRLINE, airline_examples

OLIST_VOTES = (
    "votes_antes_prazo",
    "votes_atrasado",
    "votes_baixa_qualidade",
    "votes_devolucao",
    "votes_diferente_do_anunciado",
    "votes_entrega_parcial",
    "votes_outro_entrega",
    "votes_outro_pedido",
    "votes_satisfeito",
)


def _write(path: Path, header: list[str], rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in header})


def _olist_row(message: str, score: int, **votes: int) -> dict[str, object]:
    row: dict[str, object] = {f"votes_{k}": v for k, v in votes.items()}
    for column in OLIST_VOTES:
        row.setdefault(column, 0)
    return {"review_comment_title": "", "review_comment_message": message, "review_score": score, **row}


@pytest.fixture()
def data_root(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    _write(
        root / OLIST_FILE,
        ["review_comment_title", "review_comment_message", "review_score", *OLIST_VOTES],
        [
            _olist_row("o pedido chegou atrasado duas semanas", 2, atrasado=3),
            _olist_row("so recebi um dos dois produtos comprados", 1, entrega_parcial=2, devolucao=1),
            _olist_row("tudo certo chegou antes do prazo", 5, satisfeito=2, antes_prazo=1),
            _olist_row("produto diferente do anunciado", 2, diferente_do_anunciado=3),  # ambiguous: skipped
            _olist_row(
                "entrega ok mas poderia ser melhor", 4, satisfeito=2, outro_entrega=1
            ),  # mixed: skipped
            _olist_row(
                "Produto chegou quebrado e a loja nao responde nada mesmo", 1, devolucao=2
            ),  # a dev text
        ],
    )
    _write(
        root / DTEKT_FILE,
        ["text", "dtekt_label", "source_file"],
        [
            {"text": "This is a replica, not original at all", "dtekt_label": "counterfeit_or_suspect"},
            {"text": "Poor quality, squeaks", "dtekt_label": "counterfeit_or_suspect"},  # no claim: skipped
            {"text": "Genuine product, happy with it", "dtekt_label": "genuine"},
        ],
    )
    _write(
        root / FLIPKART_FILE,
        ["review", "rating"],
        [
            {"review": "It was duplicate product, mic not workingREAD MORE", "rating": 1},
            {"review": "Seems fake but sounds great READ MORE", "rating": 5},  # high rating: skipped
        ],
    )
    return root


def test_readers_map_votes_and_claims_to_partial_labels(data_root: Path, taxonomy: Taxonomy) -> None:
    dev_text = "Produto chegou quebrado e a loja não responde nada mesmo!"
    external = load_external(data_root, taxonomy, tuple(SOURCES), exclude_texts=[dev_text])
    by_text = {x.example.text: x for x in external}
    assert set(by_text) == {
        "o pedido chegou atrasado duas semanas",
        "so recebi um dos dois produtos comprados",
        "tudo certo chegou antes do prazo",
        "This is a replica, not original at all",
        "Genuine product, happy with it",
        "It was duplicate product, mic not working",
    }
    late = by_text["o pedido chegou atrasado duas semanas"]
    assert late.example.issue_types == ("shipping_delay",)
    assert late.known == {"shipping_delay", "missing_parts", "refund_request"}
    partial = by_text["so recebi um dos dois produtos comprados"]
    assert partial.example.issue_types == ("missing_parts",)
    assert "refund_request" not in partial.known  # a single vote: unknown, not negative
    happy = by_text["tudo certo chegou antes do prazo"]
    assert happy.example.issue_types == () and happy.example.severity == "none"
    assert by_text["This is a replica, not original at all"].example.issue_types == ("fraud_suspicion",)
    genuine = by_text["Genuine product, happy with it"]
    assert genuine.example.issue_types == () and genuine.known == {"fraud_suspicion"}
    assert len({x.example.id for x in external}) == len(external)
    # a custom taxonomy without these categories gets nothing; unknown sources fail clearly
    assert load_external(data_root, AIRLINE) == []
    with pytest.raises(KeyError, match="unknown external sources"):
        load_external(data_root, taxonomy, ["nope"])
    with pytest.raises(FileNotFoundError):
        load_external(data_root / "missing", taxonomy)


def test_partial_labels_train_only_their_categories() -> None:
    """An augment example unknown for a category must not teach it: 40 texts that are about rude staff
    but labeled without it (partially, known only for late_flight) leave rude_staff's classifier intact;
    the same texts as fully labeled negatives pull it down."""
    examples = airline_examples(160, seed=5, noise=0.0)
    misleading = [
        e.model_copy(update={"id": f"x{i}", "issue_types": (), "primary_issue": "none", "severity": "none"})
        for i, e in enumerate(airline_examples(300, seed=9, noise=0.0))
        if "rude_staff" in e.issue_types
    ][:40]
    config = ModelConfig(cv_folds=3)
    probe = [e.to_input() for e in airline_examples(60, seed=11, noise=0.0) if "rude_staff" in e.issue_types]
    column = AIRLINE.ids.index("rude_staff")

    def mean_rude(**kwargs: object) -> float:
        model = TriageModel.train(examples, AIRLINE, config, **kwargs)  # type: ignore[arg-type]
        return float(model.predict_proba(probe)[:, column].mean())

    partial = mean_rude(
        augment=misleading,
        augment_known=[frozenset({"late_flight"})] * len(misleading),
        augment_info={"sources": ["test"]},
    )
    full = mean_rude(augment=misleading)
    alone = mean_rude()
    assert abs(partial - alone) < 0.05 and full < alone - 0.1
    model = TriageModel.train(
        examples, AIRLINE, config, augment=misleading, augment_known=[frozenset({"late_flight"})] * 40
    )
    assert model.manifest["n_augment"] == 40
    plain = TriageModel.train(examples, AIRLINE, config, augment=misleading)
    assert model.manifest["training_data_hash"] != plain.manifest["training_data_hash"]
    with pytest.raises(ValueError, match="one entry per augment example"):
        TriageModel.train(examples, AIRLINE, config, augment=misleading, augment_known=[None])


@pytest.mark.parametrize("classifier", ["nb_logreg", "ensemble"])
def test_classifier_options_learn_and_stay_linear(classifier: str, tmp_path: Path) -> None:
    examples = airline_examples(200, seed=3)
    model = TriageModel.train(examples, AIRLINE, ModelConfig(classifier=classifier, cv_folds=3))  # type: ignore[arg-type]
    oof = model.metrics["oof"]
    assert oof["macro_f1"] > 0.8
    loaded = TriageModel.load(model.save(tmp_path / classifier), AIRLINE)
    items = [e.to_input() for e in airline_examples(30, seed=4)]
    assert np.allclose(loaded.predict_proba(items), model.predict_proba(items), atol=1e-4)


def test_cli_train_with_external_examples(data_root: Path, tmp_path: Path, taxonomy: Taxonomy) -> None:
    from triage_platform.lib.annotate.seed import seed_examples

    labels = tmp_path / "labels.jsonl"
    with labels.open("w", encoding="utf-8") as handle:
        for example in seed_examples(taxonomy, per_language=12):
            handle.write(example.model_dump_json() + "\n")
    out = tmp_path / "model"
    result = CliRunner().invoke(
        main,
        ["train", "--labels", str(labels), "--out", str(out), "--augment-from", str(data_root)],
    )
    assert result.exit_code == 0, result.output
    assert "Adding 3 external examples" in result.output  # default sources: the fraud ones
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["augmentation"]["n_examples"] == 3
    assert manifest["augmentation"]["by_origin"] == {"dtekt": 2, "flipkart": 1}
    assert manifest["augmentation"]["positives"] == {"fraud_suspicion": 2}
    bad = CliRunner().invoke(
        main,
        [
            "train",
            "--labels",
            str(labels),
            "--out",
            str(out),
            "--augment-from",
            str(data_root),
            "--augment-source",
            "x",
        ],
    )
    assert bad.exit_code != 0 and "unknown external sources" in bad.output


def test_per_category_C_is_picked_from_the_grid_and_stored(tmp_path: Path) -> None:
    from triage_platform.lib.annotate.model import _average_precision

    assert _average_precision(np.array([0.9, 0.8, 0.1]), np.array([1, 0, 1])) == pytest.approx(
        (1 + 2 / 3) / 2
    )
    assert _average_precision(np.array([0.2, 0.1]), np.array([0, 0])) == 0.0
    examples = airline_examples(160, seed=6)
    model = TriageModel.train(examples, AIRLINE, ModelConfig(C_grid=(0.25, 4.0), cv_folds=3))
    chosen = model.manifest["category_C"]
    assert set(chosen) == set(AIRLINE.ids) and set(chosen.values()) <= {0.25, 4.0}
    loaded = TriageModel.load(model.save(tmp_path / "grid"), AIRLINE)
    assert loaded.config.C_grid == (0.25, 4.0)
    assert model.metrics["oof"]["macro_f1"] > 0.8


@pytest.mark.shared_data
def test_real_external_sources_never_hold_a_labeled_text(taxonomy: Taxonomy) -> None:
    """On the real data sets: every source yields examples, and none of them is (part of) a dev review,
    although dev.jsonl holds reviews drawn from the same files (dtekt-dev, flipkart-dev, amzphone-dev)."""
    from triage_platform.lib.annotate.external import _normalise
    from triage_platform.lib.annotate.labels import load_labels
    from triage_platform_tests.conftest import shared_path

    dev = load_labels(shared_path("data/labels/dev.jsonl"), taxonomy)
    root = shared_path("data/safety_and_fraud").parent
    everything = load_external(root, taxonomy, tuple(SOURCES))
    kept = load_external(root, taxonomy, tuple(SOURCES), exclude_texts=[e.text for e in dev])
    origins = {x.origin for x in kept}
    assert {"olist", "dtekt", "amazon-phones", "flipkart"} <= origins
    assert len(kept) < len(everything)  # dev texts were found in the sources and dropped
    dev_texts = [_normalise(e.text) for e in dev]
    for item in kept:
        text = _normalise(item.example.text)
        assert not any(
            text == d or (len(text) >= 30 and text in d) or (len(d) >= 30 and d in text) for d in dev_texts
        )
