"""Slack interactivity against the real server: a signed button press moves the alert and edits the
message in (fake) Slack; a bad signature, a stale timestamp and a replay are rejected with nothing changed."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

from triage_platform.lib.alerts.outbox import AlertOutbox
from triage_platform.lib.alerts.sinks import SlackBotSink
from triage_platform.lib.humans.slack import sign
from triage_platform.lib.humans.tables import AuditLog
from triage_platform_tests.web.conftest import SIGNING_SECRET


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _press(channel: str, ts: str, alert_id: str, action: str, user: str = "maria") -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": "U123", "username": user},
        "container": {"type": "message", "channel_id": channel, "message_ts": ts},
        "channel": {"id": channel},
        "message": {"ts": ts},
        "actions": [{"action_id": f"triage_alert_{action}", "value": alert_id, "type": "button"}],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def _signed(body: bytes, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    stamp = int(time.time()) if timestamp is None else timestamp
    return {"X-Slack-Request-Timestamp": str(stamp), "X-Slack-Signature": sign(secret, body, stamp)}


def test_signed_button_press_moves_the_alert_and_edits_the_message_forgeries_change_nothing(web) -> None:
    outbox = AlertOutbox(web.paths.table("gold", "alerts"))
    alert = outbox.get(web.made["alert_ids"][0])
    sink = SlackBotSink(web.slack.token, base_url=web.slack.api_base_url)
    posted = sink.send(alert)
    assert posted.ok
    message = web.slack.api_messages[0]
    actions = next(b for b in message.blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "triage_alert_ack",
        "triage_alert_investigate",
        "triage_alert_close",
    ]
    assert {e["value"] for e in actions["elements"]} == {alert.alert_id}
    endpoint = f"{web.url}/slack/interactivity"
    audit = AuditLog(web.paths.table("gold", "audit_log"))

    def state() -> tuple[str, int, int]:
        return outbox.get(alert.alert_id).lifecycle_status, len(audit.all()), len(message.edits)

    body = _press(posted.channel, posted.message_id, alert.alert_id, "ack")
    forged = _signed(body, secret="not-the-signing-secret")
    assert _post(endpoint, body, forged)[0] == 401
    stale = _signed(body, timestamp=int(time.time()) - 6 * 60)
    assert _post(endpoint, body, stale) == (401, {"error": "stale timestamp"})
    tampered = _press(posted.channel, posted.message_id, alert.alert_id, "close")
    assert _post(endpoint, tampered, _signed(body))[0] == 401  # signature of another body
    assert state() == ("open", 0, 0)

    headers = _signed(body)
    status, answer = _post(endpoint, body, headers)
    assert status == 200 and answer["lifecycle"] == ["acknowledged"]
    assert state() == ("acknowledged", 1, 1)
    edit = message.edits[-1]
    assert "Acknowledged* by slack:maria" in json.dumps(edit["blocks"])
    blocks = edit["blocks"] if isinstance(edit["blocks"], list) else json.loads(edit["blocks"])
    buttons = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert [b["action_id"] for b in buttons] == ["triage_alert_investigate", "triage_alert_close"]

    assert _post(endpoint, body, headers) == (409, {"error": "replayed request"})
    assert state() == ("acknowledged", 1, 1)

    close = _press(posted.channel, posted.message_id, alert.alert_id, "close", user="joao")
    assert _post(endpoint, close, _signed(close))[0] == 200
    assert state() == ("closed", 2, 2)
    entries = audit.all()
    assert list(entries["action"]) == ["alert.acknowledged", "alert.closed"]
    assert list(entries["actor"]) == ["slack:maria", "slack:joao"] and set(entries["via"]) == {"slack"}
    assert outbox.get(alert.alert_id).closed_at is not None


def test_a_web_lifecycle_action_edits_the_delivered_slack_message(web) -> None:
    from datetime import UTC, datetime

    from triage_platform.lib.alerts.outbox import AttemptRecord
    from triage_platform_tests.web.test_security import Browser

    outbox = AlertOutbox(web.paths.table("gold", "alerts"))
    alert = outbox.get(web.made["alert_ids"][1])
    posted = SlackBotSink(web.slack.token, base_url=web.slack.api_base_url).send(alert)
    state = {"ok": True, "id": posted.message_id, "channel": posted.channel}
    outbox.record_attempt(
        alert.alert_id,
        AttemptRecord("delivered", {"slack_bot": state}, delivered_at=datetime.now(UTC)),
    )
    owner = Browser(web.url)
    owner.sign_in("olga")
    assert owner.request(f"/alerts/{alert.alert_id}/investigate", {"csrf_token": owner.csrf})[0] == 303
    message = web.slack.api_messages[0]
    assert len(message.edits) == 1 and "Investigating* by olga (web)" in json.dumps(
        message.edits[0]["blocks"]
    )
    assert outbox.get(alert.alert_id).lifecycle_status == "investigating"


def test_a_linked_slack_member_acts_as_their_user_and_their_role_is_enforced(web) -> None:
    """olga (owner) is linked to U0OLGA and vic (viewer) to U0VIC: olga's press is audited as olga with her
    role; vic's is refused with 403 and changes nothing; with linked users required, an unlinked member is
    refused too."""
    directory = web.config.users
    directory.link_slack("olga", "U0OLGA")
    directory.link_slack("vic", "U0VIC")
    outbox = AlertOutbox(web.paths.table("gold", "alerts"))
    audit = AuditLog(web.paths.table("gold", "audit_log"))
    alert_id = web.made["alert_ids"][0]
    endpoint = f"{web.url}/slack/interactivity"

    def press(member: str, action: str) -> tuple[int, dict]:
        body = _press("C1", "1700000000.000100", alert_id, action, user=member.lower())
        payload = json.loads(urllib.parse.parse_qs(body.decode())["payload"][0])
        payload["user"]["id"] = member
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return _post(endpoint, body, _signed(body))

    status, answer = press("U0VIC", "ack")
    assert status == 403 and "vic (viewer) may not change alerts" in answer["error"]
    assert outbox.get(alert_id).lifecycle_status == "open" and audit.all().empty

    assert press("U0OLGA", "ack") == (200, {"ok": True, "lifecycle": ["acknowledged"]})
    entry = audit.all().iloc[-1]
    assert (entry["actor"], entry["role"], entry["via"]) == ("olga", "owner", "slack")

    web.config.slack_linked_users_only = True  # the app reads the flag on every press
    status, answer = press("U0STRANGER", "close")
    assert status == 403 and "not linked" in answer["error"]
    assert outbox.get(alert_id).lifecycle_status == "acknowledged" and len(audit.all()) == 1
