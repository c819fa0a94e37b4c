"""`triage`: the operations of the Dagster UI for scripts and cron."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage_platform.settings import Settings


def _taxonomy(path: Path | None):
    from triage_platform.lib.annotate.taxonomy import load_taxonomy

    return load_taxonomy(path)


def _annotator(taxonomy_file: Path | None, model: Path | None, no_llm: bool):
    from triage_platform.lib.annotate.factory import build_annotator

    settings = Settings.from_env()
    return build_annotator(_taxonomy(taxonomy_file), settings.paths.home, model_dir=model, use_llm=not no_llm)


TAXONOMY_OPTION = click.option(
    "--taxonomy",
    "taxonomy_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Taxonomy YAML (default: the packaged taxonomy, or TRIAGE_TAXONOMY).",
    envvar="TRIAGE_TAXONOMY",
)
MODEL_OPTION = click.option(
    "--model",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Model folder (default: the promoted model of TRIAGE_HOME/models, else the seed model).",
)
NO_LLM_OPTION = click.option("--no-llm", is_flag=True, help="Never call the LLM stage, even when configured.")


@click.group()
def main() -> None:
    """Review triage platform: feedback in, owned and measured action out."""


@main.command("demo-data")
@click.option("--days", default=30, show_default=True, help="Consecutive days of feedback, ending today.")
@click.option("--per-day", default=500, show_default=True, help="Reviews per day across all channels.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Landing folder (default: TRIAGE_HOME/landing).",
)
@click.option(
    "--end-day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day (default today, UTC).",
)
@click.option("--seed", default=7, show_default=True)
def demo_data(days: int, per_day: int, out: Path | None, end_day: object, seed: int) -> None:
    """Write realistic demo feedback files (our own generator) into the landing zone."""
    from triage_platform.lib.demo import generate_demo

    settings = Settings.from_env()
    target = out or settings.paths.landing
    last = end_day.date() if end_day is not None else None  # type: ignore[attr-defined]
    manifest = generate_demo(target, days=days, per_day=per_day, end_day=last, seed=seed)
    incident = manifest.incident
    click.echo(
        f"Wrote {len(manifest.files)} files, {manifest.rows_written:,} rows ({manifest.malformed_rows} malformed on "
        f"purpose) for {manifest.days[0]}..{manifest.days[-1]} into {target}"
    )
    click.echo(
        f"Injected incident: {incident.category} for {incident.sku} ({incident.product_family}) in {incident.region} "
        f"on {', '.join(d.isoformat() for d in incident.days)}"
    )


@main.command("run")
@click.option(
    "--landing",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Landing folder to process (default: TRIAGE_HOME/landing).",
)
@NO_LLM_OPTION
def run(landing: Path | None, no_llm: bool) -> None:
    """Process everything in the landing zone now, through the whole graph, then exit."""
    import os

    if no_llm:
        os.environ["TRIAGE_LLM"] = "off"
    from triage_platform.lib.summary import format_summary, summarize_lake
    from triage_platform.runner import prepare_instance, run_available_now

    settings = Settings.from_env()
    instance = prepare_instance(settings.paths)
    click.echo(f"TRIAGE_HOME={settings.paths.home} (lake: {settings.paths.lake.display})")
    report = run_available_now(settings, instance, landing, progress=click.echo)
    plan = report.plan
    click.echo(
        f"Discovered {len(plan.registered)} new file versions touching {len(plan.days)} day partitions."
    )
    click.echo(
        format_summary(
            summarize_lake(settings.paths),
            report.seconds,
            len(report.failed_days),
            dashboard=report.dashboard,
        )
    )
    if report.delivery is not None:
        click.echo(f"Alert delivery this run: {report.delivery.summary()}")
    if report.roi_ok is False:
        click.echo(
            f"dbt / ROI dashboard FAILED (see the daily_roi run in the Dagster UI):\n{report.roi_log_tail}"
        )
    click.echo(
        "\nOpen the Dagster UI on this instance and data: `make ui`, then http://127.0.0.1:3000 "
        f"(or: DAGSTER_HOME={settings.paths.dagster_home} dagster dev -w workspace.yaml)."
    )
    if report.failed_days or report.roi_ok is False:
        sys.exit(1)


@main.command("annotate")
@click.option("--in", "in_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True)
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
@MODEL_OPTION
@TAXONOMY_OPTION
@NO_LLM_OPTION
def annotate(
    in_path: Path, out_path: Path, model: Path | None, taxonomy_file: Path | None, no_llm: bool
) -> None:
    """Annotate a JSONL file of reviews (id, text, optional title, rating, source, product, language).

    Texts are PII-redacted before any stage sees them; languages are detected when not given."""
    import json

    from triage_platform.lib.annotate.schema import AnnotationInput
    from triage_platform.lib.text.language import detect_languages
    from triage_platform.lib.text.pii import redact_pii

    rows = [json.loads(line) for line in in_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not row.get("id") or not isinstance(row.get("text"), str):
            raise click.ClickException(f"{in_path}:{number}: each line needs a string `id` and `text`")
    detected = detect_languages([row["text"] for row in rows])
    items = [
        AnnotationInput(
            id=str(row["id"]),
            text=redact_pii(row["text"]).text,
            title=redact_pii(row["title"]).text if row.get("title") else None,
            rating=row.get("rating"),
            source=row.get("source"),
            product=row.get("product"),
            language=row.get("language") or (language if language != "und" else None),
        )
        for row, (language, _) in zip(rows, detected, strict=True)
    ]
    annotator = _annotator(taxonomy_file, model, no_llm)
    annotations = annotator.annotate(items)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8") as handle:
        for annotation in annotations:
            handle.write(annotation.model_dump_json() + "\n")
    stages = ", ".join(f"{k}={v}" for k, v in annotator.stats.items() if v)
    click.echo(f"Annotated {len(annotations)} reviews into {out_path} ({stages})")


@main.command("train")
@click.option("--labels", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True)
@TAXONOMY_OPTION
@click.option(
    "--augment-from",
    "augment_root",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="A data folder laid out like shared/data: its public labeled sets (see lib/annotate/external.py) "
    "are read in place and added to training for the categories they label.",
)
@click.option(
    "--augment-source",
    "augment_sources",
    multiple=True,
    help="Which external sources to use with --augment-from (repeatable; default: all known).",
)
def train(
    labels: Path,
    out_dir: Path,
    taxonomy_file: Path | None,
    augment_root: Path | None,
    augment_sources: tuple[str, ...],
) -> None:
    """Train a local model from labeled examples (the format of shared/data/labels/dev.jsonl)."""
    from triage_platform.lib.annotate.external import DEFAULT_SOURCES, augment_arguments, load_external
    from triage_platform.lib.annotate.labels import load_labels
    from triage_platform.lib.annotate.model import TriageModel

    taxonomy = _taxonomy(taxonomy_file)
    examples = load_labels(labels, taxonomy)
    extra: dict = {}
    if augment_root is not None:
        sources = augment_sources or DEFAULT_SOURCES
        try:
            external = load_external(
                augment_root, taxonomy, sources, exclude_texts=[e.text for e in examples]
            )
        except KeyError as error:
            raise click.BadParameter(str(error.args[0]), param_hint="--augment-source") from None
        extra = augment_arguments(external, sources)
        click.echo(f"Adding {len(external)} external examples from {augment_root} ({', '.join(sources)})")
    model = TriageModel.train(examples, taxonomy, **extra)
    model.save(out_dir)
    click.echo(f"Trained {model.version} on {len(examples)} examples ({taxonomy.fingerprint}) into {out_dir}")


@main.command("evaluate")
@click.option("--labels", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True)
@MODEL_OPTION
@TAXONOMY_OPTION
@NO_LLM_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def evaluate(
    labels: Path, model: Path | None, taxonomy_file: Path | None, no_llm: bool, as_json: bool
) -> None:
    """Per-category precision, recall, F1 and support; micro/macro F1; primary issue, severity and
    sentiment accuracy; recall of critical items; per language and per source."""
    import json

    from triage_platform.lib.annotate.labels import load_labels
    from triage_platform.lib.annotate.metrics import evaluate as score

    annotator = _annotator(taxonomy_file, model, no_llm)
    examples = load_labels(labels, annotator.taxonomy)
    predictions = annotator.annotate([example.to_input() for example in examples])
    report = score(predictions, examples, annotator.taxonomy)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(report.render(title=f"{labels.name}: {len(examples)} examples"))


@main.group("model")
def model_group() -> None:
    """The model registry under TRIAGE_HOME/models: list, promote, roll back."""


def _store():
    from triage_platform.lib.annotate.registry import ModelStore

    return ModelStore(Settings.from_env().paths.models)


@model_group.command("list")
def model_list() -> None:
    """Stored versions (the live one marked with *): training-data hash, macro-F1 on the evaluation set
    and when each was last made live."""
    store = _store()
    current = store.current_version()
    for version in store.versions():
        manifest = store.manifest(version)
        evaluation = (manifest.get("metrics") or {}).get("evaluation") or {}
        macro = evaluation.get("macro_f1")
        promoted = store.promoted_at(version)
        click.echo(
            f"{'*' if version == current else ' '} {version}"
            f"  data {str(manifest.get('training_data_hash') or '')[:12]}"
            f"  macro-F1 {'-' if macro is None else f'{macro:.3f}'}"
            f"  promoted {promoted or '-'}"
        )


@model_group.command("promote")
@click.argument("version")
def model_promote(version: str) -> None:
    """Make VERSION the live model (it must load for the taxonomy in force)."""
    from triage_platform.lib.annotate.taxonomy import load_taxonomy

    _store().promote(version, load_taxonomy(Settings.from_env().taxonomy_path))
    click.echo(f"live model: {version}")


@model_group.command("rollback")
def model_rollback() -> None:
    """Go back to the model promoted before the current one."""
    from triage_platform.lib.annotate.registry import ModelStoreError

    try:
        click.echo(f"live model: {_store().rollback()}")
    except ModelStoreError as error:
        raise click.ClickException(str(error)) from error


@main.command("init")
def init() -> None:
    """Create TRIAGE_HOME and its Dagster instance (run by `make ui` before `dagster dev`)."""
    from triage_platform.runner import prepare_instance

    paths = Settings.from_env().paths
    prepare_instance(paths)
    click.echo(
        f"TRIAGE_HOME={paths.home} (Dagster instance in {paths.dagster_home}, lake: {paths.lake.display})"
    )


@main.command("status")
def status() -> None:
    """Rows per table and what is waiting in quarantine."""
    from triage_platform.lib.summary import format_summary, summarize_lake

    click.echo(format_summary(summarize_lake(Settings.from_env().paths), 0.0))


def _register_humans_commands() -> None:
    from triage_platform.cli_humans import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_register_humans_commands()

if __name__ == "__main__":
    main()
