"""The breaker opens on a failure rate over a sliding window, never on a short streak among
many successes; the clock is fake, so windows and open times are exact."""

from __future__ import annotations

import pytest

from adapters import errors
from adapters.breaker import BreakerPolicy, BreakerState, CircuitBreaker
from tests.adapters.conftest import FakeClock

POLICY = BreakerPolicy(minimum_calls=10, failure_ratio=0.5, window_seconds=60, open_seconds=30)


def breaker(clock: FakeClock, policy: BreakerPolicy = POLICY) -> CircuitBreaker:
    return CircuitBreaker("population", policy, clock)


def test_a_streak_of_failures_among_many_successes_leaves_it_closed(clock: FakeClock) -> None:
    b = breaker(clock)
    for _ in range(30):
        b.record_success()
    for _ in range(8):  # five in a row opened the old breaker
        b.record_failure()
    assert b.state is BreakerState.CLOSED
    assert b.window() == (38, 8)


def test_a_quarter_of_calls_failing_for_long_never_opens_it(clock: FakeClock) -> None:
    b = breaker(clock)
    for i in range(1000):
        b.before_call("search")
        b.record_failure() if i % 4 == 0 else b.record_success()
        clock.advance(0.5)
    assert b.state is BreakerState.CLOSED


def test_it_opens_at_the_configured_rate_once_enough_calls_were_made(clock: FakeClock) -> None:
    b = breaker(clock)
    for _ in range(5):
        b.record_failure()  # 5 of 5 failed, but under the minimum of 10 calls
    assert b.state is BreakerState.CLOSED
    for _ in range(4):
        b.record_success()
    assert b.state is BreakerState.CLOSED  # 5 of 9
    b.record_failure()  # 6 of 10: over half
    assert b.state is BreakerState.OPEN
    with pytest.raises(errors.BreakerOpen) as refused:
        b.before_call("search")
    assert refused.value.reopens_in == 30


def test_just_under_the_ratio_stays_closed(clock: FakeClock) -> None:
    b = breaker(clock, BreakerPolicy(minimum_calls=10, failure_ratio=0.6))
    for _ in range(5):
        b.record_success()
    for _ in range(5):
        b.record_failure()  # 5 of 10 < 0.6
    assert b.state is BreakerState.CLOSED
    b.record_failure()  # 6 of 11 < 0.6
    assert b.state is BreakerState.CLOSED
    b.record_failure()  # 7 of 12 < 0.6
    b.record_failure()  # 8 of 13 >= 0.6
    assert b.state is BreakerState.OPEN


def test_old_outcomes_leave_the_window(clock: FakeClock) -> None:
    b = breaker(clock)
    for _ in range(9):
        b.record_failure()
    clock.advance(61)  # those nine are forgotten
    for _ in range(9):
        b.record_success()
    b.record_failure()
    assert b.window() == (10, 1)
    assert b.state is BreakerState.CLOSED


def test_open_then_half_open_then_closed_with_a_fresh_window(clock: FakeClock) -> None:
    b = breaker(clock)
    for _ in range(10):
        b.record_failure()
    assert b.state is BreakerState.OPEN
    clock.advance(30)
    assert b.state is BreakerState.HALF_OPEN
    b.before_call("search")  # the one trial
    with pytest.raises(errors.CircuitOpen):
        b.before_call("search")
    b.record_success()
    assert b.state is BreakerState.CLOSED
    assert b.window() == (0, 0)


def test_a_failed_trial_opens_it_again(clock: FakeClock) -> None:
    b = breaker(clock)
    for _ in range(10):
        b.record_failure()
    clock.advance(30)
    b.before_call("search")
    b.record_failure()
    assert b.state is BreakerState.OPEN
