"""`triage`: the operations of the Dagster UI for scripts and cron."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage_platform.settings import Settings


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
def run(landing: Path | None) -> None:
    """Process everything in the landing zone now, through the whole graph, then exit."""
    from triage_platform.lib.summary import format_summary, summarize_lake
    from triage_platform.runner import prepare_instance, run_available_now

    settings = Settings.from_env()
    instance = prepare_instance(settings.paths)
    click.echo(f"TRIAGE_HOME={settings.paths.home}")
    report = run_available_now(settings, instance, landing, progress=click.echo)
    plan = report.plan
    click.echo(
        f"Discovered {len(plan.registered)} new file versions touching {len(plan.days)} day partitions."
    )
    click.echo(format_summary(summarize_lake(settings.paths), report.seconds, len(report.failed_days)))
    if report.delivery is not None:
        click.echo(f"Alert delivery this run: {report.delivery.summary()}")
    click.echo(
        "\nOpen the Dagster UI on this instance and data: `make ui`, then http://127.0.0.1:3000 "
        f"(or: DAGSTER_HOME={settings.paths.dagster_home} dagster dev -w workspace.yaml)."
    )
    if report.failed_days:
        sys.exit(1)


@main.command("init")
def init() -> None:
    """Create TRIAGE_HOME and its Dagster instance (run by `make ui` before `dagster dev`)."""
    from triage_platform.runner import prepare_instance

    paths = Settings.from_env().paths
    prepare_instance(paths)
    click.echo(f"TRIAGE_HOME={paths.home} (Dagster instance in {paths.dagster_home})")


@main.command("status")
def status() -> None:
    """Rows per table and what is waiting in quarantine."""
    from triage_platform.lib.summary import format_summary, summarize_lake

    click.echo(format_summary(summarize_lake(Settings.from_env().paths), 0.0))


if __name__ == "__main__":
    main()
