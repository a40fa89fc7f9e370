"""A circuit breaker per external system, so a system that is down is not hammered.

closed → (``failure_threshold`` consecutive failures) → open → (``reset_after`` seconds) →
half-open → (``half_open_max_calls`` trial calls) → closed on a success, open again on a
failure. A failure is what says the system is unwell (5xx, 429, timeout, connection error,
hostile answer); a 4xx refusal means the system is up and counts as a success.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

import structlog

from adapters.clock import SYSTEM_CLOCK, Clock
from adapters.errors import CircuitOpen

log = structlog.get_logger(__name__)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerPolicy:
    failure_threshold: int = 5
    reset_after: float = 30.0
    half_open_max_calls: int = 1

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.half_open_max_calls < 1:
            raise ValueError("thresholds must be at least 1")
        if self.reset_after < 0:
            raise ValueError("reset_after must not be negative")


class CircuitBreaker:
    """Thread-safe: one instance is shared by every call to its system."""

    def __init__(self, system: str, policy: BreakerPolicy, clock: Clock = SYSTEM_CLOCK) -> None:
        self.system = system
        self._policy = policy
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trials_in_flight = 0

    @property
    def state(self) -> BreakerState:
        with self._lock:
            self._half_open_if_due()
            return self._state

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
            raise CircuitOpen(self.system, operation, "circuit open after repeated failures")

    def record_success(self) -> None:
        with self._lock:
            if self._state is not BreakerState.CLOSED:
                log.info("adapter.breaker.closed", system=self.system)
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._trials_in_flight = 0

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state is BreakerState.HALF_OPEN or (
                self._failures >= self._policy.failure_threshold
            ):
                self._open()

    def _open(self) -> None:
        if self._state is not BreakerState.OPEN:
            log.warning("adapter.breaker.opened", system=self.system, failures=self._failures)
        self._state = BreakerState.OPEN
        self._opened_at = self._clock.monotonic()
        self._trials_in_flight = 0

    def _half_open_if_due(self) -> None:
        due = self._opened_at + self._policy.reset_after
        if self._state is BreakerState.OPEN and self._clock.monotonic() >= due:
            self._state = BreakerState.HALF_OPEN
            self._trials_in_flight = 0
