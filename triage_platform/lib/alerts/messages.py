"""How an alert reads in Slack and Teams: concise text per kind, with counts, a redacted sample and links.

Messages are rendered from the alert row at send time, so an alert whose count grew while it waited
(grouping, retries) shows the current count. `title` and `body` are the static description written by the
candidate builders; everything that changes (count, samples, confidence) comes from the other fields.

Slack text is mrkdwn: `&`, `<` and `>` of any user-provided text are escaped, so a review saying
`<!channel>` cannot ping anyone and cannot forge a link.
"""

from __future__ import annotations

from typing import Any

from triage_platform.lib.alerts.model import Alert
from triage_platform.lib.humans.slack import lifecycle_buttons

PRIORITY_MARK = {"critical": "🔴", "high": "🟠", "normal": "🟡", "low": "⚪"}
KIND_LABEL = {
    "review": "Review alert",
    "spike": "Spike",
    "check": "Check failed",
    "run_failure": "Run failed",
    "digest": "Daily digest",
}
TEAMS_COLOR = {"critical": "attention", "high": "warning", "normal": "accent", "low": "default"}

SAMPLE_CHARS = 280
HEADER_CHARS = 150  # Slack header block limit
SECTION_CHARS = 2900  # Slack section text limit is 3000
TEXT_CHARS = 3500


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters, escaped (https://api.slack.com/reference/surfaces/formatting)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def headline(alert: Alert) -> str:
    """`🟠 [HIGH] Review alert: Packaging damage · kitchen · BR-SP` (with Reopened/Update markers)."""
    marker = ""
    if alert.reopened_from:
        marker = "Reopened · "
    elif alert.followup_of:
        marker = "Update · "
    return f"{PRIORITY_MARK[alert.priority]} [{alert.priority.upper()}] {marker}{KIND_LABEL[alert.kind]}: {alert.title}"


def count_phrase(alert: Alert) -> str:
    """What the count means for this kind: `12 reviews`, `3 failed runs`, `4 alerts`."""
    if alert.kind in ("review", "spike"):
        return plural(alert.review_count, "review")
    if alert.kind == "check":
        return plural(alert.review_count, "failing run")
    if alert.kind == "run_failure":
        return plural(alert.review_count, "failed run")
    return plural(alert.review_count, "alert")


def facts(alert: Alert) -> list[str]:
    """Short facts for the summary line: count, window, SKU, confidence, owner."""
    parts = [count_phrase(alert)]
    if alert.kind in ("review", "spike"):
        parts.append(f"window from {alert.window_start:%Y-%m-%d %H:%M} UTC")
    if alert.sku:
        parts.append(f"SKU {alert.sku}")
    if alert.confidence is not None:
        parts.append(f"confidence {alert.confidence:.2f}")
    if alert.owner:
        parts.append(f"owner {alert.owner}")
    return parts


def sample_line(alert: Alert) -> str | None:
    if not alert.sample_text:
        return None
    key = f" ({alert.sample_review_keys[0]})" if alert.sample_review_keys else ""
    return f'"{truncate(alert.sample_text, SAMPLE_CHARS)}"{key}'


def render_text(alert: Alert) -> str:
    """Plain text of the whole message (log sink, Slack fallback text, Teams summary)."""
    lines = [headline(alert)]
    if alert.kind != "digest":
        lines.append(" · ".join(facts(alert)))
    if alert.body:
        lines.append(alert.body)
    sample = sample_line(alert)
    if sample:
        lines.append(f"Sample: {sample}")
    if alert.kind == "review" and len(alert.sample_review_keys) > 1:
        lines.append("Reviews: " + ", ".join(alert.sample_review_keys))
    if alert.link:
        lines.append(f"Open: {alert.link}")
    lines.append(f"alert {alert.alert_id}")
    return truncate("\n".join(lines), TEXT_CHARS)


def render_slack_text(alert: Alert) -> str:
    """Notification/fallback text for Slack (escaped mrkdwn; links as `<url|label>`)."""
    text = escape_mrkdwn(render_text(alert))
    if alert.link:
        text = text.replace(f"Open: {escape_mrkdwn(alert.link)}", f"<{alert.link}|Open in Dagster>")
    return text


def render_slack_blocks(alert: Alert) -> list[dict[str, Any]]:
    """Block Kit: header, summary, body, sample quote, link + alert id context; review and spike alerts end
    with the lifecycle buttons (Acknowledge / Investigating / Close, handled by `triage serve`)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": truncate(headline(alert), HEADER_CHARS)}}
    ]
    if alert.kind != "digest":
        summary = " · ".join(escape_mrkdwn(part) for part in facts(alert))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*{summary}*"}})
    if alert.body:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": truncate(escape_mrkdwn(alert.body), SECTION_CHARS)},
            }
        )
    sample = sample_line(alert)
    if sample:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "> " + escape_mrkdwn(sample)}})
    context = []
    if alert.link:
        context.append({"type": "mrkdwn", "text": f"<{alert.link}|Open in Dagster>"})
    context.append({"type": "mrkdwn", "text": f"alert `{alert.alert_id}`"})
    blocks.append({"type": "context", "elements": context})
    if alert.kind in ("review", "spike"):
        blocks.append(lifecycle_buttons(alert))
    return blocks


def render_teams_card(alert: Alert) -> dict[str, Any]:
    """A Teams incoming-webhook message carrying one Adaptive Card (accepted by Workflows webhooks and by the
    older Office 365 connector webhooks)."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": headline(alert),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": TEAMS_COLOR[alert.priority],
        }
    ]
    if alert.kind != "digest":
        body.append({"type": "TextBlock", "text": " · ".join(facts(alert)), "wrap": True, "isSubtle": True})
    if alert.body:
        body.append({"type": "TextBlock", "text": truncate(alert.body, SECTION_CHARS), "wrap": True})
    sample = sample_line(alert)
    if sample:
        body.append({"type": "TextBlock", "text": sample, "wrap": True, "isSubtle": True})
    body.append({"type": "TextBlock", "text": f"alert {alert.alert_id}", "size": "Small", "isSubtle": True})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if alert.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in Dagster", "url": alert.link}]
    return {
        "type": "message",
        "summary": truncate(headline(alert), HEADER_CHARS),
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }


def digest_line(alert: Alert) -> str:
    """One line of a digest: `• [normal] Spike: Sizing fit · apparel · US-CA — 7 reviews (link)`."""
    stale = " (late)" if alert.suppressed_reason == "stale" else ""
    line = f"• [{alert.priority}] {KIND_LABEL[alert.kind]}: {alert.title} — {count_phrase(alert)}{stale}"
    if alert.link:
        line += f" ({alert.link})"
    return line
