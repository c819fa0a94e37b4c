"""`triage serve`, `triage alert ...`, `triage labels ...`, `triage users ...`: the humans-in-the-loop
commands (registered on the main `triage` group by `cli.py`)."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path

import click

from triage_platform.settings import Settings


def _actions():
    from triage_platform.lib.annotate.taxonomy import load_taxonomy
    from triage_platform.lib.humans.actions import HumanActions
    from triage_platform.lib.humans.auth import UserDirectory, users_file

    settings = Settings.from_env()
    return HumanActions(
        settings.paths, load_taxonomy(settings.taxonomy_path), UserDirectory(users_file(settings.paths.home))
    )


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the review queue, labeling backlog, alert board and Slack interactivity endpoint.

    Users and roles: TRIAGE_USERS_FILE (default TRIAGE_HOME/users.yaml; add users with `triage users add`).
    Session cookies are signed with TRIAGE_SECRET_KEY; Slack buttons need SLACK_SIGNING_SECRET (and
    SLACK_BOT_TOKEN to edit the message)."""
    import uvicorn

    from triage_platform.web.app import WebConfig, create_app

    config = WebConfig.from_env()
    if not config.users.users():
        click.echo(
            f"warning: no users in {config.users.path}; add one with `triage users add NAME --role admin`"
        )
    click.echo(f"triage serve on http://{host}:{port} (TRIAGE_HOME={config.paths.home})")
    uvicorn.run(create_app(config), host=host, port=port, log_level="info", proxy_headers=False)


# --------------------------------------------------------------------------------------------- alerts


@click.group("alert")
def alert_group() -> None:
    """Alert lifecycle in gold/alerts: list, ack, investigate, fix-deployed, contacted, close, reopen."""


@alert_group.command("list")
@click.option("--state", default=None, help="Only alerts in this lifecycle state.")
@click.option("--owner", default=None)
@click.option("--all", "show_all", is_flag=True, help="Include digests, check and run-failure alerts.")
def alert_list(state: str | None, owner: str | None, show_all: bool) -> None:
    """Alerts, most urgent first: id, priority, state, owner, count, title."""
    from triage_platform.lib.alerts.model import PRIORITY_RANK

    alerts = [a for a in _actions().outbox.alerts() if not a.followup_of]
    if not show_all:
        alerts = [a for a in alerts if a.kind in ("review", "spike")]
    if state:
        alerts = [a for a in alerts if a.lifecycle_status == state]
    if owner:
        alerts = [a for a in alerts if a.owner == owner]
    alerts.sort(key=lambda a: (-PRIORITY_RANK[a.priority], a.created_at or datetime.min.replace(tzinfo=UTC)))
    for a in alerts:
        click.echo(
            f"{a.alert_id}  {a.priority:<8} {a.lifecycle_status:<18} {a.owner or '-':<18} "
            f"{a.review_count:>4}  {a.title}"
        )
    click.echo(f"{len(alerts)} alerts")


def _lifecycle_command(action: str, help_text: str) -> click.Command:
    @click.command(action, help=help_text)
    @click.argument("alert_id")
    @click.option("--by", "by", default=None, help="Who acts (default: $USER).")
    def command(alert_id: str, by: str | None) -> None:
        from triage_platform.lib.humans.actions import ActionError, Actor

        actor = Actor(by or getpass.getuser(), None, "cli")
        try:
            alert = _actions().alert_action(alert_id, action, actor)
        except ActionError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"{alert.alert_id}: {alert.lifecycle_status} (by {actor.name})")

    return command


for _action, _help in (
    ("ack", "Acknowledge an alert: someone owns it now."),
    ("investigate", "Mark an alert as being investigated."),
    ("fix-deployed", "Mark that a fix for the alert's cause is deployed."),
    ("contacted", "Mark that affected customers were contacted."),
    ("close", "Close an alert."),
    ("reopen", "Reopen a closed alert."),
):
    alert_group.add_command(_lifecycle_command(_action, _help))


# --------------------------------------------------------------------------------------------- labels


LABEL_FORMATS = ("label-studio", "argilla")
"""The labeling tools `triage labels export|import` speak (lib/humans/label_studio.py, argilla.py)."""


def _argilla_users(pairs: tuple[str, ...]) -> dict[str, str]:
    users = {}
    for pair in pairs:
        name, sep, user_id = pair.partition("=")
        if not sep or not name or not user_id:
            raise click.BadParameter(f"{pair!r}: expected NAME=ARGILLA_USER_ID", param_hint="--argilla-user")
        users[name] = user_id
    return users


ARGILLA_USER_OPTION = click.option(
    "--argilla-user",
    "argilla_users",
    multiple=True,
    metavar="NAME=ARGILLA_USER_ID",
    help="Argilla only: the Argilla user id (UUID) of a platform annotator (repeatable). Responses are "
    "exported under it, and answers of that Argilla user are imported as NAME.",
)


@click.group("labels")
def labels_group() -> None:
    """Human labels (gold/labels): export to and import from Label Studio or Argilla."""


@labels_group.command("export")
@click.option("--format", "fmt", type=click.Choice(LABEL_FORMATS), default="label-studio", show_default=True)
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option(
    "--pending/--no-pending",
    default=True,
    show_default=True,
    help="Also export unlabeled queue and backlog items as tasks/records with predictions.",
)
@click.option(
    "--config",
    "config_out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the Label Studio labeling interface (XML) / the Argilla dataset settings (JSON; "
    "for Argilla always written, by default next to --out as NAME.settings.json).",
)
@ARGILLA_USER_OPTION
def labels_export(
    fmt: str, out: Path, pending: bool, config_out: Path | None, argilla_users: tuple[str, ...]
) -> None:
    """Write Label Studio JSON tasks (labels as annotations, model output as predictions) or Argilla 2.x
    records (labels as responses, model output as suggestions) and the Argilla dataset settings."""
    import pandas as pd

    from triage_platform.lib.delta import read_table
    from triage_platform.lib.humans import argilla, label_studio
    from triage_platform.lib.humans.queue import (
        build_labeling_backlog,
        build_review_queue,
        second_opinion_categories,
    )
    from triage_platform.lib.transform.gold import GOLD_REVIEWS_SCHEMA

    actions = _actions()
    labels = actions.labels.all()
    waiting = None
    if pending:
        gold = read_table(actions.paths.table("gold", "reviews"), GOLD_REVIEWS_SCHEMA)
        second = second_opinion_categories(actions.taxonomy)
        waiting = pd.concat(
            [
                build_review_queue(gold, labels, second),
                build_labeling_backlog(gold, labels, second_opinion=second),
            ]
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "argilla":
        items = argilla.export_records(labels, waiting, _argilla_users(argilla_users))
        labeled = sum(1 for r in items if r["responses"])
        config_out = config_out or out.with_name(f"{out.stem}.settings.json")
        config_text = json.dumps(argilla.dataset_settings(actions.taxonomy), ensure_ascii=False, indent=1)
        kind, done = "records", "responses"
    else:
        items = label_studio.export_tasks(labels, waiting)
        labeled = sum(1 for t in items if t["annotations"])
        config_text = label_studio.labeling_config(actions.taxonomy)
        kind, done = "tasks", "annotations"
    out.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    if config_out is not None:
        config_out.write_text(config_text, encoding="utf-8")
        click.echo(f"Wrote the {fmt} settings to {config_out}")
    click.echo(f"Wrote {len(items)} {kind} ({labeled} with {done}, {len(labels)} labels) to {out}")


@labels_group.command("import")
@click.option("--format", "fmt", type=click.Choice(LABEL_FORMATS), default="label-studio", show_default=True)
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--by", "by", default=None, help="Who imports (audit log; default: $USER).")
@ARGILLA_USER_OPTION
def labels_import(fmt: str, path: Path, by: str | None, argilla_users: tuple[str, ...]) -> None:
    """Read Label Studio tasks or Argilla records and append their labels to gold/labels (known ones are
    skipped). An invalid label is refused with its reason and the rest is imported; the exit code is then
    1."""
    from triage_platform.lib.humans import argilla, label_studio
    from triage_platform.lib.humans.actions import Actor

    actions = _actions()
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
        if fmt == "argilla":
            result = argilla.read_records(items, actions.taxonomy, _argilla_users(argilla_users))
        else:
            result = label_studio.read_tasks(items, actions.taxonomy)
    except (json.JSONDecodeError, argilla.ArgillaError, label_studio.LabelStudioError) as error:
        raise click.ClickException(f"{path}: {error}") from error
    added = actions.import_labels(result.rows, Actor(by or getpass.getuser(), None, fmt))
    click.echo(
        f"Read {len(result.rows)} labels from {path}: {added} new labels, "
        f"{len(result.rows) - added} already known, {len(result.refused)} refused"
    )
    for refusal in result.refused:
        click.echo(f"refused {refusal}", err=True)
    if result.refused:
        raise SystemExit(1)


@labels_group.command("reopen")
@click.argument("review_key")
@click.option("--by", "by", default=None, help="Who reopens (audit log; default: $USER).")
def labels_reopen(review_key: str, by: str | None) -> None:
    """Send a labeled review back to its queue: earlier labels no longer count toward it."""
    from triage_platform.lib.humans.actions import ActionError, Actor

    try:
        _actions().reopen(review_key, Actor(by or getpass.getuser(), None, "cli"))
    except ActionError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{review_key}: back in its queue")


# --------------------------------------------------------------------------------------------- users


@click.group("users")
def users_group() -> None:
    """Users and roles of `triage serve` (TRIAGE_USERS_FILE, default TRIAGE_HOME/users.yaml)."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["viewer", "labeler", "owner", "admin"]), required=True)
@click.option(
    "--password",
    default=None,
    help="Default: prompted (or TRIAGE_NEW_PASSWORD).",
    envvar="TRIAGE_NEW_PASSWORD",
)
def users_add(username: str, role: str, password: str | None) -> None:
    """Add or replace a user (the password is stored as a scrypt hash)."""
    from triage_platform.lib.humans.auth import UserDirectory, users_file

    password = password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    directory = UserDirectory(users_file(Settings.from_env().paths.home))
    directory.add(username, password, role)
    click.echo(f"{username} ({role}) saved in {directory.path}")


@users_group.command("list")
def users_list() -> None:
    """Users, roles and linked Slack member ids."""
    from triage_platform.lib.humans.auth import UserDirectory, users_file

    for user in UserDirectory(users_file(Settings.from_env().paths.home)).users().values():
        click.echo(f"{user.username}\t{user.role}\t{user.slack_id or '-'}")


@users_group.command("link-slack")
@click.argument("username")
@click.argument("slack_id", required=False)
def users_link_slack(username: str, slack_id: str | None) -> None:
    """Link USERNAME to their Slack member id (U...), so their Slack button presses act as them with
    their role; without SLACK_ID the link is removed."""
    from triage_platform.lib.humans.auth import AuthError, UserDirectory, users_file

    try:
        user = UserDirectory(users_file(Settings.from_env().paths.home)).link_slack(username, slack_id)
    except AuthError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{user.username}: Slack {user.slack_id or 'unlinked'}")


COMMANDS = (serve, alert_group, labels_group, users_group)
