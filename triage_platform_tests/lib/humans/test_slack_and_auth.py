"""Lifecycle buttons per state, the replay guard across restarts, password hashing and role permissions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from triage_platform.lib.alerts.messages import render_slack_blocks
from triage_platform.lib.alerts.model import Alert
from triage_platform.lib.humans.auth import AuthError, User, UserDirectory, hash_password, verify_password
from triage_platform.lib.humans.slack import ReplayGuard, lifecycle_buttons

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _alert(**extra: object) -> Alert:
    return Alert(kind="review", dedupe_key="review|x", window_start=NOW, title="x", **extra).with_id()


def test_buttons_follow_the_lifecycle() -> None:
    ids = lambda alert: [e["action_id"] for e in lifecycle_buttons(alert)["elements"]]  # noqa: E731
    assert ids(_alert()) == ["triage_alert_ack", "triage_alert_investigate", "triage_alert_close"]
    assert ids(_alert(lifecycle_status="acknowledged", acknowledged_at=NOW)) == [
        "triage_alert_investigate",
        "triage_alert_close",
    ]
    assert ids(_alert(lifecycle_status="closed", closed_at=NOW)) == ["triage_alert_reopen"]
    assert render_slack_blocks(_alert())[-1]["type"] == "actions"
    digest = Alert(kind="digest", dedupe_key="digest|x", window_start=NOW, title="d").with_id()
    assert all(b["type"] != "actions" for b in render_slack_blocks(digest))


def test_replay_guard_remembers_signatures_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "replay.json"
    guard = ReplayGuard(window=600, path=path)
    assert guard.first_time("v0=abc", now=1000.0)
    assert not guard.first_time("v0=abc", now=1100.0)
    restarted = ReplayGuard(window=600, path=path)
    assert not restarted.first_time("v0=abc", now=1200.0)
    assert restarted.first_time(
        "v0=abc", now=1700.0
    )  # outside the window: the timestamp check rejects it anyway


def test_passwords_are_salted_scrypt_hashes_and_roles_gate_permissions(tmp_path: Path) -> None:
    first, second = hash_password("pw"), hash_password("pw")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("pw", first) and not verify_password("PW", first)
    assert not verify_password("pw", "md5$whatever") and not verify_password("pw", "garbage")
    labeler = User("leo", "labeler", first)
    assert labeler.can("label") and not labeler.can("view_pii") and not labeler.can("manage_users")
    assert User("ana", "admin", first).can("view_pii")
    assert not User("vic", "viewer", first).can("label")
    bad = tmp_path / "users.yaml"
    bad.write_text("users:\n  - username: x\n    role: emperor\n    password_hash: h\n")
    with pytest.raises(AuthError, match="unknown role"):
        UserDirectory(bad).users()
    directory = UserDirectory(tmp_path / "ok.yaml")
    directory.add("leo", "pw", "labeler")
    with pytest.raises(AuthError, match="unknown role"):
        directory.set_role("leo", "emperor")
    assert directory.set_role("leo", "owner")[1].role == "owner"


def test_a_user_is_linked_to_one_slack_member_and_keeps_it_across_changes(tmp_path: Path) -> None:
    directory = UserDirectory(tmp_path / "users.yaml")
    directory.add("olga", "pw", "owner")
    directory.add("vic", "pw", "viewer")
    assert directory.link_slack("olga", "U0OLGA").slack_id == "U0OLGA"
    assert directory.by_slack_id("U0OLGA").username == "olga" and directory.by_slack_id("U0NOBODY") is None
    with pytest.raises(AuthError, match="already linked to 'olga'"):
        directory.link_slack("vic", "U0OLGA")
    with pytest.raises(AuthError, match="no user"):
        directory.link_slack("ghost", "U0GHOST")
    directory.set_role("olga", "admin")
    directory.add("olga", "new-pw", "admin")  # a password reset keeps the link
    assert UserDirectory(tmp_path / "users.yaml").get("olga").slack_id == "U0OLGA"  # written to the file
    directory.link_slack("olga", None)
    assert directory.by_slack_id("U0OLGA") is None
