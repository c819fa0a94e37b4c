"""The alert outbox as an asset: what each day of reviews owes the owning teams."""

from datetime import UTC, date, datetime, timedelta

import dagster as dg
import pandas as pd

from triage_platform.lib.alerts.candidates import review_alerts, spike_alert
from triage_platform.lib.delta import read_table
from triage_platform.lib.spikes import find_spikes
from triage_platform.partitions import DAILY_PARTITIONS
from triage_platform.resources import AlertingResource, AnnotatorResource, TriageStorage

SPIKE_LOOKBACK_DAYS = 7


def spike_samples(
    reviews: pd.DataFrame, issue_type: str, family: str, region: str, limit: int = 5
) -> list[str]:
    mask = (
        reviews["issue_types"].map(lambda types: issue_type in list(types) if types is not None else False)
        & (reviews["product_family"] == family)
        & (reviews["region"].fillna("unknown") == region)
    )
    return sorted(reviews.loc[mask, "review_key"])[:limit]


@dg.asset(
    key=["gold", "alerts"],
    ins={"reviews": dg.AssetIn(key=["gold", "reviews"])},
    deps=[dg.AssetKey(["gold", "issue_daily"])],
    partitions_def=DAILY_PARTITIONS,
    group_name="gold",
    owners=["team:data-platform"],
    kinds={"deltalake", "slack"},
)
def gold_alerts(
    context: dg.AssetExecutionContext,
    reviews: pd.DataFrame,
    storage: TriageStorage,
    annotator: AnnotatorResource,
    alerting: AlertingResource,
) -> dg.MaterializeResult:
    """The alert outbox (`gold/alerts`): every review routed to `alert` and every spike of an issue ×
    product family × region over its trailing 7-day baseline becomes an alert, grouped and deduplicated
    (same issue, family, region and window), written here BEFORE any delivery. The alert sensor and
    `triage run` deliver pending alerts to Slack / Teams and record every attempt, so none is lost or sent
    twice; lifecycle (acknowledged → ... → closed) lives on the same rows."""
    day = date.fromisoformat(context.partition_key)
    now = datetime.now(UTC)
    taxonomy = annotator.taxonomy
    candidates = review_alerts(reviews, taxonomy, dagster_url=alerting.dagster_url, now=now)
    issue_daily = read_table(storage.paths.table("gold", "issue_daily"))
    spikes = []
    if not issue_daily.empty:
        since = day - timedelta(days=SPIKE_LOOKBACK_DAYS)
        window = issue_daily[(issue_daily["day"] >= since) & (issue_daily["day"] <= day)]
        spikes = [spike for spike in find_spikes(window) if spike.day == day]
    for spike in spikes:
        samples = spike_samples(reviews, spike.issue_type, spike.product_family, spike.region)
        candidates.append(
            spike_alert(spike, taxonomy, dagster_url=alerting.dagster_url, sample_review_keys=samples)
        )
    plan = alerting.outbox().enqueue(candidates, now)
    return dg.MaterializeResult(
        metadata={
            "candidates": len(candidates),
            "spikes": len(spikes),
            "new_alerts": len(plan.new),
            "updated_alerts": len(plan.updates),
            "suppressed": len(plan.suppressed),
            "spike_cells": ", ".join(
                f"{s.issue_type}/{s.product_family}/{s.region}={s.reviews}" for s in spikes
            ),
        }
    )
