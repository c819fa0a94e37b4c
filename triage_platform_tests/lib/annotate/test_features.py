"""Feature blocks: cue windows (the text around price / service / setup / quality cues) and the loading of
models saved before cue windows existed."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from triage_platform.lib.annotate import Taxonomy, TaxonomyError, parse_taxonomy
from triage_platform.lib.annotate.features import TAXONOMY_CUES, FeatureConfig, cue_texts
from triage_platform.lib.annotate.labels import LabeledExample
from triage_platform.lib.annotate.model import ModelConfig, TriageModel
from triage_platform_tests.lib.annotate.test_model import AIRLINE, airline_examples


def test_cue_texts_cut_windows_around_every_match(taxonomy: Taxonomy) -> None:
    assert taxonomy.cue_windows is not None and set(taxonomy.cue_windows) == {
        "price",
        "service",
        "setup",
        "quality",
    }
    price = re.compile(taxonomy.cue_windows["price"])
    text = "lovely colour and it fits well, " * 5 + "but not worth the price at all. " + "nice " * 20
    (window,) = cue_texts([text], price, 12)
    assert window == "ll, but not worth the price a | t worth the price at all. ni"  # "worth" and "price"
    assert "lovely" not in window
    none, portuguese = cue_texts(["no cue here", "paguei caro pelo frete"], price, 5)
    assert none == ""
    assert portuguese == "guei caro pelo | pelo frete"
    assert " | " in cue_texts(["too expensive. the service costs extra"], price, 3)[0]


def _price_examples(n: int = 160) -> list[LabeledExample]:
    """Long made-up reviews where a price complaint is one short remark among much other text."""
    rng = np.random.default_rng(1)
    filler = [
        "the dress has a lovely print",
        "i wore it to a wedding",
        "the colour is as pictured",
        "fits well",
    ]
    out = []
    for i in range(n):
        concern = i % 3 == 0
        parts = list(rng.choice(filler, size=6))
        parts.insert(int(rng.integers(0, 6)), "not worth the price" if concern else "great price on sale")
        out.append(
            LabeledExample(
                id=f"p{i}",
                text=". ".join(parts),
                issue_types=("late_flight",) if concern else (),
                primary_issue="late_flight" if concern else "none",
                sentiment="mixed" if concern else "positive",
                severity="low" if concern else "none",
                language="en",
            )
        )
    return out


AIRLINE_WITH_CUES = parse_taxonomy(
    {
        **AIRLINE.model_dump(mode="json", by_alias=True),
        "cue_windows": {"price": r"pric|worth|sale", "crew": r"crew|staff"},
    }
)


def test_cue_blocks_come_from_the_taxonomy_train_save_and_load(tmp_path: Path) -> None:
    examples = _price_examples() + airline_examples(60, seed=8)
    model = TriageModel.train(examples, AIRLINE_WITH_CUES, ModelConfig(cv_folds=3))
    assert model.config.features.cue_windows == (("price", "pric|worth|sale"), ("crew", "crew|staff"))
    assert len(model.features.cues) == 2 and model.features.cues[0].idf.size > 0
    loaded = TriageModel.load(model.save(tmp_path / "cues"), AIRLINE_WITH_CUES)
    assert loaded.config.features.cue_windows == model.config.features.cue_windows
    items = [e.to_input() for e in _price_examples(30)]
    assert np.allclose(loaded.predict_proba(items), model.predict_proba(items), atol=1e-4)
    # a taxonomy without cues (or cue_windows=None) trains no cue block
    assert TriageModel.train(examples, AIRLINE, ModelConfig(cv_folds=3)).features.cues == ()
    none = ModelConfig(cv_folds=3, features=FeatureConfig(cue_windows=None))
    assert TriageModel.train(examples, AIRLINE_WITH_CUES, none).features.cues == ()
    # a cue that no text matches leaves an empty block and still trains, saves and loads
    odd = ModelConfig(cv_folds=3, features=FeatureConfig(cue_windows=(("never", r"zzqqx"),)))
    odd_model = TriageModel.train(airline_examples(90, seed=2), AIRLINE, odd)
    again = TriageModel.load(odd_model.save(tmp_path / "odd"), AIRLINE)
    assert again.predict_proba(items).shape == (30, len(AIRLINE.ids))


def test_taxonomy_cues_must_compile() -> None:
    with pytest.raises(TaxonomyError, match="not a valid regular expression"):
        parse_taxonomy({**AIRLINE.model_dump(mode="json", by_alias=True), "cue_windows": {"bad": "("}})


def test_configs_saved_before_cue_windows_load_without_them() -> None:
    stored = FeatureConfig(cue_windows=None).to_dict()
    del stored["cue_windows"], stored["cue_window_chars"], stored["max_cue_features"]
    assert FeatureConfig.from_dict(stored).cue_windows is None
    assert FeatureConfig.from_dict({}).cue_windows == TAXONOMY_CUES
    round_trip = FeatureConfig.from_dict(FeatureConfig().to_dict())
    assert round_trip == FeatureConfig()
