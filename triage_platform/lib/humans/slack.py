"""Two-way Slack: lifecycle buttons on alert messages, and the interactivity endpoint's logic.

Alert messages carry an actions block (`lifecycle_buttons`): Acknowledge, Investigating and Close (Reopen
once closed), each a Block Kit button whose `action_id` is `triage_alert_<action>` and whose `value` is the
alert id. When someone presses one, Slack POSTs a signed `block_actions` payload to
`triage serve`'s `/slack/interactivity`; `SlackInteractivity.handle`:

1. rejects a request whose `X-Slack-Request-Timestamp` is more than 5 minutes from now (stale: a replay of
   an old capture), then one whose `X-Slack-Signature` does not verify against `SLACK_SIGNING_SECRET`
   (`slack_sdk.signature.SignatureVerifier`: HMAC-SHA256 of `v0:<timestamp>:<body>`);
2. rejects a request whose signature it has already accepted (a replay inside the 5 minutes);
3. identifies who pressed (`identify`): a Slack member linked to a platform user (`slack_id` in the users
   file) acts as that user and needs their role's `alert_lifecycle` permission, else the press is refused
   with 403; an unlinked member acts as `slack:<name>` (trusting the workspace), unless the app requires
   linked users (`TRIAGE_SLACK_LINKED_USERS_ONLY`), which refuses them too;
4. applies the action to the alert (`HumanActions.alert_action`, audited under that name via `slack`);
5. edits the original message (`chat.update`) to show the new state, who acted, and the next buttons.

Nothing changes for a rejected request.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from triage_platform.lib.alerts.model import Alert

ACTION_PREFIX = "triage_alert_"
MAX_SKEW_SECONDS = 300
BUTTONS: tuple[tuple[str, str, str | None], ...] = (
    ("ack", "Acknowledge", "primary"),
    ("investigate", "Investigating", None),
    ("close", "Close", "danger"),
)
STATUS_LABEL = {
    "open": "Open",
    "acknowledged": "Acknowledged",
    "investigating": "Investigating",
    "fix_deployed": "Fix deployed",
    "customer_contacted": "Customer contacted",
    "closed": "Closed",
    "reopened": "Reopened",
}


def lifecycle_buttons(alert: Alert) -> dict[str, Any]:
    """The actions block of an alert message: the lifecycle buttons that make sense in its state."""
    if alert.lifecycle_status == "closed":
        choices: tuple[tuple[str, str, str | None], ...] = (("reopen", "Reopen", None),)
    else:
        choices = tuple(b for b in BUTTONS if not (b[0] == "ack" and alert.acknowledged_at is not None))
    elements = []
    for action, text, style in choices:
        button: dict[str, Any] = {
            "type": "button",
            "action_id": f"{ACTION_PREFIX}{action}",
            "text": {"type": "plain_text", "text": text},
            "value": alert.alert_id,
        }
        if style:
            button["style"] = style
        elements.append(button)
    return {"type": "actions", "block_id": f"lifecycle:{alert.alert_id}", "elements": elements}


def status_block(alert: Alert, actor: str | None) -> dict[str, Any]:
    who = f" by {actor}" if actor else ""
    return {
        "type": "context",
        "elements": [
            {
                "type": "mrkdwn",
                "text": f"*{STATUS_LABEL.get(alert.lifecycle_status, alert.lifecycle_status)}*{who}",
            }
        ],
    }


class SlackActionRefused(Exception):
    """The Slack member who pressed may not do this (said in the 403 answer; nothing changes)."""


def workspace_name(user: Mapping[str, Any]) -> str:
    """`slack:<name>`: how an unlinked Slack member is named in the audit log."""
    return f"slack:{user.get('username') or user.get('name') or user.get('id') or 'unknown'}"


@dataclass
class Verdict:
    """The HTTP answer of the interactivity endpoint."""

    status: int
    body: dict[str, Any]


class ReplayGuard:
    """Signatures already accepted in the last `window` seconds (in memory, optionally kept in a file so a
    restart of the server does not reopen the window)."""

    def __init__(self, window: float = MAX_SKEW_SECONDS * 2, path: Path | None = None) -> None:
        self.window = window
        self.path = path
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()
        if path is not None and path.exists():
            try:
                self._seen = {k: float(v) for k, v in json.loads(path.read_text()).items()}
            except (ValueError, OSError):
                self._seen = {}

    def first_time(self, key: str, now: float) -> bool:
        """Record `key`; False when it was already seen inside the window."""
        with self._lock:
            self._seen = {k: t for k, t in self._seen.items() if now - t <= self.window}
            if key in self._seen:
                return False
            self._seen[key] = now
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(json.dumps(self._seen))
            return True


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


class SlackInteractivity:
    """Verifies and applies Slack button presses (see the module docstring)."""

    def __init__(
        self,
        signing_secret: str,
        apply: Callable[[str, str, str], Alert],
        render: Callable[[Alert], tuple[str, list[dict[str, Any]]]],
        client: WebClient | None,
        replay: ReplayGuard | None = None,
        clock: Callable[[], float] = time.time,
        identify: Callable[[Mapping[str, Any]], str] = workspace_name,
    ) -> None:
        self._verifier = SignatureVerifier(signing_secret, clock=_Clock(clock))
        self._apply = apply
        self._identify = identify
        self._render = render
        self._client = client
        self._replay = replay or ReplayGuard()
        self._clock = clock

    def handle(self, body: bytes, headers: Mapping[str, str]) -> Verdict:
        timestamp = _header(headers, "X-Slack-Request-Timestamp") or ""
        signature = _header(headers, "X-Slack-Signature") or ""
        now = self._clock()
        try:
            skew = abs(now - int(timestamp))
        except ValueError:
            return Verdict(401, {"error": "missing or invalid timestamp"})
        if skew > MAX_SKEW_SECONDS:
            return Verdict(401, {"error": "stale timestamp"})
        if not signature or not self._verifier.is_valid(body, timestamp, signature):
            return Verdict(401, {"error": "invalid signature"})
        if not self._replay.first_time(signature, now):
            return Verdict(409, {"error": "replayed request"})
        try:
            payload = json.loads(parse_qs(body.decode("utf-8")).get("payload", [""])[0])
        except (ValueError, UnicodeDecodeError):
            return Verdict(400, {"error": "no payload"})
        if payload.get("type") != "block_actions":
            return Verdict(200, {"ignored": payload.get("type")})
        try:
            actor = self._identify(payload.get("user") or {})
        except SlackActionRefused as refused:
            return Verdict(403, {"error": str(refused)})
        results = []
        for action in payload.get("actions") or []:
            action_id = str(action.get("action_id") or "")
            if not action_id.startswith(ACTION_PREFIX):
                continue
            alert = self._apply(str(action.get("value")), action_id[len(ACTION_PREFIX) :], actor)
            results.append(alert.lifecycle_status)
            self._edit_message(payload, alert, actor)
        return Verdict(200, {"ok": True, "lifecycle": results})

    def _edit_message(self, payload: Mapping[str, Any], alert: Alert, actor: str) -> None:
        if self._client is None:
            return
        container = payload.get("container") or {}
        channel = container.get("channel_id") or (payload.get("channel") or {}).get("id")
        ts = container.get("message_ts") or (payload.get("message") or {}).get("ts")
        if not channel or not ts:
            return
        text, blocks = self._render(alert)
        blocks = [*blocks, status_block(alert, actor)]
        # the state changed and is audited; a message left stale by a Slack error is cosmetic
        with contextlib.suppress(SlackApiError):
            self._client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)


class _Clock:
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


def sign(signing_secret: str, body: bytes, timestamp: int) -> str:
    """The `X-Slack-Signature` Slack would send (for tests and local tools)."""
    import hashlib
    import hmac

    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
