"""A circuit breaker per external system, so a system that is down is not hammered.

It opens on a failure *rate*, not on a streak: when, over the last ``window_seconds``, at
least ``minimum_calls`` calls were made and at least ``failure_ratio`` of them failed. A few
failures among many successes (a gateway that answers 5xx to one call in four) leave it
closed; the retries absorb those. Open, it refuses every call locally for ``open_seconds``,
then half-opens: ``half_open_max_calls`` trial calls go through, the first success closes it
(with a fresh window), a failure opens it again.

A failure is what says the system is unwell: 5xx, 429, a timeout, a dropped connection. A
4xx refusal, a refused token and an answer that breaks the contract (``HostileResponse``,
quarantined by the jobs) all mean the system answered, and count as successes of the call.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

import structlog

from adapters.clock import SYSTEM_CLOCK, Clock
from adapters.errors import CircuitOpen

log = structlog.get_logger(__name__)

# Outcomes kept per breaker at most, whatever the call rate: memory stays bounded and the
# ratio is still taken over thousands of calls.
_MAX_OUTCOMES = 10_000


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerPolicy:
    minimum_calls: int = 20
    failure_ratio: float = 0.5
    window_seconds: float = 60.0
    open_seconds: float = 30.0
    half_open_max_calls: int = 1

    def __post_init__(self) -> None:
        if self.minimum_calls < 1 or self.half_open_max_calls < 1:
            raise ValueError("minimum_calls and half_open_max_calls must be at least 1")
        if not 0.0 < self.failure_ratio <= 1.0:
            raise ValueError("failure_ratio must be within (0, 1]")
        if self.window_seconds <= 0 or self.open_seconds < 0:
            raise ValueError("window_seconds must be positive, open_seconds not negative")


class CircuitBreaker:
    """Thread-safe: one instance is shared by every call to its system."""

    def __init__(self, system: str, policy: BreakerPolicy, clock: Clock = SYSTEM_CLOCK) -> None:
        self.system = system
        self._policy = policy
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._outcomes: deque[tuple[float, bool]] = deque(maxlen=_MAX_OUTCOMES)
        self._failures = 0  # failures among ``_outcomes``
        self._opened_at = 0.0
        self._trials_in_flight = 0

    @property
    def state(self) -> BreakerState:
        with self._lock:
            self._half_open_if_due()
            return self._state

    def window(self) -> tuple[int, int]:
        """(calls, failures) in the current window."""
        with self._lock:
            self._prune()
            return len(self._outcomes), self._failures

    def before_call(self, operation: str) -> None:
        """Admit a call or raise ``CircuitOpen`` without touching the network."""
        with self._lock:
            self._half_open_if_due()
            if self._state is BreakerState.CLOSED:
                return
            if (
                self._state is BreakerState.HALF_OPEN
                and self._trials_in_flight < self._policy.half_open_max_calls
            ):
                self._trials_in_flight += 1
                return
            wait = max(0.0, self._opened_at + self._policy.open_seconds - self._clock.monotonic())
            raise CircuitOpen(self.system, operation, reopens_in=wait)

    def record_success(self) -> None:
        with self._lock:
            if self._state is not BreakerState.CLOSED:
                log.info("adapter.breaker.closed", system=self.system)
                self._state = BreakerState.CLOSED
                self._outcomes.clear()
                self._failures = 0
                self._trials_in_flight = 0
                return
            self._add(failed=False)

    def record_failure(self) -> None:
        with self._lock:
            if self._state is BreakerState.HALF_OPEN:
                self._open("trial call failed")
                return
            if self._state is BreakerState.OPEN:
                return  # a call admitted before it opened; the window is already judged
            self._add(failed=True)
            calls = len(self._outcomes)
            if (
                calls >= self._policy.minimum_calls
                and self._failures >= self._policy.failure_ratio * calls
            ):
                self._open("failure rate over the window")

    def _add(self, *, failed: bool) -> None:
        if len(self._outcomes) == self._outcomes.maxlen and self._outcomes[0][1]:
            self._failures -= 1  # the oldest outcome is about to fall out
        self._outcomes.append((self._clock.monotonic(), failed))
        self._failures += failed
        self._prune()

    def _prune(self) -> None:
        horizon = self._clock.monotonic() - self._policy.window_seconds
        while self._outcomes and self._outcomes[0][0] < horizon:
            _, failed = self._outcomes.popleft()
            self._failures -= failed

    def _open(self, why: str) -> None:
        log.warning(
            "adapter.breaker.opened",
            system=self.system,
            why=why,
            calls=len(self._outcomes),
            failures=self._failures,
        )
        self._state = BreakerState.OPEN
        self._opened_at = self._clock.monotonic()
        self._trials_in_flight = 0

    def _half_open_if_due(self) -> None:
        due = self._opened_at + self._policy.open_seconds
        if self._state is BreakerState.OPEN and self._clock.monotonic() >= due:
            self._state = BreakerState.HALF_OPEN
            self._trials_in_flight = 0
