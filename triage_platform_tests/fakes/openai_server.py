"""A real HTTP server that speaks OpenAI's chat-completions wire protocol, for tests.

It listens on 127.0.0.1 (a free port) in a background thread and answers both

- OpenAI / OpenAI-compatible: `POST /v1/chat/completions` with `Authorization: Bearer <key>`, and
- Azure OpenAI: `POST /openai/deployments/<deployment>/chat/completions?api-version=...` with `api-key: <key>`,

so tests drive the real `openai` client (`OpenAI(base_url=server.openai_base_url)` or
`AzureOpenAI(azure_endpoint=server.url, ...)`) over real sockets: timeouts, headers and retries are real.

Behaviour is scripted per request: `server.script([RateLimited(retry_after=1), Success()])` queues one
behaviour per incoming request; when the queue is empty every request gets `server.default` (a `Success`).
A `Success` answers from the request through a "brain" callable (`keyword_brain` by default: it reads the
reviews from the `<reviews>` data block of the last user message and labels them with keyword rules).
Every request is recorded (`server.requests`: method, path, query, headers, JSON body, arrival time).

    with FakeOpenAIServer(api_key="sk-test") as server:
        server.script([ServerError(), Success()])
        ...
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from triage_platform_tests.fakes.loopback import LoopbackServer

Brain = Callable[[dict[str, Any]], Any]
"""Answers a chat-completions request body: a dict/list (sent as JSON content) or a str (sent verbatim)."""

OPENAI_PATH = "/v1/chat/completions"
AZURE_PATH = re.compile(r"^/openai/deployments/(?P<deployment>[^/]+)/chat/completions$")
REVIEWS_BLOCK = re.compile(r"<reviews>(?P<data>.*)</reviews>", re.DOTALL)


# ------------------------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    received_at: float
    """`time.monotonic()` when the request arrived (for measuring retry waits)."""
    accepted: bool = False
    """Whether it reached a chat-completions route with valid credentials (and got a scripted answer)."""

    @property
    def is_azure(self) -> bool:
        return self.path.startswith("/openai/deployments/")

    @property
    def deployment(self) -> str | None:
        match = AZURE_PATH.match(self.path)
        return match.group("deployment") if match else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or []) if isinstance(self.body, dict) else []

    def message(self, role: str) -> str:
        """Content of the last message with this role ('' if none)."""
        for message in reversed(self.messages):
            if message.get("role") == role:
                content = message.get("content")
                return content if isinstance(content, str) else json.dumps(content)
        return ""

    @property
    def reviews(self) -> list[dict[str, Any]]:
        """The reviews of the request's last user message (see `extract_reviews`)."""
        return extract_reviews(self.body)


def extract_reviews(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The JSON array inside the last `<reviews>...</reviews>` block of the last user message."""
    messages = [m for m in body.get("messages") or [] if m.get("role") == "user"]
    if not messages:
        return []
    match = REVIEWS_BLOCK.search(messages[-1].get("content") or "")
    if not match:
        return []
    data = json.loads(match.group("data"))
    return data if isinstance(data, list) else []


# ------------------------------------------------------------------------------------------- brain

KEYWORDS: dict[str, tuple[str, ...]] = {
    "safety_hazard": ("fire", "smoke", "burn", "overheat", "melted", "shock", "sparks"),
    "product_defect": ("broke", "stopped working", "dead on arrival", "snapped", "defective"),
    "shipping_delay": ("late", "never arrived", "still waiting", "not received", "nao recebi", "atraso"),
    "packaging_damage": ("crushed", "box was damaged", "arrived broken", "chegou quebrado"),
    "sizing_fit": ("runs small", "runs large", "too tight", "too small", "too big"),
    "refund_request": ("refund", "return it", "returned it", "sending it back", "devolver"),
    "fraud_suspicion": ("counterfeit", "fake", "scam"),
    "customer_service": ("no answer", "unhelpful", "rude", "nao responde"),
}
"""Keyword rules of the default brain (default-taxonomy ids; first matching phrase wins per category)."""

SEVERITY = {"safety_hazard": "critical", "product_defect": "high", "fraud_suspicion": "high"}


def label_text(text: str, rating: float | None = None) -> dict[str, Any]:
    """A plausible annotation of one text by keyword rules (no id)."""
    lowered = text.lower()
    issues = [category for category, words in KEYWORDS.items() if any(w in lowered for w in words)]
    if issues:
        primary = issues[0]
        severity = SEVERITY.get(primary, "medium")
        sentiment = "mixed" if rating is not None and rating >= 4 else "negative"
    else:
        primary, severity = "none", "none"
        sentiment = "negative" if rating is not None and rating <= 2 else "positive"
    return {
        "rationale": f"keywords: {', '.join(issues) or 'none'}",
        "issue_types": issues,
        "primary_issue": primary,
        "sentiment": sentiment,
        "severity": severity,
        "language": "en",
        "confidence": 0.9 if issues else 0.8,
    }


def keyword_brain(body: dict[str, Any]) -> dict[str, Any]:
    """Default brain: one keyword-rule annotation per review of the request, ids echoed."""
    return {
        "annotations": [
            {"id": review["id"], **label_text(str(review.get("text", "")), review.get("rating"))}
            for review in extract_reviews(body)
        ]
    }


# ------------------------------------------------------------------------------------------- behaviours


@dataclass
class Reply:
    """What the handler sends: status, headers, a JSON body (or raw bytes)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


class Behaviour:
    """How the server answers one request."""

    def respond(self, request: RecordedRequest, server: FakeOpenAIServer) -> Reply:  # pragma: no cover
        raise NotImplementedError


@dataclass
class Success(Behaviour):
    """200 with a chat completion whose content is the brain's answer (transformed by `edit`, if given).

    `usage` = (prompt_tokens, completion_tokens); by default about a token per 4 characters.
    """

    brain: Brain | None = None
    edit: Callable[[Any], Any] | None = None
    usage: tuple[int, int] | None = None
    finish_reason: str = "stop"

    def content(self, request: RecordedRequest, server: FakeOpenAIServer) -> str:
        answer = (self.brain or server.brain)(request.body)
        if self.edit is not None:
            answer = self.edit(answer)
        return answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)

    def respond(self, request: RecordedRequest, server: FakeOpenAIServer) -> Reply:
        content = self.content(request, server)
        prompt_tokens, completion_tokens = self.usage or (
            max(1, len(json.dumps(request.body)) // 4),
            max(1, len(content) // 4),
        )
        return Reply(200, completion(request, content, prompt_tokens, completion_tokens, self.finish_reason))


@dataclass
class RateLimited(Behaviour):
    """429 with `Retry-After` (seconds) and/or `retry-after-ms` headers."""

    retry_after: float | str | None = 1
    retry_after_ms: float | None = None

    def respond(self, request: RecordedRequest, server: FakeOpenAIServer) -> Reply:
        headers: dict[str, str] = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        if self.retry_after_ms is not None:
            headers["retry-after-ms"] = str(self.retry_after_ms)
        body = {
            "error": {"code": "429", "message": "Rate limit exceeded. Try again later.", "type": "requests"}
        }
        return Reply(429, body, headers)


@dataclass
class ServerError(Behaviour):
    """A 5xx (500 by default) with an OpenAI-style error body."""

    status: int = 500

    def respond(self, request: RecordedRequest, server: FakeOpenAIServer) -> Reply:
        return Reply(self.status, {"error": {"message": "The server had an error.", "type": "server_error"}})


@dataclass
class ErrorStatus(Behaviour):
    """Any error status with an OpenAI-style body (e.g. 400 content filter, 401)."""

    status: int
    message: str = "error"
    code: str | None = None

    def respond(self, request: RecordedRequest, server: FakeOpenAIServer) -> Reply:
        return Reply(
            self.status, {"error": {"message": self.message, "code": self.code, "type": "invalid_request"}}
        )


@dataclass
class Delay(Behaviour):
    """Wait `seconds` before answering with `then` (longer than the client timeout = a timeout)."""

    seconds: float
    then: Behaviour = field(default_factory=lambda: Success())

    def respond(self, request: RecordedRequest, server: FakeOpenAIServer) -> Reply:
        server._closing.wait(self.seconds)
        return self.then.respond(request, server)


@dataclass
class Malformed(Behaviour):
    """200 whose message content is not valid JSON (a truncated object by default)."""

    content: str = '{"annotations": [{"id": "r1", "issue_types": ['

    def respond(self, request: RecordedRequest, server: FakeOpenAIServer) -> Reply:
        return Success(brain=lambda _body: self.content).respond(request, server)


def _map_annotations(answer: Any, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> Any:
    if isinstance(answer, dict) and isinstance(answer.get("annotations"), list):
        return {**answer, "annotations": change([dict(a) for a in answer["annotations"]])}
    return answer


def OutOfTaxonomy(category: str = "alien_abduction", indices: Sequence[int] = (0,)) -> Success:
    """200 where the annotations at `indices` name a category that is not in the taxonomy."""

    def change(annotations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for index in indices:
            if index < len(annotations):
                annotations[index].update(issue_types=[category], primary_issue=category, severity="high")
        return annotations

    return Success(edit=lambda answer: _map_annotations(answer, change))


def MissingItems(drop: Sequence[int] = (0,)) -> Success:
    """200 where the annotations at positions `drop` are left out of the answer."""
    return Success(
        edit=lambda answer: _map_annotations(answer, lambda a: [x for i, x in enumerate(a) if i not in drop])
    )


def ExtraItem(item_id: str = "not-requested") -> Success:
    """200 with one more annotation whose id was not in the request."""
    extra = {"id": item_id, **label_text("it broke")}
    return Success(edit=lambda answer: _map_annotations(answer, lambda a: [*a, extra]))


# ------------------------------------------------------------------------------------------- server


def completion(
    request: RecordedRequest,
    content: str,
    prompt_tokens: int,
    completion_tokens: int,
    finish_reason: str = "stop",
) -> dict[str, Any]:
    """A chat.completion object as OpenAI returns it."""
    body = request.body if isinstance(request.body, dict) else {}
    return {
        "id": f"chatcmpl-fake-{int(time.time() * 1000)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.deployment or body.get("model", "fake-model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "system_fingerprint": "fp_fake",
    }


class FakeOpenAIServer(LoopbackServer):
    """Chat-completions server on 127.0.0.1 for tests; a context manager (starts on enter, stops on exit).

    - `url`: `http://127.0.0.1:<port>` (Azure endpoint); `openai_base_url`: `url + "/v1"`.
    - `script(behaviours)`: queue behaviours, one per coming request (then `default`).
    - `requests`: every request received, in order (also ones rejected for auth).
    """

    def __init__(
        self,
        api_key: str = "sk-fake-test-key",
        brain: Brain = keyword_brain,
        default: Behaviour | None = None,
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.brain = brain
        self.default = default or Success()
        self.requests: list[RecordedRequest] = []
        self._queue: deque[Behaviour] = deque()
        self._lock = threading.Lock()

    thread_name = "fake-openai"

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _make_handler(self)

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    def script(self, behaviours: Sequence[Behaviour]) -> FakeOpenAIServer:
        """Queue behaviours for the next requests, in order (appended to what is still queued)."""
        with self._lock:
            self._queue.extend(behaviours)
        return self

    @property
    def pending(self) -> int:
        """Scripted behaviours not used yet."""
        with self._lock:
            return len(self._queue)

    def reset(self) -> None:
        """Forget recorded requests and queued behaviours."""
        with self._lock:
            self._queue.clear()
            self.requests.clear()

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Recorded requests that reached a chat-completions route with valid credentials."""
        return [r for r in self.requests if r.accepted]

    # internals
    def _next(self) -> Behaviour:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default

    def _authorized(self, request: RecordedRequest) -> tuple[bool, str]:
        if request.is_azure:
            if not request.query.get("api-version"):
                return False, "missing api-version"
            return request.headers.get("api-key") == self.api_key, "api-key"
        return request.headers.get("authorization") == f"Bearer {self.api_key}", "bearer"


def _make_handler(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out without a delayed-ACK pause

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body: Any = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                body = raw.decode("utf-8", "replace")
            headers = {key.lower(): value for key, value in self.headers.items()}
            request = RecordedRequest(
                method="POST",
                path=parts.path,
                query=parse_qs(parts.query),
                headers=headers,
                body=body,
                received_at=time.monotonic(),
            )
            if parts.path != OPENAI_PATH and not AZURE_PATH.match(parts.path):
                server.requests.append(request)
                self._send(Reply(404, {"error": {"message": f"no route {parts.path}", "code": "404"}}))
                return
            ok, scheme = server._authorized(request)
            if not ok:
                server.requests.append(request)
                self._send(Reply(401, {"error": {"message": f"bad credentials ({scheme})", "code": "401"}}))
                return
            request = dataclasses.replace(request, accepted=True)
            server.requests.append(request)
            try:
                reply = server._next().respond(request, server)
            except Exception as exc:  # a broken test brain must show up as an error, not a hang
                reply = Reply(500, {"error": {"message": f"fake server error: {exc!r}"}})
            self._send(reply)

        do_GET = do_POST

        def _send(self, reply: Reply) -> None:
            payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode("utf-8")
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("x-request-id", f"req-fake-{len(server.requests)}")
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout): fine
                pass

    return Handler


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAIServer]:
    """A started `FakeOpenAIServer` for one test (import this fixture into a conftest or test module)."""
    with FakeOpenAIServer() as server:
        yield server


__all__ = [
    "Behaviour",
    "Delay",
    "ErrorStatus",
    "ExtraItem",
    "FakeOpenAIServer",
    "Malformed",
    "MissingItems",
    "OutOfTaxonomy",
    "RateLimited",
    "RecordedRequest",
    "Reply",
    "ServerError",
    "Success",
    "completion",
    "extract_reviews",
    "keyword_brain",
    "label_text",
    "openai_server",
]
