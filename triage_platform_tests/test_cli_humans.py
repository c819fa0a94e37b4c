"""`triage alert ...` and `triage users ...`: the lifecycle from the command line, audited."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from triage_platform.cli import main
from triage_platform.lib.alerts.outbox import AlertOutbox
from triage_platform.lib.humans.auth import UserDirectory
from triage_platform.lib.humans.tables import AuditLog
from triage_platform.lib.paths import TriagePaths
from triage_platform_tests.humans_lake import write_tiny_lake


def test_alert_lifecycle_from_the_cli(triage_home: Path) -> None:
    paths = TriagePaths(triage_home)
    made = write_tiny_lake(paths, with_users=False)
    alert_id = made["alert_ids"][0]
    runner = CliRunner()
    listed = runner.invoke(main, ["alert", "list"])
    assert listed.exit_code == 0 and alert_id in listed.output and "2 alerts" in listed.output
    steps = ["ack", "investigate", "fix-deployed", "contacted", "close", "reopen"]
    for step in steps:
        result = runner.invoke(main, ["alert", step, alert_id, "--by", "olga"])
        assert result.exit_code == 0, result.output
    alert = AlertOutbox(paths.table("gold", "alerts")).get(alert_id)
    assert alert.lifecycle_status == "reopened" and alert.closed_at is None
    assert (
        alert.acknowledged_at
        and alert.investigating_at
        and alert.fix_deployed_at
        and alert.customer_contacted_at
    )
    audit = AuditLog(paths.table("gold", "audit_log")).all()
    assert list(audit["action"]) == [
        "alert.acknowledged",
        "alert.investigating",
        "alert.fix_deployed",
        "alert.customer_contacted",
        "alert.closed",
        "alert.reopened",
    ]
    assert set(audit["actor"]) == {"olga"} and set(audit["via"]) == {"cli"}
    assert '"lifecycle_status": "closed"' in audit.iloc[-1]["before_json"]
    assert runner.invoke(main, ["alert", "list", "--state", "reopened"]).output.count(alert_id) == 1
    missing = runner.invoke(main, ["alert", "ack", "0" * 32])
    assert missing.exit_code != 0 and "no alert" in missing.output


def test_labels_reopen_from_the_cli(triage_home: Path) -> None:
    paths = TriagePaths(triage_home)
    write_tiny_lake(paths, with_alerts=False, with_users=False)
    result = CliRunner().invoke(main, ["labels", "reopen", "r-q2", "--by", "olga"])
    assert result.exit_code == 0 and "back in its queue" in result.output
    assert AuditLog(paths.table("gold", "audit_log")).reopened().keys() == {"r-q2"}
    assert CliRunner().invoke(main, ["labels", "reopen", "nope"]).exit_code != 0


def test_users_add_stores_a_hash_not_the_password(triage_home: Path) -> None:
    result = CliRunner().invoke(main, ["users", "add", "ana", "--role", "admin", "--password", "s3cret-pass"])
    assert result.exit_code == 0, result.output
    text = (triage_home / "users.yaml").read_text()
    assert "s3cret-pass" not in text and "scrypt$" in text
    directory = UserDirectory(triage_home / "users.yaml")
    assert directory.authenticate("ana", "s3cret-pass").role == "admin"
    assert directory.authenticate("ana", "wrong") is None and directory.authenticate("bob", "x") is None


def test_users_link_slack_links_lists_and_refuses_unknown_users(triage_home: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["users", "add", "olga", "--role", "owner", "--password", "pw"]).exit_code == 0
    result = runner.invoke(main, ["users", "link-slack", "olga", "U0OLGA"])
    assert result.exit_code == 0 and "olga: Slack U0OLGA" in result.output
    assert "olga\towner\tU0OLGA" in runner.invoke(main, ["users", "list"]).output
    assert UserDirectory(triage_home / "users.yaml").by_slack_id("U0OLGA").username == "olga"
    missing = runner.invoke(main, ["users", "link-slack", "ghost", "U0GHOST"])
    assert missing.exit_code != 0 and "no user 'ghost'" in missing.output
    assert "olga: Slack unlinked" in runner.invoke(main, ["users", "link-slack", "olga"]).output
