"""The local model's lifecycle: train a candidate, gate it on per-category recall floors, promote it."""

from collections.abc import Iterator

import dagster as dg

from triage_platform.lib.annotate.cascade import CascadeAnnotator
from triage_platform.lib.annotate.metrics import evaluate
from triage_platform.lib.annotate.model import TriageModel
from triage_platform.lib.annotate.pausing import write_paused_categories
from triage_platform.lib.annotate.registry import ModelStore
from triage_platform.lib.annotate.taxonomy import Taxonomy, load_taxonomy
from triage_platform.lib.annotate.training_data import training_data
from triage_platform.lib.quality.recall import paused_categories, recall_floor_outcomes
from triage_platform.resources import AnnotatorResource, TriageStorage
from triage_platform.settings import Settings

CANDIDATE = dg.AssetKey(["ml", "candidate_model"])


@dg.asset(
    key=CANDIDATE,
    group_name="ml",
    owners=["team:ml"],
    kinds={"scikitlearn"},
)
def candidate_model(storage: TriageStorage, annotator: AnnotatorResource) -> dg.MaterializeResult:
    """A candidate annotation model trained on the labels in TRIAGE_HOME/labels (human labels and
    corrections; the project's own seed examples when there are none), stored in the model registry but
    not yet live. The recall-floor checks decide whether it may be promoted."""
    taxonomy = annotator.taxonomy
    data = training_data(storage.paths.home / "labels", taxonomy)
    model = TriageModel.train(data.train, taxonomy)
    folder = ModelStore(storage.paths.models).save(model)
    return dg.MaterializeResult(
        metadata={
            "model_version": model.version,
            "folder": str(folder),
            "training_examples": len(data.train),
            "evaluation_examples": len(data.evaluation),
            "data_origin": data.origin,
            "taxonomy_version": taxonomy.fingerprint,
        }
    )


def recall_floor_checks(taxonomy: Taxonomy) -> dg.AssetChecksDefinition:
    """One blocking check per category of the taxonomy in force (built at each definitions load)."""
    specs = [
        dg.AssetCheckSpec(
            f"recall_floor_{category.id}",
            asset=CANDIDATE,
            blocking=True,
            description=f"Recall of {category.id} on the evaluation set is at least {category.recall_floor:.2f}.",
        )
        for category in taxonomy.categories
    ]

    @dg.multi_asset_check(
        specs=specs,
        name="candidate_model_recall_floors",
        description="Per-category recall floors of the candidate model (taxonomy `recall_floor`: 0.70 by "
        "default, 0.90 for safety and fraud) on the evaluation set. Blocking: a model below any floor is "
        "never promoted. A category below its floor has its automatic alerts paused (its items go to human "
        "review) until a passing model restores it.",
    )
    def candidate_model_recall_floors(
        context: dg.AssetCheckExecutionContext, storage: TriageStorage, annotator: AnnotatorResource
    ) -> Iterator[dg.AssetCheckResult]:
        version = _candidate_version(context.instance)
        model = TriageModel.load(ModelStore(storage.paths.models).path_of(version), annotator.taxonomy)
        data = training_data(storage.paths.home / "labels", annotator.taxonomy)
        cascade = CascadeAnnotator(annotator.taxonomy, model)
        report = evaluate(
            cascade.annotate([e.to_input() for e in data.evaluation]), data.evaluation, annotator.taxonomy
        )
        recalls = {name: metrics.recall for name, metrics in report.categories.items()}
        support = {name: metrics.support for name, metrics in report.categories.items()}
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
                metadata={**outcome.metadata, "model_version": version, "macro_f1": report.macro_f1 or 0.0},
            )

    return candidate_model_recall_floors


def _candidate_version(instance: dg.DagsterInstance) -> str:
    event = instance.get_latest_materialization_event(CANDIDATE)
    return str(event.asset_materialization.metadata["model_version"].value)


@dg.asset(
    key=["ml", "promoted_model"],
    deps=[CANDIDATE],
    group_name="ml",
    owners=["team:ml"],
    kinds={"scikitlearn"},
)
def promoted_model(
    context: dg.AssetExecutionContext, storage: TriageStorage, annotator: AnnotatorResource
) -> dg.MaterializeResult:
    """The live annotation model: the candidate, promoted only after every recall floor held (the
    blocking checks stop this step otherwise). Previous versions stay in the registry for rollback."""
    version = (
        context.instance.get_latest_materialization_event(CANDIDATE)
        .asset_materialization.metadata["model_version"]
        .value
    )
    store = ModelStore(storage.paths.models)
    store.promote(version, annotator.taxonomy)
    return dg.MaterializeResult(
        metadata={"model_version": version, "history": ", ".join(store.history()[-5:])}
    )


MODEL_PROMOTION_JOB = dg.define_asset_job(
    name="model_promotion_job",
    selection=dg.AssetSelection.assets(CANDIDATE, dg.AssetKey(["ml", "promoted_model"])),
    description="Train a candidate model, gate it on per-category recall floors, promote it if it passes.",
)


@dg.definitions
def defs() -> dg.Definitions:
    taxonomy = load_taxonomy(Settings.from_env().taxonomy_path)
    return dg.Definitions(
        assets=[candidate_model, promoted_model],
        asset_checks=[recall_floor_checks(taxonomy)],
        jobs=[MODEL_PROMOTION_JOB],
    )
