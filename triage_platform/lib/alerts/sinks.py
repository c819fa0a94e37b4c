"""Where alerts go: Slack (bot token or incoming webhook), Microsoft Teams (incoming webhook), or the log.

Every sink answers `send(alert) -> SinkResult` and never raises for a delivery problem: the result says
whether the message was accepted (with its id), whether and when to retry (`retry_after` from a 429), and
whether the failure is permanent (the message itself is unacceptable) or *ambiguous* (a timeout or a 5xx:
the service may have accepted it). No sink retries by itself: the slack_sdk clients are built with
`retry_handlers=[]`, because a hidden retry after a timeout is exactly how duplicates happen. Retries
belong to the outbox (`delivery.py`).

The Slack bot sink stamps every message with metadata (`event_type` `triage_alert`, the alert id) and can
look for it (`find_delivered`) before re-posting after an ambiguous failure, so a timeout after Slack
accepted the message does not produce a second one (needs the `channels:read` and `channels:history`
scopes, `groups:*` for private channels; without them it re-posts).

Secrets (bot token, webhook URLs) are held in `Secret` values, never appear in a repr, in a log line or in
an error stored in the outbox: error texts are scrubbed, and the slack_sdk clients log through a
dedicated logger that drops their debug output (the webhook client would log its URL) and scrubs the rest.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from triage_platform.lib.alerts.messages import (
    render_slack_blocks,
    render_slack_text,
    render_teams_card,
    render_text,
)
from triage_platform.lib.alerts.model import Alert

logger = logging.getLogger(__name__)

METADATA_EVENT_TYPE = "triage_alert"
DEFAULT_SLACK_API = "https://slack.com/api/"
DEFAULT_CHANNEL = "#triage-alerts"
DEFAULT_TIMEOUT = 10.0

# ------------------------------------------------------------------------------------------- secrets

_SECRETS: set[str] = set()


class Secret:
    """A string that shows as `***` in reprs, str() and f-strings; `.reveal()` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("secret", self._value))


def register_secret(value: str) -> None:
    """Remember a secret (and, for a URL, its path and query) so `scrub` removes it from any text."""
    if not value:
        return
    _SECRETS.add(value)
    parts = urlsplit(value)
    if parts.scheme and parts.netloc:
        tail = parts.path + (f"?{parts.query}" if parts.query else "")
        if len(tail) > 1:
            _SECRETS.add(tail)


def scrub(text: str | None) -> str | None:
    """`text` with every registered secret replaced by `***`."""
    if not text:
        return text
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, "***")
    return text


def redact_url(url: str) -> str:
    """`https://hooks.slack.com/***`: scheme and host only."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/***" if parts.scheme else "***"


class _ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_SDK_LOGGER = logging.getLogger("triage_platform.lib.alerts.slack_sdk")
"""Logger handed to slack_sdk clients: CRITICAL only (their DEBUG lines include webhook and proxy URLs;
our own warnings say what failed), scrubbed of secrets."""
_SDK_LOGGER.setLevel(logging.CRITICAL)
if not any(isinstance(f, _ScrubFilter) for f in _SDK_LOGGER.filters):
    _SDK_LOGGER.addFilter(_ScrubFilter())


# ------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SinkResult:
    """What happened to one message at one sink."""

    ok: bool
    message_id: str | None = None
    """Slack `ts`, a Teams/webhook marker, or the log line id."""
    retry_after: float | None = None
    """Seconds the service asked us to wait (429 `Retry-After`)."""
    error: str | None = None
    permanent: bool = False
    """The message will never be accepted as is (invalid payload): do not retry."""
    ambiguous: bool = False
    """The service may have accepted the message (timeout, 5xx): check before re-posting if possible."""
    channel: str | None = None
    """Where it was posted (Slack channel id)."""


@runtime_checkable
class Sink(Protocol):
    """A delivery target. `name` keys its entry in the alert's `sink_message_ids`."""

    name: str

    def send(self, alert: Alert) -> SinkResult: ...


def parse_retry_after(value: str | None, default: float | None = None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date)."""
    if value is None or str(value).strip() == "":
        return default
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return default
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) and value else value
    return None


def _transport_failure(error: BaseException) -> SinkResult:
    """A request that got no HTTP answer: refused (never arrived) or timed out/reset (ambiguous)."""
    reason = getattr(error, "reason", error)
    refused = isinstance(reason, ConnectionRefusedError | socket.gaierror)
    kind = "timeout" if isinstance(reason, TimeoutError | socket.timeout) else type(reason).__name__
    return SinkResult(ok=False, error=scrub(f"{kind}: {reason}"), ambiguous=not refused)


# ------------------------------------------------------------------------------------------- log


class LogSink:
    """Writes the rendered alert to a logger (INFO: visible where logging is configured, quiet in a
    terminal run); what runs without any configuration. The outbox table holds every alert either way."""

    name = "log"

    def __init__(self, log: logging.Logger | None = None, level: int = logging.INFO) -> None:
        self.log = log or logging.getLogger("triage_platform.alerts")
        self.level = level

    def __repr__(self) -> str:
        return f"LogSink({self.log.name!r})"

    def send(self, alert: Alert) -> SinkResult:
        self.log.log(self.level, "%s", scrub(render_text(alert)))
        return SinkResult(ok=True, message_id=f"log:{alert.alert_id}")


# ------------------------------------------------------------------------------------------- slack

SLACK_TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited", "rate_limited"}
)
"""Slack `error` codes that mean "try again later" (the request may have been partly processed)."""
SLACK_PERMANENT_ERRORS = frozenset(
    {
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "too_many_attachments",
        "invalid_arguments",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
        "invalid_payload",
        "no_service_id",
        "invalid_attachments",
    }
)
"""Errors about the message itself: retrying the same message cannot succeed."""
SLACK_CHANNEL_ERRORS = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "channel_is_archived"}
)
"""The owner's channel is unusable: the bot sink posts to its default channel instead."""
SLACK_LOOKUP_UNAVAILABLE = frozenset(
    {"missing_scope", "not_allowed_token_type", "channel_not_found", "not_in_channel", "no_permission"}
)
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")


def _slack_error_result(exc: SlackApiError) -> SinkResult:
    response = exc.response
    status = getattr(response, "status_code", None) or 0
    data = getattr(response, "data", None)
    error = data.get("error") if isinstance(data, dict) else None
    if status == 429 or error in ("ratelimited", "rate_limited"):
        retry_after = parse_retry_after(_header(getattr(response, "headers", None), "Retry-After"), 1.0)
        return SinkResult(ok=False, error="rate_limited", retry_after=retry_after)
    if status >= 500 or error in SLACK_TRANSIENT_ERRORS:
        return SinkResult(ok=False, error=scrub(f"http {status}: {error or 'server error'}"), ambiguous=True)
    if error in SLACK_PERMANENT_ERRORS:
        return SinkResult(ok=False, error=scrub(f"http {status}: {error}"), permanent=True)
    return SinkResult(ok=False, error=scrub(f"http {status}: {error or 'error'}"))


class SlackBotSink:
    """Posts with a bot token (`chat.postMessage`, Block Kit + text fallback) to the alert's channel: the
    alert's own `channel` (set from the taxonomy: the category's channel, else its owner's), else
    `channel_for_owner[owner]`, else `default_channel`. A channel Slack rejects (not found, bot not in it,
    archived) falls back to `default_channel` with a note."""

    name = "slack_bot"

    def __init__(
        self,
        token: str | Secret,
        base_url: str | None = None,
        channel_for_owner: Mapping[str, str] | None = None,
        default_channel: str = DEFAULT_CHANNEL,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        client: WebClient | None = None,
    ) -> None:
        self._token = token if isinstance(token, Secret) else Secret(token)
        self.base_url = _with_slash(base_url or DEFAULT_SLACK_API)
        self.channel_for_owner = dict(channel_for_owner or {})
        self.default_channel = default_channel
        self.timeout = timeout
        self._client = client or WebClient(
            token=self._token.reveal(),
            base_url=self.base_url,
            timeout=timeout,  # type: ignore[arg-type]  # urllib accepts float seconds
            retry_handlers=[],
            logger=_SDK_LOGGER,
        )
        self._channel_ids: dict[str, str] = {}

    def __repr__(self) -> str:
        return (
            f"SlackBotSink(base_url={self.base_url!r}, default_channel={self.default_channel!r}, "
            f"owners={len(self.channel_for_owner)}, token=***)"
        )

    def channel_for(self, alert: Alert) -> str:
        return alert.channel or self.channel_for_owner.get(alert.owner or "") or self.default_channel

    def send(self, alert: Alert) -> SinkResult:
        channel = self.channel_for(alert)
        result = self._post(alert, channel)
        code = (result.error or "").rsplit(": ", 1)[-1]
        if not result.ok and code in SLACK_CHANNEL_ERRORS and channel != self.default_channel:
            logger.warning(
                "alert %s: cannot post to %s (%s); posting to %s instead",
                alert.alert_id,
                channel,
                code,
                self.default_channel,
            )
            return self._post(alert, self.default_channel, note=f"Could not post to {channel} ({code}).")
        return result

    def _post(self, alert: Alert, channel: str, note: str | None = None) -> SinkResult:
        text = render_slack_text(alert)
        blocks = render_slack_blocks(alert)
        if note:
            text = f"{note}\n{text}"
            blocks = [{"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}, *blocks]
        try:
            response = self._client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                metadata={
                    "event_type": METADATA_EVENT_TYPE,
                    "event_payload": {"alert_id": alert.alert_id, "kind": alert.kind},
                },
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            return _slack_error_result(exc)
        except Exception as exc:  # timeouts, resets, refused connections
            return _transport_failure(exc)
        channel_id = response.get("channel") or channel
        self._channel_ids.setdefault(channel.lstrip("#"), channel_id)
        return SinkResult(ok=True, message_id=response.get("ts"), channel=channel_id)

    # ----------------------------------------------------------------------- duplicate check

    def find_delivered(self, alert: Alert, since: datetime | None = None) -> SinkResult | None:
        """Look for a message already posted for this alert (by its metadata) in the channels it could have
        gone to. Returns an ok result when found, None when it is safe to post (not found, or the check is
        impossible: missing scopes), or a failed result when Slack could not be asked now."""
        start = since or (alert.created_at or datetime.now(UTC)) - timedelta(minutes=5)
        try:
            for channel in dict.fromkeys([self.channel_for(alert), self.default_channel]):
                channel_id = self._channel_id(channel)
                if channel_id is None:
                    continue
                found = self._search(channel_id, alert.alert_id, start)
                if found is not None:
                    return SinkResult(ok=True, message_id=found, channel=channel_id)
        except SlackApiError as exc:
            result = _slack_error_result(exc)
            data = getattr(exc.response, "data", None)
            error = data.get("error") if isinstance(data, dict) else None
            if error in SLACK_LOOKUP_UNAVAILABLE:
                logger.warning(
                    "alert %s: cannot check Slack for an earlier post (%s); re-posting may duplicate it",
                    alert.alert_id,
                    error,
                )
                return None
            return SinkResult(ok=False, error=result.error, retry_after=result.retry_after, ambiguous=True)
        except Exception as exc:
            failure = _transport_failure(exc)
            return SinkResult(ok=False, error=failure.error, ambiguous=True)
        return None

    def _channel_id(self, channel: str) -> str | None:
        if CHANNEL_ID.match(channel):
            return channel
        name = channel.lstrip("#")
        if name not in self._channel_ids:
            cursor = None
            for _ in range(20):
                response = self._client.conversations_list(
                    types="public_channel,private_channel", exclude_archived=True, limit=1000, cursor=cursor
                )
                for item in response.get("channels") or []:
                    self._channel_ids.setdefault(item.get("name"), item.get("id"))
                cursor = (response.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        return self._channel_ids.get(name)

    def _search(self, channel_id: str, alert_id: str, since: datetime) -> str | None:
        cursor = None
        for _ in range(10):
            response = self._client.conversations_history(
                channel=channel_id,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == METADATA_EVENT_TYPE and payload.get("alert_id") == alert_id:
                    return message.get("ts")
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None


class SlackWebhookSink:
    """Posts to one Slack incoming webhook (its channel is fixed by the webhook). Webhooks return no message
    id and cannot be searched, so a timeout after Slack accepted the post can lead to one duplicate."""

    name = "slack_webhook"

    def __init__(
        self, url: str | Secret, *, timeout: float = DEFAULT_TIMEOUT, client: WebhookClient | None = None
    ):
        self._url = url if isinstance(url, Secret) else Secret(url)
        self.timeout = timeout
        self._client = client or WebhookClient(
            self._url.reveal(),
            timeout=timeout,  # type: ignore[arg-type]
            retry_handlers=[],
            logger=_SDK_LOGGER,
        )

    def __repr__(self) -> str:
        return f"SlackWebhookSink(url={redact_url(self._url.reveal())!r})"

    def send(self, alert: Alert) -> SinkResult:
        try:
            response = self._client.send(
                text=render_slack_text(alert), blocks=render_slack_blocks(alert), unfurl_links=False
            )
        except Exception as exc:
            return _transport_failure(exc)
        return _http_result(response.status_code, response.body, response.headers, ok_id="webhook")


class TeamsWebhookSink:
    """Posts an Adaptive Card to a Microsoft Teams incoming webhook (Workflows or Office 365 connector)."""

    name = "teams"

    def __init__(self, url: str | Secret, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._url = url if isinstance(url, Secret) else Secret(url)
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"TeamsWebhookSink(url={redact_url(self._url.reveal())!r})"

    def send(self, alert: Alert) -> SinkResult:
        data = json.dumps(render_teams_card(alert), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self._url.reveal(), data=data, method="POST", headers={"Content-Type": "application/json"}
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler())
        try:
            with opener.open(request, timeout=self.timeout) as response:
                status, headers = response.status, dict(response.headers.items())
                body = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, headers = exc.code, dict(exc.headers.items()) if exc.headers else {}
            body = exc.read().decode("utf-8", "replace") if exc.fp else ""
        except Exception as exc:
            return _transport_failure(exc)
        # the legacy connector answers 200 with an error text when Teams throttles it
        if 200 <= status < 300 and "429" in body and "error" in body.lower():
            return SinkResult(
                ok=False,
                error="rate_limited",
                retry_after=parse_retry_after(_header(headers, "Retry-After"), 1.0),
            )
        return _http_result(status, body, headers, ok_id="teams")


def _http_result(status: int, body: str | None, headers: Any, ok_id: str) -> SinkResult:
    if 200 <= status < 300:
        return SinkResult(ok=True, message_id=f"{ok_id}:{int(time.time() * 1000)}")
    detail = scrub((body or "").strip()[:200]) or "error"
    if status == 429:
        return SinkResult(
            ok=False,
            error="rate_limited",
            retry_after=parse_retry_after(_header(headers, "Retry-After"), 1.0),
        )
    if status >= 500:
        return SinkResult(ok=False, error=f"http {status}: {detail}", ambiguous=True)
    if status in (400, 413) or detail in SLACK_PERMANENT_ERRORS:
        return SinkResult(ok=False, error=f"http {status}: {detail}", permanent=True)
    return SinkResult(
        ok=False, error=f"http {status}: {detail}"
    )  # 401/403/404/410: configuration, retry later


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


# ------------------------------------------------------------------------------------------- config

ENV_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_WEBHOOK_URL",
    "SLACK_API_BASE_URL",
    "SLACK_DEFAULT_CHANNEL",
    "TEAMS_WEBHOOK_URL",
    "TRIAGE_ALERTS_TIMEOUT",
)


def sinks_from_env(
    env: Mapping[str, str] | None = None,
    taxonomy: Any = None,
    slack_client_factory: Callable[[str, str, float], WebClient] | None = None,
) -> list[Sink]:
    """The sinks configured by the environment (`os.environ` by default):

    - `SLACK_BOT_TOKEN`: `SlackBotSink` routing by the taxonomy's channels (category `slack_channel`, else
      the owner's channel from `owners`), default channel `SLACK_DEFAULT_CHANNEL` (`#triage-alerts`);
      `SLACK_API_BASE_URL` overrides the Web API base (proxies, tests).
    - else `SLACK_WEBHOOK_URL`: `SlackWebhookSink` (a bot token wins: both would post every alert twice).
    - `TEAMS_WEBHOOK_URL`: `TeamsWebhookSink`, in addition to Slack.
    - nothing configured: `[LogSink()]` (alerts still land in the outbox table).

    `TRIAGE_ALERTS_TIMEOUT` (seconds, default 10) bounds every HTTP call. Never logs a secret.
    `slack_client_factory(token, base_url, timeout)` builds the Web API client (the Dagster layer passes
    its dagster-slack resource here); by default a plain `slack_sdk.WebClient`."""
    env = os.environ if env is None else env
    timeout = float(env.get("TRIAGE_ALERTS_TIMEOUT") or DEFAULT_TIMEOUT)
    sinks: list[Sink] = []
    token = (env.get("SLACK_BOT_TOKEN") or "").strip()
    webhook = (env.get("SLACK_WEBHOOK_URL") or "").strip()
    if token:
        owners = dict(getattr(taxonomy, "owners", None) or {})
        base_url = (env.get("SLACK_API_BASE_URL") or "").strip() or None
        client = (
            slack_client_factory(token, _with_slash(base_url or DEFAULT_SLACK_API), timeout)
            if slack_client_factory
            else None
        )
        sinks.append(
            SlackBotSink(
                token,
                base_url=base_url,
                channel_for_owner=owners,
                default_channel=(env.get("SLACK_DEFAULT_CHANNEL") or "").strip() or DEFAULT_CHANNEL,
                timeout=timeout,
                client=client,
            )
        )
        if webhook:
            register_secret(webhook)
            logger.warning("both SLACK_BOT_TOKEN and SLACK_WEBHOOK_URL are set: using the bot token only")
    elif webhook:
        sinks.append(SlackWebhookSink(webhook, timeout=timeout))
    teams = (env.get("TEAMS_WEBHOOK_URL") or "").strip()
    if teams:
        sinks.append(TeamsWebhookSink(teams, timeout=timeout))
    if not sinks:
        sinks.append(LogSink())
    logger.info("alert sinks: %s", ", ".join(repr(s) for s in sinks))
    return sinks
