"""The learning loop of the local model: labeled data as assets, a candidate trained each week and gated on
per-category recall floors and "no macro-F1 regression" against the live model, promotion, and the daily
evaluation trend."""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import dagster as dg
import pandas as pd

from triage_platform.lib.annotate.evaluation import (
    DATASET_DAY_LABELS,
    DATASET_EVALUATION_SET,
    EVALUATION_HISTORY_SCHEMA,
    compare,
    headline_f1,
    history_rows,
    macro_f1_outcome,
    score_model,
)
from triage_platform.lib.annotate.factory import (
    FEW_SHOT_FILE,
    few_shot_version,
    prompt_version_with,
    resolve_model,
)
from triage_platform.lib.annotate.labeled_sets import (
    LABELED_SET_SCHEMA,
    examples_frame,
    frame_examples,
    gold_label_examples,
    labeled_sets,
    origin_counts,
    read_gold_labels,
)
from triage_platform.lib.annotate.labels import LabeledExample, training_data_hash
from triage_platform.lib.annotate.model import ModelError, TriageModel
from triage_platform.lib.annotate.pausing import write_paused_categories
from triage_platform.lib.annotate.registry import ModelStore
from triage_platform.lib.annotate.taxonomy import Taxonomy, load_taxonomy
from triage_platform.lib.delta import DeltaLocation, read_table
from triage_platform.lib.quality.drift import drift_outcome, review_psis
from triage_platform.lib.quality.recall import paused_categories, recall_floor_outcomes
from triage_platform.lib.transform.gold import GOLD_REVIEWS_SCHEMA
from triage_platform.materialization import PARTITION_METADATA, output
from triage_platform.partitions import DAILY_PARTITIONS
from triage_platform.resources import AnnotatorResource, TriageStorage
from triage_platform.settings import Settings

TRAINING_SET = dg.AssetKey(["ml", "training_set"])
EVALUATION_SET = dg.AssetKey(["ml", "evaluation_set"])
CANDIDATE = dg.AssetKey(["ml", "candidate_model"])
PROMOTED = dg.AssetKey(["ml", "promoted_model"])
EVALUATION_HISTORY = dg.AssetKey(["ml", "evaluation_history"])
GOLD_LABELS = dg.AssetKey(["gold", "labels"])
"""Human labels written by the review queue (`triage serve`); read by path, declared for lineage."""
EVALUATION_FILE = "evaluation.json"
"""Written into a candidate's model folder: its and the live model's reports on the evaluation set."""
MACRO_F1_CHECK = "no_macro_f1_regression"


def _gold_labels_path(storage: TriageStorage) -> DeltaLocation:
    return storage.paths.table("gold", "labels")


def _sets(storage: TriageStorage, taxonomy: Taxonomy):
    return labeled_sets(storage.paths.home / "labels", _gold_labels_path(storage), taxonomy)


def _labeled_set_out(key: dg.AssetKey, description: str) -> dg.AssetOut:
    return dg.AssetOut(
        key=key, group_name="ml", owners=["team:ml"], kinds={"deltalake", "pandas"}, description=description
    )


@dg.multi_asset(
    outs={
        "training_set": _labeled_set_out(
            TRAINING_SET,
            "The labeled examples the next model learns from: human labels from TRIAGE_HOME/labels/*.jsonl "
            "and the review queue's `gold/labels` table (latest decision per review; it overrides a file "
            "label with the same id), minus the evaluation set. Versioned by content hash (`content_hash`); "
            "the project's seed examples when no human labels exist yet. Invalid human labels are counted "
            "and named, never used.",
        ),
        "evaluation_set": _labeled_set_out(
            EVALUATION_SET,
            "The fixed exam every model is scored on: TRIAGE_HOME/labels/eval/*.jsonl when present, else "
            "the human labels whose id hashes into the held-out 25% (a test on the id alone, so membership "
            "never changes when new labels arrive). Versioned by content hash (`content_hash`): numbers "
            "measured on different hashes are not comparable.",
        ),
    },
    deps=[GOLD_LABELS],
)
def labeled_data_sets(
    storage: TriageStorage, annotator: AnnotatorResource
) -> Iterator[dg.Output[pd.DataFrame]]:
    """Split the human labels once into the training set and the evaluation set (one read of the label
    files and of `gold/labels` for both)."""
    sets = _sets(storage, annotator.taxonomy)

    def set_output(
        name: str, examples: list[LabeledExample], content_hash: str, **extra: Any
    ) -> dg.Output[pd.DataFrame]:
        frame = examples_frame(examples, sets.origins)
        return output(
            frame,
            LABELED_SET_SCHEMA,
            ["id", "origin", "primary_issue", "severity", "language", "text"],
            {
                "content_hash": content_hash,
                "examples": len(frame),
                "origin": sets.origin,
                **{f"from_{origin}": n for origin, n in origin_counts(examples, sets.origins).items()},
                **extra,
                "taxonomy_version": annotator.taxonomy.fingerprint,
            },
            output_name=name,
        )

    yield set_output(
        "training_set",
        sets.train,
        sets.training_hash,
        rejected_labels=len(sets.rejected),
        rejected_examples="; ".join(f"{r.id}: {r.reason}" for r in sets.rejected[:5]),
    )
    yield set_output("evaluation_set", sets.evaluation, sets.evaluation_hash)


def _live_model(storage: TriageStorage, taxonomy: Taxonomy) -> TriageModel | None:
    """The model annotating now: the promoted one, else the seed model (None if neither can serve)."""
    try:
        return resolve_model(taxonomy, storage.paths.models)
    except (ModelError, ValueError):
        return None


@dg.asset(
    key=CANDIDATE,
    ins={"train": dg.AssetIn(key=TRAINING_SET), "evaluation": dg.AssetIn(key=EVALUATION_SET)},
    group_name="ml",
    owners=["team:ml"],
    kinds={"scikitlearn"},
)
def candidate_model(
    train: pd.DataFrame, evaluation: pd.DataFrame, storage: TriageStorage, annotator: AnnotatorResource
) -> dg.MaterializeResult:
    """A candidate annotation model trained on `ml/training_set`, stored in the model registry but not yet
    live, with a refreshed few-shot set for the LLM stage (its version joins the prompt version once the
    model is live). It and the live model are scored on `ml/evaluation_set` per category, language and
    source; the blocking checks (recall floors, no macro-F1 regression) decide whether it is promoted."""
    taxonomy = annotator.taxonomy
    train_examples, eval_examples = frame_examples(train), frame_examples(evaluation)
    model = TriageModel.train(train_examples, taxonomy)
    live = _live_model(storage, taxonomy)
    candidate_report = score_model(model, eval_examples, taxonomy).to_dict()
    live_report = score_model(live, eval_examples, taxonomy).to_dict() if live is not None else None
    few_shot = few_shot_version(training_data_hash(train_examples))
    eval_hash = training_data_hash(eval_examples)
    model.metrics["evaluation"] = {
        "evaluation_hash": eval_hash,
        "macro_f1": candidate_report["macro_f1"],
        "micro_f1": candidate_report["micro_f1"],
    }
    model.manifest["few_shot_version"] = few_shot
    model.manifest["prompt_version"] = prompt_version_with(few_shot)
    store = ModelStore(storage.paths.models)
    folder = store.save(model)
    (folder / FEW_SHOT_FILE).write_text(
        "".join(json.dumps(e.model_dump(mode="json"), ensure_ascii=False) + "\n" for e in train_examples),
        encoding="utf-8",
    )
    (folder / EVALUATION_FILE).write_text(
        json.dumps(
            {
                "evaluation_hash": eval_hash,
                "candidate": candidate_report,
                "current": live_report,
                "current_version": live.version if live is not None else None,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    metric, value = headline_f1(candidate_report)
    return dg.MaterializeResult(
        metadata={
            "model_version": model.version,
            "folder": str(folder),
            "training_examples": len(train_examples),
            "evaluation_examples": len(eval_examples),
            "training_data_hash": model.manifest.get("training_data_hash", ""),
            "evaluation_hash": eval_hash,
            f"candidate_{metric}": value if value is not None else -1.0,
            "current_version": live.version if live is not None else "none",
            "few_shot_version": few_shot,
            "prompt_version": prompt_version_with(few_shot),
            "comparison": dg.MetadataValue.md(compare(candidate_report, live_report)),
            "taxonomy_version": taxonomy.fingerprint,
        }
    )


def candidate_checks(taxonomy: Taxonomy) -> dg.AssetChecksDefinition:
    """The promotion gate, one blocking check per category floor plus the macro-F1 comparison (built at
    each definitions load from the taxonomy in force)."""
    specs = [
        dg.AssetCheckSpec(
            f"recall_floor_{category.id}",
            asset=CANDIDATE,
            blocking=True,
            description=f"Recall of {category.id} on the evaluation set is at least {category.recall_floor:.2f}.",
        )
        for category in taxonomy.categories
    ]
    specs.append(
        dg.AssetCheckSpec(
            MACRO_F1_CHECK,
            asset=CANDIDATE,
            blocking=True,
            description="The candidate's macro-F1 on the evaluation set is not below the live model's "
            "(the promoted model, else the seed model).",
        )
    )

    @dg.multi_asset_check(
        specs=specs,
        name="candidate_model_gate",
        description="The promotion gate of the candidate model on the evaluation set: per-category recall "
        "floors (taxonomy `recall_floor`: 0.70 by default, 0.90 for safety and fraud) and no macro-F1 "
        "regression against the live model. Blocking: a failing candidate is never promoted. A category "
        "below its floor has its automatic alerts paused (its items go to human review) until a passing "
        "model restores it.",
    )
    def candidate_model_gate(
        context: dg.AssetCheckExecutionContext, storage: TriageStorage, annotator: AnnotatorResource
    ) -> Iterator[dg.AssetCheckResult]:
        version = _candidate_version(context.instance)
        store = ModelStore(storage.paths.models)
        reports = json.loads((store.path_of(version) / EVALUATION_FILE).read_text(encoding="utf-8"))
        candidate = reports["candidate"]
        recalls = {name: m["recall"] for name, m in candidate["categories"].items()}
        support = {name: m["support"] for name, m in candidate["categories"].items()}
        outcomes = recall_floor_outcomes(recalls, support, annotator.taxonomy)
        write_paused_categories(
            storage.paths.models, paused_categories(outcomes), model_version=version, recalls=recalls
        )
        for category, outcome in outcomes.items():
            yield dg.AssetCheckResult(
                asset_key=CANDIDATE,
                check_name=f"recall_floor_{category}",
                passed=outcome.passed,
                severity=dg.AssetCheckSeverity[outcome.severity],
                description=outcome.description,
                metadata={
                    **outcome.metadata,
                    "model_version": version,
                    "macro_f1": candidate["macro_f1"] or 0.0,
                },
            )
        gate = macro_f1_outcome(candidate, reports["current"], reports["current_version"])
        yield dg.AssetCheckResult(
            asset_key=CANDIDATE,
            check_name=MACRO_F1_CHECK,
            passed=gate.passed,
            severity=dg.AssetCheckSeverity[gate.severity],
            description=gate.description,
            metadata={**gate.metadata, "model_version": version},
        )

    return candidate_model_gate


def _candidate_version(instance: dg.DagsterInstance) -> str:
    event = instance.get_latest_materialization_event(CANDIDATE)
    return str(event.asset_materialization.metadata["model_version"].value)


@dg.asset(key=PROMOTED, deps=[CANDIDATE], group_name="ml", owners=["team:ml"], kinds={"scikitlearn"})
def promoted_model(
    context: dg.AssetExecutionContext, storage: TriageStorage, annotator: AnnotatorResource
) -> dg.MaterializeResult:
    """The live annotation model: the candidate, promoted only after every recall floor held and its
    macro-F1 did not drop (the blocking checks stop this step otherwise). Previous versions stay in the
    registry for rollback (`triage model rollback`); the registry logs when each was promoted."""
    version = _candidate_version(context.instance)
    store = ModelStore(storage.paths.models)
    store.promote(version, annotator.taxonomy)
    manifest = store.manifest(version)
    return dg.MaterializeResult(
        metadata={
            "model_version": version,
            "promoted_at": store.promoted_at(version) or "",
            "training_data_hash": manifest.get("training_data_hash", ""),
            "macro_f1": (manifest.get("metrics", {}).get("evaluation") or {}).get("macro_f1") or 0.0,
            "prompt_version": manifest.get("prompt_version", ""),
            "history": ", ".join(store.history()[-5:]),
        }
    )


@dg.asset(
    key=EVALUATION_HISTORY,
    deps=[GOLD_LABELS],
    ins={"evaluation": dg.AssetIn(key=EVALUATION_SET), "train": dg.AssetIn(key=TRAINING_SET)},
    partitions_def=DAILY_PARTITIONS,
    group_name="ml",
    owners=["team:ml"],
    kinds={"deltalake", "pandas"},
    metadata=PARTITION_METADATA,
)
def evaluation_history(
    context: dg.AssetExecutionContext,
    evaluation: pd.DataFrame,
    train: pd.DataFrame,
    storage: TriageStorage,
    annotator: AnnotatorResource,
) -> dg.Output[pd.DataFrame]:
    """Model quality over time, one partition per day: the live model's precision, recall, F1 and support
    per category (plus macro and micro rows) on the fixed evaluation set and on that day's human labels
    (`gold/labels` rows labeled that day), for the quality-over-time plot. Drift of the day's reviews
    against the training set is in the metadata."""
    day = date.fromisoformat(context.partition_key)
    taxonomy = annotator.taxonomy
    model = _live_model(storage, taxonomy)
    version = model.version if model is not None else "rules-only"
    now = datetime.now(UTC)
    rows: list[dict] = []
    eval_examples = frame_examples(evaluation)
    report = score_model(model, eval_examples, taxonomy)
    rows += history_rows(
        report,
        day=day,
        model_version=version,
        dataset=DATASET_EVALUATION_SET,
        dataset_hash=training_data_hash(eval_examples),
        evaluated_at=now,
    )
    labels = read_gold_labels(_gold_labels_path(storage))
    if not labels.empty:
        labels = labels[pd.to_datetime(labels["labeled_at"], utc=True).dt.date == day]
    day_examples, rejected = gold_label_examples(labels, taxonomy)
    day_f1: float | None = None
    if day_examples:
        day_report = score_model(model, day_examples, taxonomy)
        day_f1 = day_report.micro_f1
        rows += history_rows(
            day_report,
            day=day,
            model_version=version,
            dataset=DATASET_DAY_LABELS,
            dataset_hash=training_data_hash(day_examples),
            evaluated_at=now,
        )
    frame = pd.DataFrame(rows, columns=EVALUATION_HISTORY_SCHEMA.names)
    gold = read_table(
        storage.paths.table("gold", "reviews"), GOLD_REVIEWS_SCHEMA, filters=[("day", "==", day)]
    )
    drift = drift_outcome(
        "drift",
        review_psis(
            train.assign(text_redacted=train["text"]),
            gold,
            list_columns=("issue_types",),
        )
        if not gold.empty
        else {},
        rows=len(gold),
    )
    return output(
        frame,
        EVALUATION_HISTORY_SCHEMA,
        ["dataset", "category", "precision", "recall", "f1", "support"],
        {
            "model_version": version,
            "evaluation_macro_f1": report.macro_f1 if report.macro_f1 is not None else -1.0,
            "evaluation_micro_f1": report.micro_f1,
            "day_labels": len(day_examples),
            "day_labels_rejected": len(rejected),
            "day_labels_micro_f1": day_f1 if day_f1 is not None else -1.0,
            "drift": drift.description,
            **{k: v for k, v in drift.metadata.items() if k.startswith("psi")},
        },
    )


WEEKLY_RETRAINING_JOB = dg.define_asset_job(
    name="weekly_retraining",
    selection=dg.AssetSelection.assets(TRAINING_SET, EVALUATION_SET, CANDIDATE, PROMOTED),
    description="Rebuild the training and evaluation sets from human labels, train a candidate (with a "
    "refreshed few-shot set for the LLM stage), compare it with the live model per category, language and "
    "source, and promote it only if every recall floor holds and macro-F1 does not drop.",
)

DAILY_EVALUATION_JOB = dg.define_asset_job(
    name="daily_evaluation",
    selection=dg.AssetSelection.assets(TRAINING_SET, EVALUATION_SET, EVALUATION_HISTORY),
    partitions_def=DAILY_PARTITIONS,
    description="Score the live model on the fixed evaluation set and on the day's human labels; append "
    "the per-category precision/recall/F1 of that day to ml/evaluation_history (the quality trend) with "
    "the day's drift against the training set.",
)


@dg.definitions
def defs() -> dg.Definitions:
    taxonomy = load_taxonomy(Settings.from_env().taxonomy_path)
    return dg.Definitions(
        assets=[labeled_data_sets, candidate_model, promoted_model, evaluation_history],
        asset_checks=[candidate_checks(taxonomy)],
        jobs=[WEEKLY_RETRAINING_JOB, DAILY_EVALUATION_JOB],
    )
