"""Alert-fatigue policy: which candidate alerts become messages, which are merged into an existing alert,
and which wait for the daily digest. Pure functions over `Alert` values and the outbox frame; no I/O.

Decisions (`plan_alerts`), in order:

1. **Windows.** A candidate's `window_start` (its event time: a review's submission, a spike's day) is
   aligned down to the policy grid: multiples of `window` since the Unix epoch, so UTC midnight for the
   default 24 h. Deduplication is by `dedupe_key` (kind × category × product family × region for
   reviews and spikes; asset × check × partition for checks; job for run failures) and that window.
2. **Repeats are no-ops.** Every alert remembers its `evidence_keys` (review keys, run ids, spike
   observations). A candidate whose evidence is already recorded for its dedupe key (in any window or
   generation) is *suppressed*: re-running a pipeline never creates a second row or a second message,
   and never inflates a count.
3. **Grouping.** Fresh candidates with the same dedupe key and window become one alert: the count is the
   number of distinct evidence keys (reviews, failed runs; for spikes the highest observed count), the
   priority is the highest, confidence is the count-weighted mean, samples are the most confident
   reviews (at most `max_samples`), the SKU is the most frequent one.
4. **Merge into the open alert of the window.** If an alert that is not closed already exists for the key
   and window, the group is merged into it (count, samples, confidence, evidence): no new message. A
   pending alert simply goes out later with the bigger count.
5. **Follow-up.** After a merge into an alert that was already *delivered*, one follow-up message is
   queued when the count has grown to at least `followup_ratio` × the count last notified (default 2×)
   *and* by at least `followup_min_increase` (default 5), and the `cooldown` since the last message for
   the alert has passed. The follow-up is its own row (`followup_of` = the alert, id = the alert's id
   inputs + follow-up number); the alert's `notified_count`/`notified_at` move forward.
6. **Reopen.** If the latest alert for the key is *closed* and the fresh evidence's window ends after it
   was closed, the issue recurred: a new alert with `generation` + 1, `reopened_from` = the closed alert
   and lifecycle `reopened` is created (no cooldown: a team that believed it fixed should hear at once).
   Fresh evidence from windows that ended before the close is added to the closed alert silently.
7. **New window.** Otherwise a new alert is created for the window. If any message for the same key went
   out (or is scheduled) less than `cooldown` ago, the new alert is *deferred*: it stays pending with
   `next_attempt_at` = last message + cooldown (it is never dropped; it goes out with the count it has
   by then).
8. **Digest.** Priorities in `digest_priorities` (default low and normal) are not delivered on their own:
   they are stored with delivery status `suppressed`, reason `digest`. Alerts whose window ended more than
   `stale_after` ago (backfills, late files) are likewise held with reason `stale`, so re-processing a
   month of history pages nobody. Held alerts are collected per owner into one digest per UTC day
   (`build_digest`), due at `digest_hour_utc` the next morning. A held alert that a merge escalates to a
   paging priority before its digest was built is released for immediate delivery.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from triage_platform.lib.alerts.messages import count_phrase, digest_line
from triage_platform.lib.alerts.model import (
    PRIORITIES,
    PRIORITY_RANK,
    Alert,
    alerts_from_frame,
    day_start,
    dedupe_key_for,
    make_alert_id,
    max_priority,
    utc,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HELD_REASONS: frozenset[str] = frozenset({"digest", "stale"})


@dataclass(frozen=True)
class AlertPolicy:
    """Tunables of deduplication, cooldown, follow-ups and the digest (see the module docstring)."""

    window: timedelta = timedelta(hours=24)
    cooldown: timedelta = timedelta(hours=6)
    digest_priorities: frozenset[str] = frozenset({"low", "normal"})
    followup_ratio: float = 2.0
    followup_min_increase: int = 5
    stale_after: timedelta = timedelta(hours=48)
    spike_stale_after: timedelta = timedelta(days=7)
    max_samples: int = 5
    digest_hour_utc: int = 8
    digest_max_lines: int = 25

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest_priorities", frozenset(self.digest_priorities))
        unknown = self.digest_priorities - set(PRIORITIES)
        if unknown:
            raise ValueError(f"unknown priorities in digest_priorities: {sorted(unknown)}")
        if self.window <= timedelta(0):
            raise ValueError("window must be positive")
        if not 0 <= self.digest_hour_utc < 24:
            raise ValueError("digest_hour_utc must be in 0..23")

    def align(self, moment: datetime) -> datetime:
        """Start of the window containing `moment` (epoch-aligned grid; UTC midnight for 24 h)."""
        elapsed = utc(moment) - EPOCH
        return EPOCH + self.window * (elapsed // self.window)

    def is_stale(self, window_start: datetime, now: datetime, kind: str = "review") -> bool:
        """Too old to page anyone. Spikes keep paging for `spike_stale_after` (a week by default): a
        spike found late, e.g. in a late file or the first run over a backlog, is still news."""
        limit = self.spike_stale_after if kind == "spike" else self.stale_after
        return window_start + self.window + limit <= now

    def held_for_digest(self, priority: str) -> bool:
        return priority in self.digest_priorities

    def digest_due(self, day: date, now: datetime) -> bool:
        """Whether the digest of `day` (UTC) may be sent at `now`."""
        return now >= day_start(day) + timedelta(days=1, hours=self.digest_hour_utc)


@dataclass
class AlertPlan:
    """What `plan_alerts` decided.

    - `new`: rows to insert (alerts to deliver, deferred ones, held ones with delivery status
      `suppressed`, follow-ups, reopened alerts);
    - `updates`: existing rows that changed (merged counts, escalations, follow-up bookkeeping);
    - `suppressed`: the candidates that cause no message of their own (repeats of recorded evidence,
      or merged into an existing alert).
    """

    new: list[Alert] = field(default_factory=list)
    updates: list[Alert] = field(default_factory=list)
    suppressed: list[Alert] = field(default_factory=list)

    @property
    def rows(self) -> list[Alert]:
        """Everything to write (new + updates)."""
        return [*self.new, *self.updates]

    @property
    def is_empty(self) -> bool:
        return not self.new and not self.updates


# ------------------------------------------------------------------------------------------------ plan


def evidence_of(candidate: Alert) -> list[str]:
    """A candidate's evidence keys: its own, else its sample review keys, else one synthetic key for the
    observation (dedupe key, window start and count)."""
    keys = candidate.evidence_keys or candidate.sample_review_keys
    if keys:
        return list(dict.fromkeys(keys))
    return [f"{candidate.dedupe_key}@{utc(candidate.window_start).isoformat()}#{candidate.review_count}"]


def plan_alerts(
    candidates: Sequence[Alert],
    existing: pd.DataFrame | Sequence[Alert] | None,
    now: datetime,
    policy: AlertPolicy | None = None,
) -> AlertPlan:
    """Decide, for candidate alerts, what to insert and what to update in the outbox (see module docstring).

    `existing` is the current `gold/alerts` frame (or its alerts). Deterministic: the same inputs give the
    same plan with the same ids.
    """
    return _Planner(policy or AlertPolicy(), utc(now), _as_alerts(existing)).plan(candidates)


def _as_alerts(existing: pd.DataFrame | Sequence[Alert] | None) -> list[Alert]:
    if existing is None:
        return []
    if isinstance(existing, pd.DataFrame):
        return alerts_from_frame(existing)
    return list(existing)


class _Planner:
    def __init__(self, policy: AlertPolicy, now: datetime, existing: list[Alert]) -> None:
        self.policy = policy
        self.now = now
        self.rows: dict[str, Alert] = {a.alert_id: a for a in existing}
        self.by_key: dict[str, list[str]] = defaultdict(list)
        self.seen: dict[str, set[str]] = defaultdict(set)
        for alert in existing:
            self.by_key[alert.dedupe_key].append(alert.alert_id)
            self.seen[alert.dedupe_key].update(alert.evidence_keys)
        self.new_ids: list[str] = []
        self.updated_ids: list[str] = []
        self.suppressed: list[Alert] = []

    # ------------------------------------------------------------------ bookkeeping

    def _put(self, alert: Alert, *, new: bool) -> None:
        self.rows[alert.alert_id] = alert
        if new:
            self.new_ids.append(alert.alert_id)
            self.by_key[alert.dedupe_key].append(alert.alert_id)
        elif alert.alert_id not in self.new_ids and alert.alert_id not in self.updated_ids:
            self.updated_ids.append(alert.alert_id)

    def _issue_rows(self, key: str) -> list[Alert]:
        """Alerts of a dedupe key, follow-up messages excluded."""
        return [self.rows[i] for i in self.by_key.get(key, []) if not self.rows[i].followup_of]

    def _last_notice(self, key: str) -> datetime | None:
        """When the last message for this key went out or is scheduled to."""
        moments = []
        for alert_id in self.by_key.get(key, []):
            alert = self.rows[alert_id]
            moments += [m for m in (alert.notified_at, alert.delivered_at) if m is not None]
            if alert.delivery_status == "pending" and alert.next_attempt_at is not None:
                moments.append(alert.next_attempt_at)
        return max(moments) if moments else None

    # ------------------------------------------------------------------ plan

    def plan(self, candidates: Sequence[Alert]) -> AlertPlan:
        groups: dict[tuple[str, datetime], list[tuple[Alert, list[str]]]] = defaultdict(list)
        for candidate in candidates:
            key = candidate.dedupe_key
            window_start = self.policy.align(candidate.window_start)
            fresh = [k for k in evidence_of(candidate) if k not in self.seen[key]]
            if not fresh:
                self.suppressed.append(candidate)
                continue
            self.seen[key].update(fresh)
            groups[(key, window_start)].append(
                (candidate.model_copy(update={"window_start": window_start}), fresh)
            )
        for key, window_start in sorted(groups, key=lambda kw: (kw[1], kw[0])):
            self._apply(self._group(groups[(key, window_start)]))
        return AlertPlan(
            new=[self.rows[i] for i in self.new_ids],
            updates=[self.rows[i] for i in self.updated_ids],
            suppressed=self.suppressed,
        )

    def _group(self, members: list[tuple[Alert, list[str]]]) -> Alert:
        ordered = sorted(
            members,
            key=lambda m: (-m[0].rank, -(m[0].confidence if m[0].confidence is not None else -1.0), m[1][0]),
        )
        top = ordered[0][0]
        evidence = list(dict.fromkeys(k for _, fresh in ordered for k in fresh))
        if top.additive:
            count = len(evidence)
            weights = [(c.confidence, len(fresh)) for c, fresh in ordered if c.confidence is not None]
            total = sum(w for _, w in weights)
            confidence = sum(c * w for c, w in weights) / total if total else None
        else:
            strongest = max(ordered, key=lambda m: m[0].review_count)[0]
            count, confidence = strongest.review_count, strongest.confidence
        samples = list(dict.fromkeys(k for c, _ in ordered for k in c.sample_review_keys))[
            : self.policy.max_samples
        ]
        skus = Counter(c.sku for c, _ in ordered if c.sku)
        sku = sorted(skus.items(), key=lambda item: (-item[1], item[0]))[0][0] if skus else None
        sample_text = next((c.sample_text for c, _ in ordered if c.sample_text), None)
        if len(members) > 1:
            self.suppressed.extend(c for c, _ in ordered[1:])
        return top.model_copy(
            update={
                "priority": max_priority([c.priority for c, _ in ordered]),
                "review_count": count,
                "confidence": confidence,
                "evidence_keys": evidence,
                "sample_review_keys": samples,
                "sample_text": sample_text,
                "sku": sku,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )

    def _apply(self, group: Alert) -> None:
        key, window_start = group.dedupe_key, group.window_start
        rows = self._issue_rows(key)
        open_here = [r for r in rows if r.window_start == window_start and not r.is_closed]
        if open_here:
            self._merge(max(open_here, key=lambda r: r.generation), group)
            return
        latest = max(rows, key=lambda r: (r.generation, r.window_start, r.created_at or EPOCH), default=None)
        if latest is not None and latest.is_closed:
            closed_at = latest.closed_at or latest.updated_at or self.now
            if window_start + self.policy.window <= closed_at:
                self._merge(latest, group)  # old news about a closed issue: count it, say nothing
                return
            reopened = group.model_copy(
                update={
                    "generation": latest.generation + 1,
                    "reopened_from": latest.alert_id,
                    "lifecycle_status": "reopened",
                }
            )
            self._insert(reopened, cooldown=False)
            return
        generation = latest.generation if latest is not None else 0
        self._insert(group.model_copy(update={"generation": generation}), cooldown=True)

    def _insert(self, alert: Alert, *, cooldown: bool) -> None:
        alert = alert.with_id()
        while alert.alert_id in self.rows:  # never overwrite a row: bump the generation
            alert = alert.model_copy(update={"generation": alert.generation + 1}).with_id()
        update: dict = {
            "delivery_status": "pending",
            "attempts": 0,
            "next_attempt_at": self.now,
            "last_error": None,
            "delivered_at": None,
            "sink_message_ids": {},
            "closed_at": None,
            "digest_id": None,
            "suppressed_reason": None,
            "inflight_since": None,
            "notified_count": None,
            "notified_at": None,
            "created_at": self.now,
            "updated_at": self.now,
        }
        if self.policy.is_stale(alert.window_start, self.now, alert.kind):
            update.update(delivery_status="suppressed", suppressed_reason="stale", next_attempt_at=None)
        elif self.policy.held_for_digest(alert.priority):
            update.update(delivery_status="suppressed", suppressed_reason="digest", next_attempt_at=None)
        elif cooldown:
            last = self._last_notice(alert.dedupe_key)
            if last is not None and self.now < last + self.policy.cooldown:
                update["next_attempt_at"] = last + self.policy.cooldown
        self._put(alert.model_copy(update=update), new=True)

    def _merge(self, target: Alert, group: Alert) -> None:
        before = target.review_count
        evidence = list(dict.fromkeys([*target.evidence_keys, *group.evidence_keys]))
        if target.additive:
            count = before + len(group.evidence_keys)
            weights = [
                (c, w)
                for c, w in ((target.confidence, before), (group.confidence, group.review_count))
                if c is not None
            ]
            total = sum(w for _, w in weights)
            confidence = sum(c * w for c, w in weights) / total if total else None
        else:
            count = max(before, group.review_count)
            confidence = group.confidence if group.review_count > before else target.confidence
        priority = max_priority([target.priority, group.priority])
        update: dict = {
            "evidence_keys": evidence,
            "review_count": count,
            "confidence": confidence,
            "priority": priority,
            "sample_review_keys": list(
                dict.fromkeys([*target.sample_review_keys, *group.sample_review_keys])
            )[: self.policy.max_samples],
            "sample_text": target.sample_text or group.sample_text,
            "sku": target.sku or group.sku,
            "updated_at": self.now,
        }
        escalated = PRIORITY_RANK[priority] > target.rank
        if (
            escalated
            and target.delivery_status == "suppressed"
            and target.suppressed_reason == "digest"
            and target.digest_id is None
            and not target.is_closed
            and not self.policy.held_for_digest(priority)
        ):
            update.update(delivery_status="pending", suppressed_reason=None, next_attempt_at=self.now)
        merged = target.model_copy(update=update)
        followup = self._followup(merged)
        if followup is not None:
            merged = merged.model_copy(
                update={"notified_count": merged.review_count, "notified_at": self.now}
            )
        self._put(merged, new=False)
        if followup is not None:
            self._put(followup, new=True)
        self.suppressed.append(group)

    def _followup(self, alert: Alert) -> Alert | None:
        if alert.delivery_status != "delivered" or alert.is_closed:
            return None
        if self.policy.is_stale(alert.window_start, self.now, alert.kind):
            return None
        base = alert.notified_count or 0
        last = alert.notified_at or alert.delivered_at
        grown = (
            base > 0
            and alert.review_count >= self.policy.followup_ratio * base
            and alert.review_count - base >= self.policy.followup_min_increase
        )
        if not grown or last is None or self.now < last + self.policy.cooldown:
            return None
        number = 1 + sum(1 for a in self.rows.values() if a.followup_of == alert.alert_id)
        followup_id = make_alert_id(alert.dedupe_key, alert.window_start, alert.generation, number)
        body = f"Now {count_phrase(alert)} (was {base} when last notified)."
        if alert.body:
            body += "\n" + alert.body
        return alert.model_copy(
            update={
                "alert_id": followup_id,
                "followup_of": alert.alert_id,
                "body": body,
                "evidence_keys": [],
                "delivery_status": "pending",
                "attempts": 0,
                "next_attempt_at": self.now,
                "last_error": None,
                "delivered_at": None,
                "sink_message_ids": {},
                "notified_count": None,
                "notified_at": None,
                "inflight_since": None,
                "digest_id": None,
                "suppressed_reason": None,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )


# ---------------------------------------------------------------------------------------------- digest


def build_digest(
    alerts: Iterable[Alert],
    day: date,
    *,
    now: datetime | None = None,
    owner: str | None = None,
    channel: str | None = None,
    policy: AlertPolicy | None = None,
) -> Alert | None:
    """One digest alert for `day` listing `alerts` (held low-priority or stale alerts of one owner):
    strongest first, one line each with its count and link, at most `digest_max_lines` lines plus "and N
    more". None when there is nothing to digest. The digest itself is delivered (pending), never held."""
    policy = policy or AlertPolicy()
    members = sorted(alerts, key=lambda a: (-a.rank, -a.review_count, a.title, a.alert_id))
    if not members:
        return None
    owners = {a.owner for a in members}
    channels = {a.channel for a in members}
    owner = owner if owner is not None else (owners.pop() if len(owners) == 1 else None)
    channel = channel if channel is not None else (channels.pop() if len(channels) == 1 else None)
    moment = utc(now) if now is not None else datetime.now(UTC)
    lines = [digest_line(a) for a in members[: policy.digest_max_lines]]
    if len(members) > policy.digest_max_lines:
        lines.append(f"… and {len(members) - policy.digest_max_lines} more")
    key = dedupe_key_for("digest", owner, day.isoformat())
    window_start = day_start(day)
    return Alert(
        alert_id=make_alert_id(key, window_start),
        kind="digest",
        dedupe_key=key,
        window_start=window_start,
        owner=owner,
        channel=channel,
        priority=max_priority([a.priority for a in members]),
        title=f"{day.isoformat()}{' · ' + owner if owner else ''}: {len(members)} lower-priority alerts",
        body="\n".join(lines),
        review_count=len(members),
        sample_review_keys=[k for a in members for k in a.sample_review_keys][: policy.max_samples],
        evidence_keys=[a.alert_id for a in members],
        delivery_status="pending",
        next_attempt_at=moment,
        created_at=moment,
        updated_at=moment,
    )


def due_digests(alerts: Iterable[Alert], now: datetime, policy: AlertPolicy | None = None) -> AlertPlan:
    """Digests for every (UTC day, owner, channel) whose held alerts are due at `now`, plus the held alerts
    marked with their `digest_id`. Held alerts are those suppressed with reason `digest` or `stale` and no
    digest yet; an alert belongs to the day it was created on. Ids that already exist get the next
    generation, so a digest row is never overwritten."""
    policy = policy or AlertPolicy()
    now = utc(now)
    everything = list(alerts)
    taken = {a.alert_id for a in everything}
    groups: dict[tuple[date, str | None, str | None], list[Alert]] = defaultdict(list)
    for alert in everything:
        if alert.delivery_status != "suppressed" or alert.digest_id is not None:
            continue
        if alert.suppressed_reason not in HELD_REASONS or alert.created_at is None:
            continue
        day = alert.created_at.date()
        if policy.digest_due(day, now):
            groups[(day, alert.owner, alert.channel)].append(alert)
    plan = AlertPlan()
    for (day, owner, channel), members in sorted(
        groups.items(), key=lambda g: (g[0][0], str(g[0][1]), str(g[0][2]))
    ):
        digest = build_digest(members, day, now=now, owner=owner, channel=channel, policy=policy)
        assert digest is not None
        while digest.alert_id in taken:
            digest = digest.model_copy(update={"generation": digest.generation + 1}).with_id()
        taken.add(digest.alert_id)
        plan.new.append(digest)
        plan.updates.extend(
            m.model_copy(update={"digest_id": digest.alert_id, "updated_at": now}) for m in members
        )
    return plan
