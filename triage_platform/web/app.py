"""The `triage serve` web app: review queue, labeling backlog, alert board, users, audit log, and Slack's
interactivity endpoint.

Security model:
- every page needs a signed-in user (anonymous GETs are redirected to `/login` with no data, anonymous
  POSTs get 401); users and roles come from the users file (`lib/humans/auth.py`); a role lacking the
  permission of a page or action gets 403;
- the session is a cookie signed with `TRIAGE_SECRET_KEY` (HttpOnly, SameSite=Lax);
- every form POST carries the session's CSRF token (`csrf_token` field or `X-CSRF-Token` header, which
  htmx sends), compared in constant time; `/slack/interactivity` is authenticated by Slack's signature
  instead;
- review text is shown redacted; only a role with `view_pii` (admin) also sees the original text, read from
  `silver/reviews`;
- repeated wrong passwords lock the user name and the client address for a while (429 with Retry-After,
  `lib/humans/throttle.py`).
"""

from __future__ import annotations

import hmac
import logging
import math
import os
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from triage_platform.lib.alerts.messages import render_slack_blocks, render_slack_text
from triage_platform.lib.alerts.model import Alert
from triage_platform.lib.annotate.taxonomy import Taxonomy, load_taxonomy
from triage_platform.lib.delta import read_table
from triage_platform.lib.env import is_true
from triage_platform.lib.humans.actions import (
    ALERT_ACTIONS,
    SENTIMENTS,
    SEVERITIES,
    ActionError,
    Actor,
    HumanActions,
    rows_with_key,
)
from triage_platform.lib.humans.auth import ROLES, User, UserDirectory, users_file
from triage_platform.lib.humans.queue import (
    QUEUE_COLUMNS,
    build_labeling_backlog,
    build_review_queue,
    labels_since_reopen,
    second_opinion_categories,
)
from triage_platform.lib.humans.slack import (
    ReplayGuard,
    SlackActionRefused,
    SlackInteractivity,
    workspace_name,
)
from triage_platform.lib.humans.throttle import LoginThrottle
from triage_platform.lib.paths import TriagePaths
from triage_platform.lib.transform.gold import GOLD_REVIEWS_SCHEMA
from triage_platform.lib.transform.silver import SILVER_SCHEMA

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
QUEUES = {"review": "Review queue", "backlog": "Labeling backlog"}
BOARD_STATES = (
    "open",
    "reopened",
    "acknowledged",
    "investigating",
    "fix_deployed",
    "customer_contacted",
    "closed",
)
BOARD_LIMIT = 300
SESSION_SECONDS = 8 * 3600
MAX_SKIPPED = 50
"""Items skipped per queue remembered in the (cookie) session; older skips come back."""


@dataclass
class WebConfig:
    """What the app needs; `from_env` reads the environment once."""

    paths: TriagePaths
    taxonomy: Taxonomy
    users: UserDirectory
    secret_key: str
    dagster_url: str = "http://127.0.0.1:3000"
    slack_signing_secret: str | None = None
    slack_client: WebClient | None = None
    https_only: bool = False
    slack_linked_users_only: bool = False
    """Refuse Slack button presses from members not linked to a user (`slack_id` in the users file)."""
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    """Locks a user name or client address after repeated wrong passwords (`lib/humans/throttle.py`)."""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> WebConfig:
        from triage_platform.settings import Settings

        settings = Settings.from_env()
        secret = os.environ.get("TRIAGE_SECRET_KEY", "").strip()
        if not secret:
            secret = secrets.token_urlsafe(32)
            logger.warning(
                "TRIAGE_SECRET_KEY is not set: using a random key (sessions end when the server stops)"
            )
        token = os.environ.get("SLACK_BOT_TOKEN", "").strip()
        base = os.environ.get("SLACK_API_BASE_URL", "").strip() or "https://slack.com/api/"
        client = (
            WebClient(token=token, base_url=base if base.endswith("/") else base + "/", retry_handlers=[])
            if token
            else None
        )
        return cls(
            paths=settings.paths,
            taxonomy=load_taxonomy(settings.taxonomy_path),
            users=UserDirectory(users_file(settings.paths.home)),
            secret_key=secret,
            dagster_url=settings.webserver_url.rstrip("/"),
            slack_signing_secret=os.environ.get("SLACK_SIGNING_SECRET", "").strip() or None,
            slack_client=client,
            https_only=is_true(os.environ.get("TRIAGE_HTTPS_ONLY")),
            slack_linked_users_only=is_true(os.environ.get("TRIAGE_SLACK_LINKED_USERS_ONLY")),
        )


class Forbidden(Exception):
    pass


def create_app(config: WebConfig) -> Starlette:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    actions = HumanActions(config.paths, config.taxonomy, config.users)
    categories = list(config.taxonomy.ids)

    # ------------------------------------------------------------------------------ helpers

    def current_user(request: Request) -> User | None:
        name = request.session.get("user")
        return config.users.get(name) if name else None

    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = secrets.token_urlsafe(32)
            request.session["csrf"] = token
        return token

    async def checked_form(request: Request) -> Any:
        form = await request.form()
        sent = request.headers.get("x-csrf-token") or str(form.get("csrf_token") or "")
        expected = request.session.get("csrf") or ""
        if not expected or not sent or not hmac.compare_digest(sent, expected):
            raise Forbidden("missing or invalid CSRF token")
        return form

    def render(request: Request, name: str, user: User | None, status: int = 200, **context: Any) -> Response:
        context.update(
            user=user,
            csrf=csrf_token(request),
            dagster_url=config.dagster_url,
            is_htmx=request.headers.get("hx-request") == "true",
        )
        return templates.TemplateResponse(request, name, context, status_code=status)

    def page(permission: str, method: str = "GET") -> Callable:
        def wrap(handler: Callable[..., Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
            async def endpoint(request: Request) -> Response:
                user = current_user(request)
                if user is None:
                    if request.method == "GET":
                        target = quote(
                            request.url.path + (f"?{request.url.query}" if request.url.query else "")
                        )
                        return RedirectResponse(f"/login?next={target}", status_code=303)
                    return PlainTextResponse("sign in first", status_code=401)
                if not user.can(permission):
                    return PlainTextResponse(f"your role ({user.role}) may not do this", status_code=403)
                try:
                    return await handler(request, user)
                except Forbidden as error:
                    return PlainTextResponse(str(error), status_code=403)
                except ActionError as error:
                    return PlainTextResponse(str(error), status_code=400)

            return endpoint

        return wrap

    def load_gold() -> pd.DataFrame:
        columns = [*QUEUE_COLUMNS, "needs_human", "human_override"]
        return read_table(config.paths.table("gold", "reviews"), GOLD_REVIEWS_SCHEMA, columns=columns)

    second_opinion = second_opinion_categories(config.taxonomy)

    def pending(kind: str, user: User) -> pd.DataFrame:
        """Items still needing a label, minus those this user already labeled."""
        gold = load_gold()
        labels = actions.labels.all()
        reopened = actions.audit.reopened()
        if kind == "review":
            items = build_review_queue(gold, labels, second_opinion, reopened)
        else:
            items = build_labeling_backlog(gold, labels, second_opinion=second_opinion, reopened=reopened)
        counting = labels_since_reopen(labels, reopened)
        if not counting.empty:
            mine = set(counting.loc[counting["annotator"] == user.username, "review_key"])
            items = items[~items["review_key"].isin(mine)]
        return items

    def original_text(review_key: str) -> dict[str, Any] | None:
        frame = rows_with_key(
            config.paths.table("silver", "reviews"),
            SILVER_SCHEMA,
            review_key,
            ["review_key", "title", "text"],
        )
        return None if frame.empty else frame.iloc[0].to_dict()

    def next_item(request: Request, kind: str, user: User) -> dict[str, Any] | None:
        skipped = set(request.session.get(f"skipped_{kind}", []))
        items = pending(kind, user)
        items = items[~items["review_key"].isin(skipped)]
        if items.empty:
            return None
        item = items.iloc[0].to_dict()
        item["issue_types"] = list(item["issue_types"]) if item["issue_types"] is not None else []
        item["remaining"] = len(items)
        item["dagster_link"] = f"{config.dagster_url}/assets/gold/reviews?partition={item['day']}"
        if user.can("view_pii"):
            item["original"] = original_text(item["review_key"])
        return item

    # ------------------------------------------------------------------------------ pages

    async def login_page(request: Request) -> Response:
        return render(
            request, "login.html", current_user(request), next=request.query_params.get("next", "/queue")
        )

    async def login(request: Request) -> Response:
        try:
            form = await checked_form(request)
        except Forbidden as error:
            return PlainTextResponse(str(error), status_code=403)
        username, password = str(form.get("username") or ""), str(form.get("password") or "")
        target = str(form.get("next") or "/queue")
        if not target.startswith("/") or target.startswith("//"):
            target = "/queue"
        client = request.client.host if request.client else None
        throttle = config.login_throttle
        wait = throttle.retry_after(username, client)
        if wait:
            response = render(
                request,
                "login.html",
                None,
                status=429,
                error=f"Too many failed sign-ins: try again in {math.ceil(wait / 60)} min",
                next=target,
            )
            response.headers["Retry-After"] = str(wait)
            return response
        user = await run_in_threadpool(config.users.authenticate, username, password)
        if user is None:
            throttle.failed(username, client)
            return render(
                request, "login.html", None, status=401, error="Unknown user or wrong password", next=target
            )
        throttle.succeeded(username)
        request.session.clear()
        request.session["user"] = user.username
        request.session["csrf"] = secrets.token_urlsafe(32)
        return RedirectResponse(target, status_code=303)

    @page("view", "POST")
    async def logout(request: Request, user: User) -> Response:
        await checked_form(request)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @page("view")
    async def home(request: Request, user: User) -> Response:
        return RedirectResponse("/queue", status_code=303)

    @page("view")
    async def queue_page(request: Request, user: User) -> Response:
        kind = request.query_params.get("kind", "review")
        if kind not in QUEUES:
            kind = "review"
        item = await run_in_threadpool(next_item, request, kind, user)
        return render(
            request,
            "queue.html",
            user,
            kind=kind,
            title=QUEUES[kind],
            item=item,
            categories=categories,
            severities=SEVERITIES,
            sentiments=SENTIMENTS,
        )

    @page("label", "POST")
    async def queue_decide(request: Request, user: User) -> Response:
        kind = request.path_params["kind"]
        if kind not in QUEUES:
            return PlainTextResponse("unknown queue", status_code=404)
        form = await checked_form(request)
        review_key = str(form.get("review_key") or "")
        decision = str(form.get("decision") or "")
        actor = Actor.of(user, "web")
        if decision == "skip":
            skipped = request.session.get(f"skipped_{kind}", [])
            request.session[f"skipped_{kind}"] = [*skipped, review_key][-MAX_SKIPPED:]
            await run_in_threadpool(actions.skip, review_key, actor, kind)
        elif decision == "accept":
            await run_in_threadpool(actions.label, review_key, actor, None)
        elif decision == "correct":
            values = {
                "issue_types": [str(v) for v in form.getlist("issue_types")],
                "primary_issue": str(form.get("primary_issue") or "") or None,
                "severity": str(form.get("severity") or "") or None,
                "sentiment": str(form.get("sentiment") or "") or None,
            }
            await run_in_threadpool(actions.label, review_key, actor, values)
        else:
            return PlainTextResponse("decision must be accept, correct or skip", status_code=400)
        if request.headers.get("hx-request") == "true":
            item = await run_in_threadpool(next_item, request, kind, user)
            return render(
                request,
                "_item.html",
                user,
                kind=kind,
                item=item,
                categories=categories,
                severities=SEVERITIES,
                sentiments=SENTIMENTS,
                done=decision,
            )
        return RedirectResponse(f"/queue?kind={kind}", status_code=303)

    def board_alerts(owner: str | None) -> list[Alert]:
        alerts = [a for a in actions.outbox.alerts() if a.kind in ("review", "spike") and not a.followup_of]
        if owner:
            alerts = [a for a in alerts if (a.owner or "unowned") == owner]
        alerts.sort(key=lambda a: (-a.rank, -(a.created_at or datetime.min.replace(tzinfo=UTC)).timestamp()))
        return alerts[:BOARD_LIMIT]

    @page("view")
    async def alerts_page(request: Request, user: User) -> Response:
        owner = request.query_params.get("owner") or None
        alerts = await run_in_threadpool(board_alerts, owner)
        owners = sorted({a.owner or "unowned" for a in alerts})
        board = {
            o: {
                s: [a for a in alerts if (a.owner or "unowned") == o and a.lifecycle_status == s]
                for s in BOARD_STATES
            }
            for o in owners
        }
        return render(
            request, "alerts.html", user, board=board, states=BOARD_STATES, owner=owner, actions=ALERT_ACTIONS
        )

    @page("alert_lifecycle", "POST")
    async def alert_action(request: Request, user: User) -> Response:
        await checked_form(request)
        alert_id, action = request.path_params["alert_id"], request.path_params["action"]
        alert = await run_in_threadpool(actions.alert_action, alert_id, action, Actor.of(user, "web"))
        await run_in_threadpool(edit_slack_message, alert, f"{user.username} (web)")
        if request.headers.get("hx-request") == "true":
            return render(request, "_alert.html", user, alert=alert, actions=ALERT_ACTIONS)
        return RedirectResponse("/alerts", status_code=303)

    def edit_slack_message(alert: Alert, actor: str) -> None:
        """Keep the Slack message of an alert in step when the web app moves it."""
        ids = (alert.sink_message_ids or {}).get("slack_bot") or {}
        if config.slack_client is None or not ids.get("ok") or not ids.get("channel") or not ids.get("id"):
            return
        from triage_platform.lib.humans.slack import status_block

        try:
            config.slack_client.chat_update(
                channel=ids["channel"],
                ts=ids["id"],
                text=render_slack_text(alert),
                blocks=[*render_slack_blocks(alert), status_block(alert, actor)],
            )
        except Exception as error:  # cosmetic: the state is stored and audited
            logger.warning(
                "could not update the Slack message of alert %s: %s", alert.alert_id, type(error).__name__
            )

    @page("manage_users")
    async def users_page(request: Request, user: User) -> Response:
        users = await run_in_threadpool(config.users.users)
        return render(request, "users.html", user, users=list(users.values()), roles=ROLES)

    @page("manage_users", "POST")
    async def set_role(request: Request, user: User) -> Response:
        form = await checked_form(request)
        await run_in_threadpool(
            actions.change_role,
            request.path_params["username"],
            str(form.get("role") or ""),
            Actor.of(user, "web"),
        )
        return RedirectResponse("/admin/users", status_code=303)

    @page("view")
    async def labels_page(request: Request, user: User) -> Response:
        frame = await run_in_threadpool(actions.labels.all)
        rows = (
            frame.sort_values("labeled_at").tail(200).iloc[::-1].to_dict("records") if not frame.empty else []
        )
        return render(request, "labels.html", user, rows=rows)

    @page("reopen_labels", "POST")
    async def reopen_label(request: Request, user: User) -> Response:
        await checked_form(request)
        await run_in_threadpool(actions.reopen, request.path_params["review_key"], Actor.of(user, "web"))
        return RedirectResponse("/labels", status_code=303)

    @page("view")
    async def audit_page(request: Request, user: User) -> Response:
        frame = await run_in_threadpool(actions.audit.all)
        rows = frame.tail(200).iloc[::-1].to_dict("records") if not frame.empty else []
        return render(request, "audit.html", user, rows=rows)

    # ------------------------------------------------------------------------------ slack

    replay = ReplayGuard(path=config.paths.state / "slack_replay.json")

    def slack_identify(member: Mapping[str, Any]) -> str:
        linked = config.users.by_slack_id(str(member.get("id") or ""))
        if linked is not None:
            if not linked.can("alert_lifecycle"):
                raise SlackActionRefused(f"{linked.username} ({linked.role}) may not change alerts")
            return linked.username
        if config.slack_linked_users_only:
            raise SlackActionRefused("this Slack member is not linked to a triage user")
        return workspace_name(member)

    def slack_apply(alert_id: str, action: str, actor: str) -> Alert:
        user = config.users.get(actor)
        who = Actor.of(user, "slack") if user is not None else Actor(actor, None, "slack")
        return actions.alert_action(alert_id, action, who)

    def slack_render(alert: Alert) -> tuple[str, list[dict[str, Any]]]:
        return render_slack_text(alert), render_slack_blocks(alert)

    interactivity = (
        SlackInteractivity(
            config.slack_signing_secret,
            slack_apply,
            slack_render,
            config.slack_client,
            replay,
            identify=slack_identify,
        )
        if config.slack_signing_secret
        else None
    )

    async def slack_endpoint(request: Request) -> Response:
        if interactivity is None:
            return JSONResponse({"error": "SLACK_SIGNING_SECRET is not configured"}, status_code=503)
        body = await request.body()
        try:
            verdict = await run_in_threadpool(interactivity.handle, body, dict(request.headers))
        except ActionError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return JSONResponse(verdict.body, status_code=verdict.status)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    routes = [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", home, methods=["GET"]),
        Route("/queue", queue_page, methods=["GET"]),
        Route("/queue/{kind}/decide", queue_decide, methods=["POST"]),
        Route("/alerts", alerts_page, methods=["GET"]),
        Route("/alerts/{alert_id}/{action}", alert_action, methods=["POST"]),
        Route("/admin/users", users_page, methods=["GET"]),
        Route("/admin/users/{username}/role", set_role, methods=["POST"]),
        Route("/labels", labels_page, methods=["GET"]),
        Route("/labels/{review_key}/reopen", reopen_label, methods=["POST"]),
        Route("/audit", audit_page, methods=["GET"]),
        Route("/slack/interactivity", slack_endpoint, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    middleware = [
        Middleware(
            SessionMiddleware,
            secret_key=config.secret_key,
            session_cookie="triage_session",
            max_age=SESSION_SECONDS,
            same_site="lax",
            https_only=config.https_only,
        )
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.config = config
    app.state.actions = actions
    return app
