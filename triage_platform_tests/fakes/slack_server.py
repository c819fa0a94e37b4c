"""A real HTTP server that speaks enough of Slack (Web API and incoming webhooks) and of a Teams incoming
webhook for tests.

It listens on 127.0.0.1 (a free port) in a background thread, so tests drive the real `slack_sdk` clients
(`WebClient(base_url=server.api_base_url)`, `WebhookClient(server.webhook_url)`) over real sockets:
timeouts, headers and status codes are real.

- Web API `POST /api/<method>` (form or JSON bodies, query parameters too), bearer token (or `token`
  parameter) checked: `auth.test`, `chat.postMessage`, `chat.update`, `conversations.list`,
  `conversations.history` (with message `metadata` when `include_all_metadata`). Answers
  `{"ok": true, ...}` or `{"ok": false, "error": ...}` like Slack (HTTP 200). Channels are addressed by
  name (`#triage-x` or `triage-x`) or by the id the server gives them (`C` + 8 hex, stable per name).
- Incoming webhook `POST /services/T000/B000/XXX` → `ok` (other `/services/...` paths: 404 `no_service`).
- Teams-like webhook `POST /teams/<anything>` → `1`.

Behaviours: `Ok`, `ServerError(status, html)`, `RateLimited(retry_after)`, `SlackError(error)` (e.g.
`channel_not_found`), `Delay(seconds, then, accept_first)` (an answer later than the client's timeout; by
default the message is posted first, as when Slack accepts but the response is lost) and `Hang(seconds)`
(a lost request: nothing posted, a late 504).

Behaviour is scripted: `server.script([ServerError(), RateLimited(retry_after=1), Ok()], target=...)`
queues one behaviour per coming request of that target (`"api"`, a Web API method such as
`"chat.postMessage"`, `"webhook"`, `"teams"`, or None for any request); when nothing is queued a request
is answered normally. Accepted messages are recorded in `server.messages`; every request in
`server.requests`.

    with FakeSlackServer(token="xoxb-test") as slack:
        slack.script([ServerError(), Delay(2.0)], target="chat.postMessage")
        ...
        assert [m.text for m in slack.messages_in("#triage-logistics")] == [...]
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from triage_platform_tests.fakes.loopback import LoopbackServer

WEBHOOK_PATH = "/services/T000/B000/XXX"
TEAMS_PREFIX = "/teams/"
API_PREFIX = "/api/"
CHANNEL_ID = re.compile(r"^C[0-9A-F]{8}$")
ALERT_ID_IN_TEXT = re.compile(r"alert `?([0-9a-f]{32})")


# ------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received."""

    method: str
    path: str
    target: str
    """`api`, `webhook`, `teams` or `unknown`."""
    api_method: str | None
    headers: dict[str, str]
    params: dict[str, Any]
    """Query + form/JSON parameters merged (JSON values kept as parsed)."""
    raw_body: bytes
    received_at: float


@dataclass
class SlackMessage:
    """A message the server accepted (a Web API post, a webhook post or a Teams post)."""

    via: str
    """`api`, `webhook` or `teams`."""
    channel: str | None
    channel_name: str | None
    ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    metadata: dict[str, Any] | None
    payload: dict[str, Any]
    thread_ts: str | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)

    @property
    def alert_id(self) -> str | None:
        """The alert id the platform stamps in Slack metadata (or in the text: `alert <id>`)."""
        payload = (self.metadata or {}).get("event_payload") or {}
        if payload.get("alert_id"):
            return payload["alert_id"]
        match = ALERT_ID_IN_TEXT.search(json.dumps(self.payload))
        if match:
            return match.group(1)
        return None


# ------------------------------------------------------------------------------------------- behaviours


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Behaviour:
    """How the server answers one request."""

    def respond(self, request: RecordedRequest, server: FakeSlackServer) -> Reply:  # pragma: no cover
        raise NotImplementedError


@dataclass
class Ok(Behaviour):
    """Answer normally (post, record, reply ok)."""

    def respond(self, request: RecordedRequest, server: FakeSlackServer) -> Reply:
        return server._handle(request)


@dataclass
class ServerError(Behaviour):
    """A 5xx; JSON `{"ok": false, "error": "internal_error"}` for the Web API, text otherwise (or an HTML
    page with `html=True`, like a proxy in front of Slack)."""

    status: int = 500
    html: bool = False

    def respond(self, request: RecordedRequest, server: FakeSlackServer) -> Reply:
        if self.html:
            return Reply(self.status, "<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"})
        if request.target == "api":
            return Reply(self.status, {"ok": False, "error": "internal_error"})
        return Reply(self.status, "internal_error")


@dataclass
class RateLimited(Behaviour):
    """429 with `Retry-After` seconds (`{"ok": false, "error": "ratelimited"}` for the Web API)."""

    retry_after: float | int | str = 1

    def respond(self, request: RecordedRequest, server: FakeSlackServer) -> Reply:
        body: Any = {"ok": False, "error": "ratelimited"} if request.target == "api" else "rate_limited"
        return Reply(429, body, {"Retry-After": str(self.retry_after)})


WEBHOOK_ERROR_STATUS = {
    "channel_not_found": 404,
    "no_service": 404,
    "channel_is_archived": 410,
    "action_prohibited": 403,
    "invalid_token": 403,
    "invalid_payload": 400,
    "no_text": 400,
}
"""HTTP status Slack uses for an incoming-webhook error."""


@dataclass
class SlackError(Behaviour):
    """A Slack error: HTTP 200 `{"ok": false, "error": <error>}` for the Web API; for webhooks the status
    Slack uses for it (404 `channel_not_found`/`no_service`, 410 `channel_is_archived`, 403, 400 ...)."""

    error: str = "channel_not_found"
    status: int | None = None

    def respond(self, request: RecordedRequest, server: FakeSlackServer) -> Reply:
        if request.target == "api":
            return Reply(self.status or 200, {"ok": False, "error": self.error})
        return Reply(self.status or WEBHOOK_ERROR_STATUS.get(self.error, 400), self.error)


@dataclass
class Delay(Behaviour):
    """Answer with `then` after `seconds` (longer than the client's timeout: a timeout).

    With `accept_first` (the default) the request is processed *before* waiting: the message is posted and
    recorded, only the answer is late, which is the case that makes a naive retry post twice. With
    `accept_first=False` the server waits, then processes: the message appears late, after the client gave
    up (a retry in between may legitimately produce a second message). Use `Hang` for a request that is
    lost without being processed."""

    seconds: float
    then: Behaviour = field(default_factory=Ok)
    accept_first: bool = True

    def respond(self, request: RecordedRequest, server: FakeSlackServer) -> Reply:
        if self.accept_first:
            reply = self.then.respond(request, server)
            server._closing.wait(self.seconds)
            return reply
        server._closing.wait(self.seconds)
        return self.then.respond(request, server)


@dataclass
class Hang(Behaviour):
    """Wait `seconds`, then answer 504 without processing anything (the request is lost: nothing posted)."""

    seconds: float

    def respond(self, request: RecordedRequest, server: FakeSlackServer) -> Reply:
        server._closing.wait(self.seconds)
        return Reply(504, {"ok": False, "error": "request_timeout"} if request.target == "api" else "timeout")


# ------------------------------------------------------------------------------------------- server


def channel_id(name: str) -> str:
    """The stable id the fake gives a channel name (`#triage-x` and `triage-x` are the same channel)."""
    return "C" + hashlib.sha1(name.lstrip("#").encode("utf-8")).hexdigest()[:8].upper()


class FakeSlackServer(LoopbackServer):
    """Slack Web API + incoming webhook + Teams-like webhook on 127.0.0.1; a context manager.

    - `url` (`http://127.0.0.1:<port>`), `api_base_url` (`url + "/api/"`), `webhook_url`, `teams_url`;
    - `script(behaviours, target=None)`: queue behaviours for the next requests of a target;
    - `messages`: accepted messages in order (`api_messages`, `webhook_messages`, `teams_messages`,
      `messages_in(channel)`); `requests`: everything received.
    - `channels`: if given, the only channel names that exist (others → `channel_not_found`); by default
      every channel exists.
    """

    def __init__(self, token: str = "xoxb-fake-test-token", channels: Sequence[str] | None = None) -> None:
        super().__init__()
        self.token = token
        self.known_channels: set[str] | None = (
            {c.lstrip("#") for c in channels} if channels is not None else None
        )
        self.messages: list[SlackMessage] = []
        self.requests: list[RecordedRequest] = []
        self._queues: dict[str | None, deque[Behaviour]] = {}
        self._lock = threading.RLock()
        self._ts = itertools.count(1)
        self._channel_names: dict[str, str] = {}

    thread_name = "fake-slack"

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _make_handler(self)

    @property
    def api_base_url(self) -> str:
        return f"{self.url}{API_PREFIX}"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}{WEBHOOK_PATH}"

    @property
    def teams_url(self) -> str:
        return f"{self.url}{TEAMS_PREFIX}webhookb2/fake-tenant/IncomingWebhook/abc123/secret-teams-key"

    # scripting and inspection
    def script(self, behaviours: Sequence[Behaviour], target: str | None = None) -> FakeSlackServer:
        """Queue behaviours for the next requests to `target` (`api`, a Web API method, `webhook`, `teams`,
        or None for whatever comes), appended to what is still queued."""
        with self._lock:
            self._queues.setdefault(target, deque()).extend(behaviours)
        return self

    def pending_script(self, target: str | None = None) -> int:
        with self._lock:
            return len(self._queues.get(target, ()))

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.requests.clear()
            self._queues.clear()

    @property
    def api_messages(self) -> list[SlackMessage]:
        return [m for m in self.messages if m.via == "api"]

    @property
    def webhook_messages(self) -> list[SlackMessage]:
        return [m for m in self.messages if m.via == "webhook"]

    @property
    def teams_messages(self) -> list[SlackMessage]:
        return [m for m in self.messages if m.via == "teams"]

    def messages_in(self, channel: str) -> list[SlackMessage]:
        wanted = channel if CHANNEL_ID.match(channel) else channel_id(channel)
        return [m for m in self.api_messages if m.channel == wanted]

    def requests_to(self, api_method: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.api_method == api_method]

    # ------------------------------------------------------------------ dispatch

    def _next_behaviour(self, request: RecordedRequest) -> Behaviour:
        with self._lock:
            order: list[str | None] = []
            if request.api_method:
                order.append(request.api_method)
            order += [request.target, None]
            for target in order:
                queue = self._queues.get(target)
                if queue:
                    return queue.popleft()
        return Ok()

    def _resolve_channel(self, value: str | None) -> tuple[str | None, str | None]:
        """(id, name) of a channel given by name or id; (None, None) when it does not exist."""
        if not value:
            return None, None
        with self._lock:
            if value in self._channel_names:
                return value, self._channel_names[value]
            name = value.lstrip("#")
            if self.known_channels is not None and name not in self.known_channels:
                return None, None
            cid = channel_id(name)
            self._channel_names[cid] = name
            return cid, name

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _handle(self, request: RecordedRequest) -> Reply:
        if request.target == "webhook":
            return self._webhook(request)
        if request.target == "teams":
            return self._teams(request)
        if request.target == "api":
            return self._api(request)
        return Reply(404, "not_found")

    def _webhook(self, request: RecordedRequest) -> Reply:
        if request.path != WEBHOOK_PATH:
            return Reply(404, "no_service")
        payload = request.params
        if not isinstance(payload, dict) or "__invalid__" in payload:
            return Reply(400, "invalid_payload")
        if not payload.get("text") and not payload.get("blocks"):
            return Reply(400, "no_text")
        self._record("webhook", None, None, payload)
        return Reply(200, "ok")

    def _teams(self, request: RecordedRequest) -> Reply:
        payload = request.params
        if not isinstance(payload, dict) or "__invalid__" in payload:
            return Reply(400, "Invalid webhook request - Invalid JSON")
        self._record("teams", None, None, payload)
        return Reply(200, "1")

    def _api(self, request: RecordedRequest) -> Reply:
        params = request.params
        auth = request.headers.get("authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else params.get("token")
        if not token:
            return Reply(200, {"ok": False, "error": "not_authed"})
        if token != self.token:
            return Reply(200, {"ok": False, "error": "invalid_auth"})
        method = request.api_method
        if method == "auth.test":
            return Reply(
                200,
                {
                    "ok": True,
                    "url": f"{self.url}/",
                    "team": "Fake",
                    "user": "triage-bot",
                    "team_id": "T000",
                    "user_id": "U000",
                    "bot_id": "B000",
                },
            )
        if method == "chat.postMessage":
            cid, name = self._resolve_channel(params.get("channel"))
            if cid is None:
                return Reply(200, {"ok": False, "error": "channel_not_found"})
            if not params.get("text") and not params.get("blocks"):
                return Reply(200, {"ok": False, "error": "no_text"})
            message = self._record("api", cid, name, params)
            return Reply(
                200,
                {
                    "ok": True,
                    "channel": cid,
                    "ts": message.ts,
                    "message": {"type": "message", "text": message.text, "ts": message.ts, "bot_id": "B000"},
                },
            )
        if method == "chat.update":
            cid, _ = self._resolve_channel(params.get("channel"))
            with self._lock:
                found = next(
                    (m for m in self.api_messages if m.channel == cid and m.ts == params.get("ts")), None
                )
                if found is None:
                    return Reply(200, {"ok": False, "error": "message_not_found"})
                found.edits.append(dict(params))
                if params.get("text") is not None:
                    found.text = params.get("text")
                if params.get("blocks") is not None:
                    found.blocks = _json_value(params.get("blocks"))
            return Reply(200, {"ok": True, "channel": cid, "ts": found.ts, "text": found.text})
        if method == "conversations.list":
            with self._lock:
                names = set(self._channel_names.values()) | (self.known_channels or set())
            channels = [{"id": channel_id(n), "name": n, "is_channel": True} for n in sorted(names)]
            return Reply(200, {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}})
        if method == "conversations.history":
            cid, _ = self._resolve_channel(params.get("channel"))
            if cid is None or not CHANNEL_ID.match(str(params.get("channel", ""))):
                return Reply(200, {"ok": False, "error": "channel_not_found"})
            oldest = float(params.get("oldest") or 0)
            with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
            with self._lock:
                found = [m for m in self.api_messages if m.channel == cid and float(m.ts) >= oldest]
            messages = []
            for m in reversed(found):  # newest first, like Slack
                item: dict[str, Any] = {"type": "message", "ts": m.ts, "text": m.text, "bot_id": "B000"}
                if with_metadata and m.metadata:
                    item["metadata"] = m.metadata
                messages.append(item)
            return Reply(
                200,
                {
                    "ok": True,
                    "messages": messages,
                    "has_more": False,
                    "response_metadata": {"next_cursor": ""},
                },
            )
        return Reply(200, {"ok": False, "error": "unknown_method"})

    def _record(self, via: str, cid: str | None, name: str | None, payload: dict[str, Any]) -> SlackMessage:
        metadata = _json_value(payload.get("metadata"))
        blocks = _json_value(payload.get("blocks"))
        with self._lock:
            message = SlackMessage(
                via=via,
                channel=cid,
                channel_name=name,
                ts=self._next_ts(),
                text=payload.get("text") if via != "teams" else payload.get("summary"),
                blocks=blocks if isinstance(blocks, list) else None,
                metadata=metadata if isinstance(metadata, dict) else None,
                payload=dict(payload),
                thread_ts=payload.get("thread_ts"),
            )
            self.messages.append(message)
        return message


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _target_of(path: str) -> tuple[str, str | None]:
    if path.startswith(API_PREFIX):
        return "api", path[len(API_PREFIX) :] or None
    if path.startswith("/services/"):
        return "webhook", None
    if path.startswith(TEAMS_PREFIX):
        return "teams", None
    return "unknown", None


def _parse_params(query: str, content_type: str, raw: bytes) -> dict[str, Any]:
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if not raw:
        return params
    if "json" in content_type or raw.lstrip()[:1] in (b"{", b"["):
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return {**params, "__invalid__": True}
        if isinstance(body, dict):
            params.update(body)
        else:
            params["__invalid__"] = True
        return params
    form = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
    params.update({k: v[-1] for k, v in form.items()})
    return params


def _make_handler(server: FakeSlackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            target, api_method = _target_of(parts.path)
            request = RecordedRequest(
                method=self.command,
                path=parts.path,
                target=target,
                api_method=api_method,
                headers={k.lower(): v for k, v in self.headers.items()},
                params=_parse_params(parts.query, self.headers.get("Content-Type", ""), raw),
                raw_body=raw,
                received_at=time.monotonic(),
            )
            with server._lock:
                server.requests.append(request)
            if self.command != "POST" and target != "unknown":
                reply = Reply(405, "method_not_allowed")
            else:
                reply = server._next_behaviour(request).respond(request, server)
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            if isinstance(reply.body, dict | list):
                data = json.dumps(reply.body).encode("utf-8")
                content_type = "application/json; charset=utf-8"
            else:
                data = str(reply.body if reply.body is not None else "").encode("utf-8")
                content_type = "text/plain; charset=utf-8"
            headers = {"Content-Type": content_type, **reply.headers}
            try:
                self.send_response(reply.status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                pass

    return Handler
