"""What a person does, as one call each: label a review (accept or correct), skip it, move an alert along
its lifecycle, change someone's role. Every call writes its effect and appends one audit entry (who, when,
what, before/after), whatever door it came through (web page, Slack button, CLI, Label Studio import).

A label is appended to `gold/labels` and applied at once to `gold/reviews` (the review's issue types,
primary issue, severity and sentiment, `human_override=True`, status `human_labeled`); rebuilding gold from
silver re-applies the latest labels (`queue.apply_labels`), so a correction is never lost.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from deltalake.exceptions import CommitFailedError

from triage_platform.lib.alerts.model import Alert
from triage_platform.lib.alerts.outbox import AlertOutbox
from triage_platform.lib.annotate.schema import NO_ISSUE
from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.delta import TableRef, as_location, sql_string
from triage_platform.lib.humans.auth import User, UserDirectory
from triage_platform.lib.humans.queue import HUMAN_LABELED_STATUS
from triage_platform.lib.humans.tables import (
    LABEL_FIELDS,
    AuditLog,
    LabelStore,
    label_id_for,
    latest_labels,
    utc_now,
)
from triage_platform.lib.paths import TriagePaths
from triage_platform.lib.transform.gold import GOLD_REVIEWS_SCHEMA

SEVERITIES = ("none", "low", "medium", "high", "critical")
SENTIMENTS = ("positive", "neutral", "negative", "mixed")

ALERT_ACTIONS: Mapping[str, str] = {
    "ack": "acknowledged",
    "investigate": "investigating",
    "fix-deployed": "fix_deployed",
    "contacted": "customer_contacted",
    "close": "closed",
    "reopen": "reopened",
}
"""CLI / web / Slack action name → lifecycle status of `gold/alerts`."""


class ActionError(ValueError):
    """A human action that cannot be applied (unknown review or alert, invalid label)."""


@dataclass(frozen=True)
class Actor:
    """Who acts and through which door."""

    name: str
    role: str | None = None
    via: str = "web"

    @classmethod
    def of(cls, user: User, via: str = "web") -> Actor:
        return cls(user.username, user.role, via)


def annotation_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The labeled fields of a gold row or label row, as plain values."""
    issues = row.get("issue_types")
    return {
        "issue_types": [str(v) for v in (list(issues) if issues is not None else [])],
        "primary_issue": row.get("primary_issue") or NO_ISSUE,
        "severity": row.get("severity") or "none",
        "sentiment": row.get("sentiment") or "neutral",
    }


def validate_label(values: Mapping[str, Any], taxonomy: Taxonomy) -> dict[str, Any]:
    """Normalize and check a label against the taxonomy and the labeling guide's consistency rules
    (primary issue among the issue types, severity `none` exactly when there is no issue)."""
    issues = [str(v) for v in dict.fromkeys(values.get("issue_types") or []) if v]
    unknown = [c for c in issues if not taxonomy.has(c)]
    if unknown:
        raise ActionError(f"unknown categories {unknown}; the taxonomy has {list(taxonomy.ids)}")
    primary = values.get("primary_issue") or (issues[0] if issues else NO_ISSUE)
    if issues and primary not in issues:
        primary = issues[0]
    if not issues:
        primary = NO_ISSUE
    severity = values.get("severity") or ("none" if not issues else "medium")
    if severity not in SEVERITIES:
        raise ActionError(f"unknown severity {severity!r}; known: {SEVERITIES}")
    if issues and severity == "none":
        raise ActionError("severity cannot be 'none' when issues are reported")
    if not issues:
        severity = "none"
    sentiment = values.get("sentiment") or "neutral"
    if sentiment not in SENTIMENTS:
        raise ActionError(f"unknown sentiment {sentiment!r}; known: {SENTIMENTS}")
    return {"issue_types": issues, "primary_issue": primary, "severity": severity, "sentiment": sentiment}


class HumanActions:
    """The effects of human actions on the lake (labels, gold/reviews, alerts, audit log, users)."""

    def __init__(self, paths: TriagePaths, taxonomy: Taxonomy, users: UserDirectory | None = None):
        self.paths = paths
        self.taxonomy = taxonomy
        self.users = users
        self.labels = LabelStore(paths.table("gold", "labels"))
        self.audit = AuditLog(paths.table("gold", "audit_log"))
        self.outbox = AlertOutbox(paths.table("gold", "alerts"))

    # ------------------------------------------------------------------------------------- reviews

    def gold_row(self, review_key: str) -> dict[str, Any]:
        frame = rows_with_key(self.paths.table("gold", "reviews"), GOLD_REVIEWS_SCHEMA, review_key)
        if frame.empty:
            raise ActionError(f"no review {review_key!r} in gold/reviews")
        return frame.iloc[0].to_dict()

    def label(
        self,
        review_key: str,
        actor: Actor,
        values: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Label a review: `values=None` accepts the current annotation, otherwise the given fields
        (missing ones keep the current value) correct it. Returns the label row."""
        now = now or utc_now()
        row = self.gold_row(review_key)
        before = annotation_fields(row)
        after = validate_label({**before, **(values or {})}, self.taxonomy)
        action = "label.accept" if values is None or after == before else "label.correct"
        label = {
            "label_id": label_id_for(review_key, actor.name, now, after),
            "review_key": review_key,
            "text": row.get("text_redacted"),
            "title": row.get("title_redacted"),
            "language": row.get("language"),
            "source": row.get("source"),
            **after,
            "annotator": actor.name,
            "labeled_at": now,
            "taxonomy_version": self.taxonomy.fingerprint,
            "before_json": _json(before),
            "after_json": _json(after),
        }
        self.labels.append([label])
        self.apply_to_gold([label])
        self._audit(
            actor,
            action=action,
            target_type="review",
            target_id=review_key,
            before=before,
            after=after,
            at=now,
        )
        return label

    def _audit(
        self,
        actor: Actor,
        *,
        action: str,
        target_type: str,
        target_id: str,
        before: Any = None,
        after: Any = None,
        at: datetime | None = None,
    ) -> None:
        """One audit-log entry for an action of `actor` (who, their role, through which door)."""
        self.audit.record(
            actor=actor.name,
            role=actor.role,
            via=actor.via,
            action=action,
            target_type=target_type,
            target_id=target_id,
            before=before,
            after=after,
            at=at,
        )

    def skip(self, review_key: str, actor: Actor, queue: str, now: datetime | None = None) -> None:
        """Record that a person passed on an item (it stays in its queue)."""
        self._audit(
            actor,
            action="label.skip",
            target_type="review",
            target_id=review_key,
            after={"queue": queue},
            at=now,
        )

    def reopen(self, review_key: str, actor: Actor, now: datetime | None = None) -> None:
        """Send a labeled review back to its queue: earlier labels no longer count toward it."""
        row = self.gold_row(review_key)
        self._audit(
            actor,
            action="label.reopen",
            target_type="review",
            target_id=review_key,
            before=annotation_fields(row),
            after={"route": row.get("route")},
            at=now,
        )

    def import_labels(self, rows: Sequence[Mapping[str, Any]], actor: Actor) -> int:
        """Append labels made elsewhere (Label Studio); already-known label ids are skipped. Each new label
        is applied to gold/reviews and audited. Returns how many were new."""
        known = set(self.labels.all()["label_id"]) if self.labels.exists() else set()
        fresh = [dict(r) for r in rows if r["label_id"] not in known]
        if not fresh:
            return 0
        self.labels.append(fresh)
        self.apply_to_gold(fresh)
        self.audit.record_many(
            {
                "audit_id": f"import-{row['label_id']}",
                "at": utc_now(),
                "actor": actor.name,
                "role": actor.role,
                "via": actor.via,
                "action": "label.import",
                "target_type": "review",
                "target_id": row["review_key"],
                "before_json": row.get("before_json"),
                "after_json": row.get("after_json"),
            }
            for row in fresh
        )
        return len(fresh)

    def apply_to_gold(self, labels: Sequence[Mapping[str, Any]], max_conflicts: int = 20) -> int:
        """Write the latest of `labels` into `gold/reviews` (matched on review key): the labeled fields,
        `human_override=True`, status `human_labeled`. Returns the rows updated (0 when gold is absent)."""
        gold = self.paths.table("gold", "reviews")
        if not labels or not gold.exists():
            return 0
        latest = latest_labels(pd.DataFrame(list(labels)))
        source = pa.table(
            {
                "review_key": pa.array(latest["review_key"].tolist(), pa.string()),
                "issue_types": pa.array([list(v) for v in latest["issue_types"]], pa.list_(pa.string())),
                "primary_issue": pa.array(latest["primary_issue"].tolist(), pa.string()),
                "severity": pa.array(latest["severity"].tolist(), pa.string()),
                "sentiment": pa.array(latest["sentiment"].tolist(), pa.string()),
            }
        )
        updates = {c: f"s.{c}" for c in LABEL_FIELDS}
        updates["human_override"] = "true"
        updates["status"] = sql_string(HUMAN_LABELED_STATUS)
        for conflict in range(max_conflicts):
            try:
                metrics = (
                    gold.open()
                    .merge(
                        source, predicate="t.review_key = s.review_key", source_alias="s", target_alias="t"
                    )
                    .when_matched_update(updates=updates)
                    .execute()
                )
            except CommitFailedError:
                time.sleep(random.uniform(0.01, 0.05) * (conflict + 1))
                continue
            return int(metrics.get("num_target_rows_updated", 0))
        raise ActionError(f"{gold}: gave up after {max_conflicts} conflicting concurrent writes")

    # ------------------------------------------------------------------------------------- alerts

    def alert(self, alert_id: str) -> Alert:
        alert = self.outbox.get(alert_id)
        if alert is None:
            raise ActionError(f"no alert {alert_id!r} in gold/alerts")
        return alert

    def alert_action(self, alert_id: str, action: str, actor: Actor, now: datetime | None = None) -> Alert:
        """Move an alert along its lifecycle (`ack`, `investigate`, `fix-deployed`, `contacted`, `close`,
        `reopen`) and audit it."""
        if action not in ALERT_ACTIONS:
            raise ActionError(f"unknown alert action {action!r}; known: {list(ALERT_ACTIONS)}")
        now = now or utc_now()
        before = self.alert(alert_id)
        after = self.outbox.set_lifecycle(alert_id, ALERT_ACTIONS[action], now)
        self._audit(
            actor,
            action=f"alert.{ALERT_ACTIONS[action]}",
            target_type="alert",
            target_id=after.alert_id,
            before=lifecycle_view(before),
            after=lifecycle_view(after),
            at=now,
        )
        return after

    # ------------------------------------------------------------------------------------- users

    def change_role(self, username: str, role: str, actor: Actor) -> User:
        if self.users is None:
            raise ActionError("no users file configured")
        before, after = self.users.set_role(username, role)
        self._audit(
            actor,
            action="user.role",
            target_type="user",
            target_id=username,
            before={"role": before.role},
            after={"role": after.role},
        )
        return after


def rows_with_key(
    table_ref: TableRef, schema: pa.Schema, review_key: str, columns: list[str] | None = None
) -> pd.DataFrame:
    """Rows of a review-keyed Delta table for one review (filtered in Arrow; string-view safe)."""
    location = as_location(table_ref)
    if not location.exists():
        return schema.empty_table().to_pandas()
    table = location.open().to_pyarrow_dataset().to_table(columns=columns)
    keys = table.column("review_key").cast(pa.string())
    return table.filter(pc.equal(keys, review_key)).to_pandas()


def lifecycle_view(alert: Alert) -> dict[str, Any]:
    """The lifecycle columns of an alert (for the audit log)."""
    return {
        "lifecycle_status": alert.lifecycle_status,
        "acknowledged_at": alert.acknowledged_at,
        "investigating_at": alert.investigating_at,
        "fix_deployed_at": alert.fix_deployed_at,
        "customer_contacted_at": alert.customer_contacted_at,
        "closed_at": alert.closed_at,
    }


def _json(value: Any) -> str:
    from triage_platform.lib.humans.tables import to_json

    return to_json(value)
