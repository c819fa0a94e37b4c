"""Feature blocks: cue windows (the text around price / service / setup / quality cues) and the loading of
models saved before cue windows existed."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from triage_platform.lib.annotate.features import DEFAULT_CUE_WINDOWS, FeatureConfig, cue_texts
from triage_platform.lib.annotate.labels import LabeledExample
from triage_platform.lib.annotate.model import ModelConfig, TriageModel
from triage_platform_tests.lib.annotate.test_model import AIRLINE, airline_examples


def test_cue_texts_cut_windows_around_every_match() -> None:
    price = re.compile(dict(DEFAULT_CUE_WINDOWS)["price"])
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


def test_cue_blocks_train_save_and_load(tmp_path: Path) -> None:
    examples = _price_examples() + airline_examples(60, seed=8)
    model = TriageModel.train(examples, AIRLINE, ModelConfig(cv_folds=3))
    assert len(model.features.cues) == len(DEFAULT_CUE_WINDOWS)
    assert model.features.cues[0].idf.size > 0  # the price cue found its windows
    loaded = TriageModel.load(model.save(tmp_path / "cues"), AIRLINE)
    items = [e.to_input() for e in _price_examples(30)]
    assert np.allclose(loaded.predict_proba(items), model.predict_proba(items), atol=1e-4)
    without = TriageModel.train(
        examples, AIRLINE, ModelConfig(cv_folds=3, features=FeatureConfig(cue_windows=None))
    )
    assert without.features.cues == ()
    # a cue that no text matches leaves an empty block and still trains, saves and loads
    odd = ModelConfig(cv_folds=3, features=FeatureConfig(cue_windows=(("never", r"zzqqx"),)))
    odd_model = TriageModel.train(airline_examples(90, seed=2), AIRLINE, odd)
    again = TriageModel.load(odd_model.save(tmp_path / "odd"), AIRLINE)
    assert again.predict_proba(items).shape == (30, len(AIRLINE.ids))


def test_configs_saved_before_cue_windows_load_without_them() -> None:
    stored = FeatureConfig(cue_windows=None).to_dict()
    del stored["cue_windows"], stored["cue_window_chars"], stored["max_cue_features"]
    assert FeatureConfig.from_dict(stored).cue_windows is None
    assert FeatureConfig.from_dict({}).cue_windows == DEFAULT_CUE_WINDOWS
    round_trip = FeatureConfig.from_dict(FeatureConfig().to_dict())
    assert round_trip == FeatureConfig()
