"""Sign-in throttling: after too many wrong passwords, a name (or a client address) is locked for a while.

Two keys are counted for every failed sign-in: the user name tried (lowercased), so one account cannot be
guessed from many addresses, and the client address, so one address cannot spray many names. A key with
`max_failures` failures inside `window_seconds` is locked for `lockout_seconds`; while locked, every
attempt is refused before the password is checked (the refusal says when to retry, never whether the
name exists). A successful sign-in clears the name's failures, not the address's. State lives in memory
of the serving process: a restart forgets it, and several server processes count separately.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW_SECONDS = 15 * 60.0
DEFAULT_LOCKOUT_SECONDS = 15 * 60.0
MAX_TRACKED_KEYS = 10_000
"""Keys kept at most; the least recently failed are forgotten first, so a flood cannot exhaust memory."""


@dataclass
class LoginThrottle:
    """Counts failed sign-ins per user name and per client address (see the module doc)."""

    max_failures: int = DEFAULT_MAX_FAILURES
    window_seconds: float = DEFAULT_WINDOW_SECONDS
    lockout_seconds: float = DEFAULT_LOCKOUT_SECONDS
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _locked_until: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.max_failures < 1:
            raise ValueError(f"max_failures must be at least 1, not {self.max_failures}")
        if self.window_seconds <= 0 or self.lockout_seconds <= 0:
            raise ValueError("window_seconds and lockout_seconds must be positive")

    @staticmethod
    def keys(username: str, client: str | None) -> tuple[str, ...]:
        """The counters one attempt touches: the name tried and the client address (when known)."""
        name = f"user:{username.strip().lower()}"
        return (name, f"client:{client}") if client else (name,)

    def retry_after(self, username: str, client: str | None) -> int:
        """Seconds until an attempt for (`username`, `client`) is allowed again; 0 when it is allowed now."""
        now = self.clock()
        with self._lock:
            waits = [self._locked_until.get(key, 0.0) - now for key in self.keys(username, client)]
        wait = max(waits)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, username: str, client: str | None) -> None:
        """Record a wrong password (or unknown name); locks a key that reaches `max_failures`."""
        now = self.clock()
        with self._lock:
            for key in self.keys(username, client):
                times = self._failures.pop(key, None) or deque()
                while times and now - times[0] > self.window_seconds:
                    times.popleft()
                times.append(now)
                if len(times) >= self.max_failures:
                    self._locked_until[key] = now + self.lockout_seconds
                    times.clear()
                self._failures[key] = times  # re-inserted last: dict order = least recently failed first
            while len(self._failures) > MAX_TRACKED_KEYS:
                oldest = next(iter(self._failures))
                del self._failures[oldest]
            for key in [k for k, until in self._locked_until.items() if until <= now]:
                del self._locked_until[key]

    def succeeded(self, username: str) -> None:
        """A correct sign-in clears the name's failure count (its address keeps its own)."""
        with self._lock:
            self._failures.pop(self.keys(username, None)[0], None)
