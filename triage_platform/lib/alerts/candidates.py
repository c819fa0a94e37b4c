"""Candidate alerts from what the platform produces: gold reviews routed to `alert`, spikes in
`gold/issue_daily`, failed asset checks and failed runs. Candidates are plain `Alert` values without an id;
`AlertOutbox.enqueue` (the policy) groups, deduplicates and stores them.

Links point into the Dagster UI (`TRIAGE_DAGSTER_URL`, `Settings.webserver_url`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

import pandas as pd

from triage_platform.lib.alerts.model import Alert, day_start, dedupe_key_for, utc
from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.spikes import Spike
from triage_platform.lib.text.pii import redact_pii

PRIORITY_BY_SEVERITY = {
    "critical": "critical",
    "high": "high",
    "medium": "normal",
    "low": "low",
    "none": "low",
}
SAMPLE_CHARS = 280
PLATFORM_OWNER = "data-platform"


def label(category: str | None) -> str:
    """`packaging_damage` → `Packaging damage`."""
    return (category or "unknown").replace("_", " ").capitalize()


def asset_link(dagster_url: str, asset_key: str, partition: date | str | None = None) -> str:
    """Dagster UI page of an asset (`gold/reviews`), on a partition when given."""
    path = "/".join(quote(part) for part in asset_key.split("/"))
    link = f"{dagster_url.rstrip('/')}/assets/{path}"
    return f"{link}?partition={partition}" if partition is not None else link


def run_link(dagster_url: str, run_id: str) -> str:
    return f"{dagster_url.rstrip('/')}/runs/{quote(run_id)}"


def redacted_sample(text: str | None) -> str | None:
    """Sample text safe for a chat channel: PII redacted (again: belt and braces), one line, truncated."""
    if not text:
        return None
    flat = " ".join(str(text).split())
    flat = redact_pii(flat).text
    return flat if len(flat) <= SAMPLE_CHARS else flat[: SAMPLE_CHARS - 1].rstrip() + "…"


def _value(row: Any, name: str) -> Any:
    value = row.get(name) if hasattr(row, "get") else getattr(row, name, None)
    try:
        if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
            return None
    except (TypeError, ValueError):
        pass
    return value


def review_alert(
    row: Any, taxonomy: Taxonomy | None, *, dagster_url: str, now: datetime | None = None
) -> Alert:
    """One candidate for one gold review routed to `alert` (a `gold/reviews` row as a mapping/Series)."""
    category = _value(row, "primary_issue")
    family = _value(row, "product_family")
    region = _value(row, "region") or "unknown"
    day = _value(row, "day")
    submitted = _value(row, "submitted_at")
    if submitted is not None:
        moment = utc(pd.Timestamp(submitted).to_pydatetime())
    elif day is not None:
        moment = day_start(pd.Timestamp(day).date())
    else:
        moment = utc(now or datetime.now(UTC))
    owner = _value(row, "owner")
    channel = None
    if taxonomy is not None and category and taxonomy.has(category):
        owner = owner or taxonomy.owner_of(category)
        channel = taxonomy.channel_of(category)
    key = str(_value(row, "review_key"))
    partition = pd.Timestamp(day).date().isoformat() if day is not None else None
    confidence = _value(row, "confidence")
    return Alert(
        kind="review",
        dedupe_key=dedupe_key_for("review", category, family, region),
        window_start=moment,
        category=category,
        product_family=family,
        sku=_value(row, "sku"),
        region=region,
        owner=owner,
        channel=channel,
        priority=PRIORITY_BY_SEVERITY.get(str(_value(row, "severity") or "high"), "high"),
        title=f"{label(category)} · {family or 'unknown family'} · {region}",
        body=f"Customers report {label(category).lower()} for {family or 'a product'} in {region}.",
        sample_review_keys=[key],
        evidence_keys=[key],
        sample_text=redacted_sample(_value(row, "text_redacted")),
        review_count=1,
        confidence=float(confidence) if confidence is not None else None,
        link=asset_link(dagster_url, "gold/reviews", partition),
    )


def review_alerts(
    gold_reviews: pd.DataFrame, taxonomy: Taxonomy | None, *, dagster_url: str, now: datetime | None = None
) -> list[Alert]:
    """Candidates for every row of a `gold/reviews` frame whose route is `alert`."""
    if gold_reviews.empty or "route" not in gold_reviews.columns:
        return []
    rows = gold_reviews[gold_reviews["route"] == "alert"]
    return [review_alert(row, taxonomy, dagster_url=dagster_url, now=now) for _, row in rows.iterrows()]


def spike_alert(
    spike: Spike,
    taxonomy: Taxonomy | None,
    *,
    dagster_url: str,
    sample_review_keys: Sequence[str] = (),
    priority: str | None = None,
) -> Alert:
    """A candidate for a spike of `lib.spikes.find_spikes`: high priority (critical for a category whose
    default severity is critical) unless `priority` says otherwise. Evidence is the observation (day and
    count), so a spike seen again with the same count is a repeat and a higher count updates the alert."""
    owner = channel = None
    default_priority = "high"
    if taxonomy is not None and taxonomy.has(spike.issue_type):
        owner, channel = taxonomy.owner_of(spike.issue_type), taxonomy.channel_of(spike.issue_type)
        if taxonomy.category(spike.issue_type).default_severity == "critical":
            default_priority = "critical"
    ratio = spike.reviews / max(spike.baseline, 1.0)
    return Alert(
        kind="spike",
        dedupe_key=dedupe_key_for("spike", spike.issue_type, spike.product_family, spike.region),
        window_start=day_start(spike.day),
        category=spike.issue_type,
        product_family=spike.product_family,
        region=spike.region,
        owner=owner,
        channel=channel,
        priority=priority or default_priority,
        title=f"{label(spike.issue_type)} · {spike.product_family} · {spike.region}",
        body=(
            f"{spike.reviews} reviews on {spike.day.isoformat()} against a trailing median of "
            f"{spike.baseline:g} ({ratio:.1f}× baseline)."
        ),
        sample_review_keys=list(sample_review_keys),
        evidence_keys=[f"spike:{spike.day.isoformat()}:{spike.reviews}"],
        review_count=spike.reviews,
        link=asset_link(dagster_url, "gold/issue_daily", spike.day.isoformat()),
    )


def check_alert(
    *,
    asset: str,
    check: str,
    partition: str | None,
    description: str,
    run_id: str,
    dagster_url: str,
    now: datetime,
    severity: str = "error",
    owner: str = PLATFORM_OWNER,
    channel: str | None = None,
) -> Alert:
    """A candidate for a failed asset check: high priority for an ERROR check, normal (digest) for a WARN.
    One alert per asset × check × partition and window; each failing run counts once."""
    return Alert(
        kind="check",
        dedupe_key=dedupe_key_for("check", asset, check, partition),
        window_start=utc(now),
        owner=owner,
        channel=channel,
        priority="high" if severity.lower() == "error" else "normal",
        title=f"{asset} · {check}" + (f" · {partition}" if partition else ""),
        body=description,
        evidence_keys=[f"run:{run_id}"],
        review_count=1,
        link=run_link(dagster_url, run_id),
    )


def run_failure_alert(
    *,
    job: str,
    run_id: str,
    partition: str | None,
    error: str,
    dagster_url: str,
    now: datetime,
    owner: str = PLATFORM_OWNER,
    channel: str | None = None,
    priority: str = "high",
) -> Alert:
    """A candidate for a failed run. One alert per job and window, counting failed runs: a backfill whose
    thirty partitions fail sends one message, not thirty."""
    first_line = (error or "").strip().splitlines()[0] if error and error.strip() else "no error message"
    return Alert(
        kind="run_failure",
        dedupe_key=dedupe_key_for("run_failure", job),
        window_start=utc(now),
        owner=owner,
        channel=channel,
        priority=priority,  # type: ignore[arg-type]
        title=job,
        body=f"Run {run_id}"
        + (f" (partition {partition})" if partition else "")
        + f" failed: {first_line[:300]}",
        evidence_keys=[f"run:{run_id}"],
        review_count=1,
        link=run_link(dagster_url, run_id),
    )
