"""The fatigue policy, pure: grouping, dedupe within a window, cooldown, follow-ups, reopen, digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from triage_platform.lib.alerts.model import Alert, alerts_to_frame, make_alert_id
from triage_platform.lib.alerts.policy import AlertPolicy, build_digest, due_digests, plan_alerts
from triage_platform_tests.lib.alerts.helpers import candidate, hours

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
MIDNIGHT = datetime(2026, 11, 24, tzinfo=UTC)


def delivered(alert: Alert, at: datetime) -> Alert:
    """An alert as the outbox holds it after delivery at `at`."""
    return alert.model_copy(
        update={
            "delivery_status": "delivered",
            "delivered_at": at,
            "notified_at": at,
            "notified_count": alert.review_count,
        }
    )


def test_candidates_of_one_key_and_window_become_one_alert_with_counts() -> None:
    candidates = [
        candidate("r1", at=NOW - hours(3), confidence=0.8),
        candidate("r2", at=NOW - hours(2), confidence=1.0, priority="critical", sku="SKU-0043"),
        candidate("r3", at=NOW - hours(1), confidence=0.9, sku="SKU-0043"),
        candidate("r4", at=NOW - hours(1), region="US-CA"),  # another region: its own alert
    ]
    plan = plan_alerts(candidates, None, NOW)

    assert len(plan.new) == 2 and not plan.updates
    grouped = next(a for a in plan.new if a.region == "BR-SP")
    assert grouped.review_count == 3
    assert grouped.priority == "critical"  # the highest of the group
    assert grouped.confidence is not None and abs(grouped.confidence - 0.9) < 1e-9
    assert grouped.sample_review_keys == ["r2", "r3", "r1"]  # most urgent, then most confident first
    assert grouped.sku == "SKU-0043"  # the most frequent
    assert grouped.window_start == MIDNIGHT
    assert grouped.alert_id == make_alert_id(grouped.dedupe_key, MIDNIGHT, 0)
    assert grouped.delivery_status == "pending" and grouped.next_attempt_at == NOW
    assert len(plan.suppressed) == 2  # r1 and r3 ride along with r2


def test_same_candidates_again_are_a_no_op() -> None:
    candidates = [candidate("r1", at=NOW), candidate("r2", at=NOW)]
    first = plan_alerts(candidates, None, NOW)
    again = plan_alerts(candidates, alerts_to_frame(first.new), NOW + hours(1))
    assert again.is_empty and len(again.suppressed) == 2


def test_new_evidence_within_the_window_updates_the_alert_without_a_new_message() -> None:
    first = plan_alerts([candidate("r1", at=NOW - hours(5))], None, NOW - hours(5)).new[0]
    stored = delivered(first, NOW - hours(5))

    plan = plan_alerts([candidate("r2", at=NOW), candidate("r3", at=NOW)], [stored], NOW)

    assert not plan.new
    (updated,) = plan.updates
    assert updated.alert_id == first.alert_id
    assert updated.review_count == 3 and updated.sample_review_keys == ["r1", "r2", "r3"]
    assert updated.delivery_status == "delivered"  # nothing to send: below the follow-up threshold


def test_growth_after_the_cooldown_sends_one_follow_up() -> None:
    policy = AlertPolicy(followup_ratio=2.0, followup_min_increase=5, cooldown=hours(6))
    first = plan_alerts([candidate(f"a{i}", at=MIDNIGHT) for i in range(5)], None, MIDNIGHT + hours(1)).new[0]
    stored = delivered(first, MIDNIGHT + hours(1))

    # grown 5 → 11 but only 3 h after the message: count updated, no follow-up (cooldown)
    early = plan_alerts([candidate(f"b{i}", at=NOW) for i in range(6)], [stored], MIDNIGHT + hours(4), policy)
    assert not early.new and early.updates[0].review_count == 11

    # the same growth 7 h after the message: one follow-up, and the alert remembers it notified 11
    late = plan_alerts([candidate(f"b{i}", at=NOW) for i in range(6)], [stored], MIDNIGHT + hours(8), policy)
    (followup,) = late.new
    (parent,) = late.updates
    assert followup.followup_of == first.alert_id and followup.alert_id != first.alert_id
    assert followup.review_count == 11 and "was 5" in followup.body
    assert followup.delivery_status == "pending"
    assert parent.notified_count == 11 and parent.notified_at == MIDNIGHT + hours(8)

    # small growth afterwards (11 → 13) stays quiet even after the cooldown
    quiet = plan_alerts(
        [candidate(f"c{i}", at=NOW) for i in range(2)], [parent, followup], NOW + hours(9), policy
    )
    assert not quiet.new


def test_a_new_window_within_the_cooldown_is_deferred_not_dropped() -> None:
    yesterday = plan_alerts([candidate("r1", at=MIDNIGHT - hours(2))], None, MIDNIGHT - hours(2)).new[0]
    stored = delivered(yesterday, MIDNIGHT - hours(1))

    plan = plan_alerts([candidate("r2", at=MIDNIGHT + hours(1))], [stored], MIDNIGHT + hours(1))

    (today,) = plan.new
    assert today.window_start == MIDNIGHT and today.alert_id != yesterday.alert_id
    assert today.delivery_status == "pending"
    assert today.next_attempt_at == MIDNIGHT - hours(1) + timedelta(hours=6)  # last message + cooldown


def test_recurrence_after_close_reopens_as_a_new_alert() -> None:
    first = plan_alerts([candidate("r1", at=MIDNIGHT)], None, MIDNIGHT + hours(1)).new[0]
    closed = delivered(first, MIDNIGHT + hours(1)).model_copy(
        update={"lifecycle_status": "closed", "closed_at": MIDNIGHT + hours(2)}
    )

    # the old review again: nothing (a pipeline rerun must not reopen a closed issue)
    assert plan_alerts([candidate("r1", at=MIDNIGHT)], [closed], NOW).is_empty

    plan = plan_alerts([candidate("r9", at=NOW)], [closed], NOW)
    (reopened,) = plan.new
    assert reopened.reopened_from == first.alert_id
    assert reopened.generation == 1 and reopened.lifecycle_status == "reopened"
    assert reopened.alert_id == make_alert_id(first.dedupe_key, MIDNIGHT, 1) != first.alert_id
    assert reopened.delivery_status == "pending" and reopened.next_attempt_at == NOW  # no cooldown on reopen


def test_evidence_from_before_the_close_does_not_reopen() -> None:
    yesterday = MIDNIGHT - timedelta(days=1)
    first = plan_alerts([candidate("r1", at=yesterday)], None, yesterday + hours(1)).new[0]
    closed = delivered(first, yesterday + hours(1)).model_copy(
        update={"lifecycle_status": "closed", "closed_at": NOW - hours(1)}
    )
    late = plan_alerts([candidate("r0", at=yesterday + hours(3))], [closed], NOW)  # a late file for yesterday
    assert not late.new
    assert late.updates[0].lifecycle_status == "closed" and late.updates[0].review_count == 2


def test_low_priorities_wait_for_the_daily_digest() -> None:
    plan = plan_alerts(
        [
            candidate("r1", at=NOW, priority="normal", category="sizing_fit"),
            candidate("r2", at=NOW, priority="low", category="pricing_value"),
            candidate("r3", at=NOW, priority="high"),
        ],
        None,
        NOW,
    )
    held = [a for a in plan.new if a.delivery_status == "suppressed"]
    assert sorted(a.category for a in held) == ["pricing_value", "sizing_fit"]
    assert all(a.suppressed_reason == "digest" and a.next_attempt_at is None for a in held)

    # not due before 08:00 UTC the next day; then one digest per owner listing both
    assert due_digests(plan.new, NOW + hours(12)).is_empty
    due = due_digests(plan.new, MIDNIGHT + timedelta(days=1, hours=8))
    (digest,) = due.new
    assert digest.kind == "digest" and digest.delivery_status == "pending"
    assert digest.review_count == 2 and digest.body.count("•") == 2
    assert {a.digest_id for a in due.updates} == {digest.alert_id}
    # once digested, the same alerts are not digested again
    assert due_digests([*due.new, *due.updates], MIDNIGHT + timedelta(days=2, hours=9)).is_empty


def test_build_digest_lists_strongest_first_and_caps_lines() -> None:
    alerts = [
        candidate(
            f"r{i}", at=NOW, priority="low", category=f"cat_{i}", review_count=i + 1, evidence_keys=[f"r{i}"]
        )
        for i in range(30)
    ]
    digest = build_digest(alerts, date(2026, 11, 24), now=NOW)
    assert digest is not None
    lines = digest.body.splitlines()
    assert len(lines) == 26 and lines[-1] == "… and 5 more"
    assert "cat_29" in lines[0]  # the biggest count first
    assert digest.owner == "logistics" and digest.channel == "#triage-logistics"
    assert build_digest([], date(2026, 11, 24)) is None


def test_backfilled_windows_go_to_the_digest_instead_of_paging() -> None:
    old = candidate("r1", at=NOW - timedelta(days=10), priority="critical")
    (alert,) = plan_alerts([old], None, NOW).new
    assert alert.delivery_status == "suppressed" and alert.suppressed_reason == "stale"


def test_a_spike_found_late_still_pages_within_a_week_but_not_after() -> None:
    recent = candidate("s1", at=NOW - timedelta(days=4), priority="high", kind="spike")
    (alert,) = plan_alerts([recent], None, NOW).new
    assert alert.delivery_status == "pending"
    review = candidate("r1", at=NOW - timedelta(days=4), priority="high")
    assert plan_alerts([review], None, NOW).new[0].suppressed_reason == "stale"
    ancient = candidate("s2", at=NOW - timedelta(days=10), priority="high", kind="spike")
    assert plan_alerts([ancient], None, NOW).new[0].suppressed_reason == "stale"


def test_escalation_releases_a_held_alert() -> None:
    held = plan_alerts([candidate("r1", at=NOW, priority="normal")], None, NOW).new[0]
    assert held.delivery_status == "suppressed"
    plan = plan_alerts([candidate("r2", at=NOW, priority="critical")], [held], NOW + hours(1))
    (released,) = plan.updates
    assert released.priority == "critical" and released.delivery_status == "pending"
    assert released.review_count == 2


def test_spikes_keep_the_highest_count_and_repeat_quietly() -> None:
    def spike(count: int) -> Alert:
        return candidate(
            "x",
            at=MIDNIGHT,
            kind="spike",
            review_count=count,
            evidence_keys=[f"spike:2026-11-24:{count}"],
            sample_review_keys=[],
        )

    first = plan_alerts([spike(12)], None, NOW).new[0]
    assert first.review_count == 12
    assert plan_alerts([spike(12)], [first], NOW).is_empty
    (updated,) = plan_alerts([spike(15)], [first], NOW).updates
    assert updated.review_count == 15 and updated.alert_id == first.alert_id
