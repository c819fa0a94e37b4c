"""Annotation quality on the real labeled data of ../shared (read in place, never copied into the repo).

Prints the quality table of `docs/annotation-quality.md`: for each setting, macro-F1 (over categories with at
least 10 gold examples in the scored set), the lowest recall among those categories, safety_hazard and
fraud_suspicion recall (fraud's precision beside it).

- held-out: trained on the stable 75% split of `labels/dev.jsonl` (`labels.stable_split`), scored on the
  other 275 reviews (nothing about them is used for training, calibration or thresholds);
- CV: 5 stable stratified folds over all 1,100 reviews (`labels.stable_folds`), predictions pooled;
- zero labels: the seed model (examples the project writes itself) + rules, scored on all of dev;
- airline: bring-your-own taxonomy of the complaint reasons (`negativereason`) of the negative tweets of
  `twitter_us_airline_sentiment/Tweets.csv`, trained on its stable 75% split, scored on the rest; twice:
  with the bare reasons as categories (ids only) and with the file a customer team would write for them,
  `docs/examples/airline-taxonomy.yaml` (descriptions and keywords);
- `--augment`: the trained settings again with the external examples of `external.py` added to training
  (the dev texts are excluded from them).
- `--llm`: the trained and airline settings again through the whole cascade, with the LLM stage the
  environment configures (Azure OpenAI or any OpenAI-compatible endpoint, as for `triage annotate`), its
  few-shot examples drawn from the training split, `--llm-share` of the items sent; with the calls, tokens
  and cost it took. Skipped, with the variables to set, when no endpoint is configured.

Skips (exit 0, with the reason) when ../shared/data is absent, as in a user's clone.

    python -m benchmarks.quality [--shared ../shared/data] [--no-cv] [--augment] [--embedding NAME]
                                 [--llm [--llm-share 0.2]]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEV_FILE = "labels/dev.jsonl"
TWEETS_FILE = "twitter_us_airline_sentiment/Tweets.csv"
AIRLINE_TAXONOMY = Path(__file__).resolve().parents[1] / "docs" / "examples" / "airline-taxonomy.yaml"
"""The airline team's own taxonomy file (descriptions, keywords): same ten category ids as `airline_data`'s."""

LLM_VARIABLES = (
    "set AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and AZURE_OPENAI_DEPLOYMENT, or TRIAGE_LLM_MODEL with "
    "OPENAI_BASE_URL and/or OPENAI_API_KEY"
)
"""What configures the LLM stage (`LLMConfig.from_env`)."""

TARGETS = {
    "trained": "macro >= 0.80, recalls >= 0.70, safety & fraud >= 0.90",
    "zero": "macro >= 0.60",
    "airline": "macro >= 0.65",
}


@dataclass
class Row:
    setting: str
    macro: float | None
    lowest: tuple[str, float] | None
    safety: float | None
    fraud: tuple[float, float] | None
    seconds: float
    target: str = ""


def _row(setting: str, report: Any, seconds: float, target: str = "") -> Row:
    recalls = {c: report.categories[c].recall for c in report.macro_categories}
    lowest = min(recalls.items(), key=lambda kv: kv[1]) if recalls else None
    cats = report.categories
    safety = cats["safety_hazard"].recall if "safety_hazard" in cats else None
    fraud = (
        (cats["fraud_suspicion"].recall, cats["fraud_suspicion"].precision)
        if "fraud_suspicion" in cats
        else None
    )
    return Row(setting, report.macro_f1, lowest, safety, fraud, seconds, target)


def render(rows: Sequence[Row]) -> str:
    lines = [
        "| setting | macro-F1 | lowest recall (category) | safety recall | fraud recall (precision) | s | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        macro = f"{r.macro:.3f}" if r.macro is not None else "-"
        lowest = f"{r.lowest[1]:.2f} ({r.lowest[0]})" if r.lowest else "-"
        safety = f"{r.safety:.2f}" if r.safety is not None else "-"
        fraud = f"{r.fraud[0]:.2f} ({r.fraud[1]:.2f})" if r.fraud else "-"
        lines.append(
            f"| {r.setting} | {macro} | {lowest} | {safety} | {fraud} | {r.seconds:.0f} | {r.target} |"
        )
    return "\n".join(lines)


def airline_data(tweets: Path) -> tuple[Any, list[Any], dict[str, float]]:
    """The airline-complaints taxonomy (one category per `negativereason`), its negative tweets, and the
    crowd's `negativereason_confidence` of each tweet id (annotator agreement, for a diagnostic)."""
    from triage_platform.lib.annotate import parse_taxonomy
    from triage_platform.lib.annotate.labels import LabeledExample

    with tweets.open(encoding="utf-8", newline="") as handle:
        rows = [
            r for r in csv.DictReader(handle) if r["airline_sentiment"] == "negative" and r["negativereason"]
        ]

    def category_id(reason: str) -> str:
        return re.sub(r"[^a-z0-9]+", "_", reason.lower().replace("'", "")).strip("_")

    reasons = sorted({r["negativereason"] for r in rows})
    taxonomy = parse_taxonomy(
        {
            "name": "airline-complaints",
            "version": "1",
            "categories": [{"id": category_id(x), "owner": "airline", "description": x} for x in reasons],
        }
    )
    seen: set[str] = set()
    examples = []
    agreement = {r["tweet_id"]: float(r.get("negativereason_confidence") or 0) for r in rows}
    for r in rows:
        if r["tweet_id"] in seen:
            continue
        seen.add(r["tweet_id"])
        reason = category_id(r["negativereason"])
        examples.append(
            LabeledExample(
                id=r["tweet_id"],
                source="social",
                text=r["text"],
                issue_types=(reason,),
                primary_issue=reason,
                sentiment="negative",
                severity="medium",
                language="en",
            )
        )
    return taxonomy, examples, agreement


Trainer = Callable[[Sequence[Any]], Any]


def held_out(train: Trainer, examples: Sequence[Any], taxonomy: Any) -> Any:
    from triage_platform.lib.annotate.labels import stable_split
    from triage_platform.lib.annotate.metrics import evaluate

    fit, held = stable_split(examples)
    model = train(fit)
    return evaluate(model.predict([e.to_input() for e in held]), held, taxonomy)


def cascade_held_out(
    train: Trainer,
    examples: Sequence[Any],
    taxonomy: Any,
    *,
    env: Mapping[str, str],
    cache: Path,
    llm_share: float,
) -> tuple[Any, Any] | None:
    """`held_out` through the whole cascade: the model trained on the stable 75% split, then the LLM stage
    `env` configures (few-shot examples from the training split, answers cached in `cache`) on the
    uncertain `llm_share` of the held-out items. The report and the stage's usage; None when `env`
    configures no LLM."""
    from triage_platform.lib.annotate.cascade import CascadeAnnotator
    from triage_platform.lib.annotate.labels import stable_split
    from triage_platform.lib.annotate.llm import LLMConfig, LLMStage
    from triage_platform.lib.annotate.llm_cache import LLMCache
    from triage_platform.lib.annotate.metrics import evaluate
    from triage_platform.lib.annotate.prompt import FewShotSelector

    config = LLMConfig.from_env(env)
    if config is None:  # checked first: no cache file and no training when the stage is off
        return None
    fit, held = stable_split(examples)
    few_shot = FewShotSelector([e.model_dump() for e in fit])
    llm = LLMStage(config, taxonomy, few_shot=few_shot, cache=LLMCache(cache))
    annotator = CascadeAnnotator(taxonomy, train(fit), llm=llm, llm_share=llm_share)
    report = evaluate(annotator.annotate([e.to_input() for e in held]), held, taxonomy)
    return report, llm.usage


def cross_validated(train: Trainer, examples: Sequence[Any], taxonomy: Any, k: int = 5) -> Any:
    from triage_platform.lib.annotate.labels import stable_folds
    from triage_platform.lib.annotate.metrics import evaluate

    predictions = []
    for fit, held in stable_folds(examples, k):
        predictions += train(fit).predict([e.to_input() for e in held])
    return evaluate(predictions, examples, taxonomy)


def trainer(taxonomy: Any, config: Any, rules: Any = None, external: Sequence[Any] = ()) -> Trainer:
    from triage_platform.lib.annotate.model import TriageModel

    augment = [x.example for x in external]
    known = [x.known for x in external] if external else None
    augment_rules = (
        rules.annotate([e.to_input() for e in augment]) if (rules is not None and augment) else None
    )

    def train(examples: Sequence[Any]) -> Any:
        return TriageModel.train(
            examples,
            taxonomy,
            config,
            rules=rules,
            augment=augment,
            augment_known=known,
            augment_rule_annotations=augment_rules,
        )

    return train


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder")
    parser.add_argument("--no-cv", action="store_true", help="held-out numbers only (faster)")
    parser.add_argument("--augment", action="store_true", help="also train with external examples")
    parser.add_argument("--no-airline", action="store_true")
    parser.add_argument("--details", action="store_true", help="print each setting's per-category report")
    parser.add_argument(
        "--embedding", help="also run the airline task with this embedding (e.g. use-multilingual-v3)"
    )
    parser.add_argument(
        "--llm",
        action="store_true",
        help="also run the trained and airline settings with the LLM stage configured in the environment",
    )
    parser.add_argument("--llm-share", type=float, default=0.2, help="share of items the LLM may see")
    args = parser.parse_args(argv)

    dev_path, tweets_path = args.shared / DEV_FILE, args.shared / TWEETS_FILE
    if not dev_path.is_file():
        print(f"SKIPPED: {dev_path} is absent (the shared labeled data is not part of the repository)")
        return 0

    from triage_platform.lib.annotate import RulesAnnotator, load_taxonomy
    from triage_platform.lib.annotate.external import load_external
    from triage_platform.lib.annotate.features import FeatureConfig
    from triage_platform.lib.annotate.labels import load_labels, stable_split
    from triage_platform.lib.annotate.metrics import evaluate
    from triage_platform.lib.annotate.model import ModelConfig
    from triage_platform.lib.annotate.seed import seed_examples

    taxonomy = load_taxonomy()
    rules = RulesAnnotator(taxonomy)
    dev = load_labels(dev_path, taxonomy)
    rows: list[Row] = []

    def record(setting: str, report: Any, seconds: float, target: str = "") -> None:
        rows.append(_row(setting, report, seconds, target))
        if args.details:
            print(report.render(setting))
        print(render(rows[-1:]).splitlines()[-1], flush=True)

    def measure(setting: str, run: Callable[[], Any], target: str = "") -> None:
        start = time.perf_counter()
        report = run()
        record(setting, report, time.perf_counter() - start, target)

    llm_cache = Path(os.environ.get("TRIAGE_HOME") or ".triage") / "cache" / "benchmark_llm.sqlite"

    def measure_with_llm(
        setting: str, train: Trainer, examples: Sequence[Any], tax: Any, target: str
    ) -> None:
        start = time.perf_counter()
        outcome = cascade_held_out(
            train, examples, tax, env=os.environ, cache=llm_cache, llm_share=args.llm_share
        )
        if outcome is None:
            print(f"SKIPPED {setting}: no LLM endpoint is configured ({LLM_VARIABLES})")
            return
        report, usage = outcome
        record(setting, report, time.perf_counter() - start, target)
        print(
            f"    LLM: {usage.calls} calls, {usage.input_tokens} input + {usage.output_tokens} output tokens, "
            f"${usage.cost_usd:.4f}, {usage.failures} items unanswered, {usage.budget_skipped} over budget",
            flush=True,
        )

    default = ModelConfig()
    baseline = ModelConfig(  # plain TF-IDF word+char n-grams + logistic regression, threshold 0.5
        features=FeatureConfig(use_rules=False, cue_windows=None), thresholds="fixed", class_weight=None
    )
    print(f"quality on {dev_path} ({len(dev)} reviews)\n")
    print(render([]))
    train_baseline = trainer(taxonomy, baseline)
    train_default = trainer(taxonomy, default, rules)
    measure("TF-IDF + LR baseline, held-out", lambda: held_out(train_baseline, dev, taxonomy))
    measure("trained model, held-out", lambda: held_out(train_default, dev, taxonomy), TARGETS["trained"])
    if args.llm:
        measure_with_llm(
            f"trained model + LLM stage (share {args.llm_share}), held-out",
            train_default,
            dev,
            taxonomy,
            TARGETS["trained"],
        )
    if not args.no_cv:
        measure("trained model, 5-fold CV", lambda: cross_validated(train_default, dev, taxonomy))
    if args.augment:
        external = load_external(args.shared, taxonomy, exclude_texts=[e.text for e in dev])
        print(f"(external examples: {len(external)})")
        train_augmented = trainer(taxonomy, default, rules, external)
        measure("trained + external examples, held-out", lambda: held_out(train_augmented, dev, taxonomy))
        if not args.no_cv:
            measure(
                "trained + external examples, 5-fold CV",
                lambda: cross_validated(train_augmented, dev, taxonomy),
            )

    def zero_labels() -> Any:
        from triage_platform.lib.annotate.model import TriageModel
        from triage_platform.lib.annotate.seed import SEED_MODEL_CONFIG

        model = TriageModel.train(seed_examples(taxonomy), taxonomy, SEED_MODEL_CONFIG, rules=rules)
        return evaluate(model.predict([e.to_input() for e in dev]), dev, taxonomy)

    measure("zero labels: seed model + rules, all of dev", zero_labels, TARGETS["zero"])

    if not args.no_airline:
        if not tweets_path.is_file():
            print(f"SKIPPED airline: {tweets_path} is absent")
        else:
            plain_taxonomy, tweets, agreement = airline_data(tweets_path)
            user_taxonomy = load_taxonomy(AIRLINE_TAXONOMY)
            if user_taxonomy.ids != plain_taxonomy.ids:
                raise SystemExit(f"{AIRLINE_TAXONOMY} must have the ids {plain_taxonomy.ids}")
            single = ModelConfig(min_issues=1, max_issues=1)
            fit, held = stable_split(tweets)
            for label, air_taxonomy in (
                ("airline reasons, bare reason ids, held-out", plain_taxonomy),
                (f"airline reasons, {AIRLINE_TAXONOMY.name} (keywords), held-out", user_taxonomy),
            ):
                start = time.perf_counter()
                air_model = trainer(air_taxonomy, single)(fit)
                predictions = air_model.predict([e.to_input() for e in held])
                seconds = time.perf_counter() - start
                record(label, evaluate(predictions, held, air_taxonomy), seconds, TARGETS["airline"])
            # diagnostic, same model and predictions: the held-out tweets whose crowd label was unanimous
            sure = [e for e in held if agreement.get(e.id, 0.0) >= 0.999]
            record(
                f"  same model, only the {len(sure)} held-out tweets with unanimous crowd labels",
                evaluate(predictions, sure, air_taxonomy),
                0.0,
            )
            if args.llm:
                measure_with_llm(
                    f"airline, {AIRLINE_TAXONOMY.name} + LLM stage (share {args.llm_share}), held-out",
                    trainer(user_taxonomy, single),
                    tweets,
                    user_taxonomy,
                    TARGETS["airline"],
                )
            if args.embedding:
                with_embedding = ModelConfig(
                    min_issues=1, max_issues=1, features=FeatureConfig(embedding=args.embedding)
                )
                measure(
                    f"airline reasons, {AIRLINE_TAXONOMY.name} + {args.embedding}, held-out",
                    lambda: held_out(trainer(user_taxonomy, with_embedding), tweets, user_taxonomy),
                    TARGETS["airline"],
                )
    print("\n" + render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
