"""How long to wait before repeating a transient failure, and when to stop.

Full-jitter exponential backoff (a random wait between 0 and the exponential ceiling) spreads
the retries of many clients; a server's ``Retry-After`` is a floor we never undercut. Both the
number of attempts and the total time are bounded, because a sync job must end.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    # Wall time from the first attempt after which no new attempt starts.
    max_total_seconds: float = 60.0
    # A longer Retry-After is not waited out inside a call: the job reschedules instead.
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError("need 0 <= base_delay <= max_delay")
        if self.max_total_seconds < 0 or self.max_retry_after < 0:
            raise ValueError("time bounds must not be negative")


def backoff_ceiling(policy: RetryPolicy, attempt: int) -> float:
    """Upper bound of the wait after failed attempt number ``attempt`` (1-based)."""
    # Cap the exponent first: 2 ** 1000 is an int Python can make, but not a useful float.
    exponent = min(attempt - 1, 62)
    return float(min(policy.max_delay, policy.base_delay * (2**exponent)))


def wait_before_retry(
    policy: RetryPolicy, attempt: int, retry_after: float | None, rng: random.Random
) -> float | None:
    """Seconds to wait before the next attempt, or ``None`` when the server asks for longer
    than we are willing to wait inside one call."""
    if retry_after is not None:
        if retry_after > policy.max_retry_after:
            return None
        return retry_after
    return rng.uniform(0.0, backoff_ceiling(policy, attempt))


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """``Retry-After`` as seconds from ``now``: delta-seconds or an HTTP date (RFC 9110).

    Garbage is treated as absent rather than trusted; a date in the past means "now".
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit() and len(text) <= 9:
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())
