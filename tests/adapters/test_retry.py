"""Backoff and Retry-After rules, as properties over all inputs."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.breaker import BreakerPolicy
from adapters.retry import RetryPolicy, backoff_ceiling, parse_retry_after, wait_before_retry

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)

policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 20),
    base_delay=st.floats(0, 5),
    max_delay=st.floats(5, 120),
    max_total_seconds=st.floats(0, 600),
    max_retry_after=st.floats(0, 600),
)


@given(policies, st.integers(1, 10_000), st.integers(0, 2**32))
def test_backoff_wait_is_within_the_full_jitter_ceiling(
    policy: RetryPolicy, attempt: int, seed: int
) -> None:
    wait = wait_before_retry(policy, attempt, None, random.Random(seed))
    assert wait is not None
    assert 0 <= wait <= backoff_ceiling(policy, attempt) <= policy.max_delay


@given(policies, st.integers(1, 60))
def test_ceiling_grows_until_the_cap(policy: RetryPolicy, attempt: int) -> None:
    assert backoff_ceiling(policy, attempt) <= backoff_ceiling(policy, attempt + 1)
    assert backoff_ceiling(policy, attempt) == min(
        policy.max_delay, policy.base_delay * 2 ** (attempt - 1)
    )


@given(policies, st.integers(1, 100), st.floats(0, 10_000), st.integers(0, 2**32))
def test_retry_after_is_a_floor_or_a_reason_to_stop(
    policy: RetryPolicy, attempt: int, retry_after: float, seed: int
) -> None:
    wait = wait_before_retry(policy, attempt, retry_after, random.Random(seed))
    if retry_after > policy.max_retry_after:
        assert wait is None
    else:
        assert wait is not None and wait >= retry_after


@given(st.integers(0, 10**6))
def test_retry_after_seconds(seconds: int) -> None:
    assert parse_retry_after(str(seconds), NOW) == seconds


def test_retry_after_http_date() -> None:
    assert parse_retry_after("Mon, 02 Mar 2026 08:00:30 GMT", NOW) == 30.0
    assert parse_retry_after("Mon, 02 Mar 2026 07:00:00 GMT", NOW) == 0.0


@pytest.mark.parametrize("garbage", ["", "soon", "-5", "1e9", "99999999999999", "Mon, 99 Foo"])
def test_garbage_retry_after_is_ignored(garbage: str) -> None:
    assert parse_retry_after(garbage, NOW) is None


@pytest.mark.parametrize(
    "kwargs", [{"max_attempts": 0}, {"base_delay": -1}, {"base_delay": 9, "max_delay": 1}]
)
def test_nonsense_retry_policy_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"minimum_calls": 0},
        {"failure_ratio": 0.0},
        {"failure_ratio": 1.5},
        {"window_seconds": 0},
        {"open_seconds": -1},
        {"half_open_max_calls": 0},
    ],
)
def test_nonsense_breaker_policy_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        BreakerPolicy(**kwargs)  # type: ignore[arg-type]
