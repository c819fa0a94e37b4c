"""Sign-in throttling: lockout per user name and per client address, expiry, and reset on success."""

from __future__ import annotations

import pytest

from triage_platform.lib.humans.throttle import MAX_TRACKED_KEYS, LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def throttle(clock: Clock) -> LoginThrottle:
    return LoginThrottle(max_failures=3, window_seconds=60, lockout_seconds=300, clock=clock)


def test_a_name_is_locked_after_the_allowed_failures_and_unlocks_later(clock: Clock) -> None:
    guard = throttle(clock)
    for _ in range(2):
        guard.failed("Ana", "10.0.0.1")
        assert guard.retry_after("ana", "10.0.0.2") == 0
    guard.failed("ana ", "10.0.0.1")  # names are compared trimmed and lowercased
    assert guard.retry_after("ANA", "10.0.0.9") == 300  # from any address
    assert guard.retry_after("bob", "10.0.0.1") == 300  # and that address, for any name
    assert guard.retry_after("bob", "10.0.0.9") == 0
    clock.now += 299.5
    assert guard.retry_after("ana", None) == 1
    clock.now += 1
    assert guard.retry_after("ana", "10.0.0.1") == 0


def test_failures_outside_the_window_do_not_add_up(clock: Clock) -> None:
    guard = throttle(clock)
    guard.failed("ana", None)
    guard.failed("ana", None)
    clock.now += 61
    guard.failed("ana", None)
    assert guard.retry_after("ana", None) == 0


def test_one_address_spraying_names_is_locked(clock: Clock) -> None:
    guard = throttle(clock)
    for name in ("ana", "bob", "carla"):
        guard.failed(name, "10.0.0.7")
    assert guard.retry_after("dora", "10.0.0.7") == 300
    assert guard.retry_after("dora", "10.0.0.8") == 0


def test_success_clears_the_name_but_not_the_address(clock: Clock) -> None:
    guard = throttle(clock)
    guard.failed("ana", "10.0.0.1")
    guard.failed("ana", "10.0.0.1")
    guard.succeeded("ana")
    guard.failed("ana", "10.0.0.2")
    guard.failed("ana", "10.0.0.2")
    assert guard.retry_after("ana", "10.0.0.3") == 0  # 2 failures since the success, not 4
    guard.failed("zed", "10.0.0.1")  # the address's third failure
    assert guard.retry_after("other", "10.0.0.1") == 300


def test_memory_stays_bounded(clock: Clock) -> None:
    guard = LoginThrottle(max_failures=2, clock=clock)
    for n in range(MAX_TRACKED_KEYS + 50):
        guard.failed(f"user{n}", None)
    assert len(guard._failures) <= MAX_TRACKED_KEYS
    guard.failed("user0", None)  # forgotten, so this is its first failure again
    assert guard.retry_after("user0", None) == 0


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        LoginThrottle(max_failures=0)
    with pytest.raises(ValueError):
        LoginThrottle(lockout_seconds=0)
