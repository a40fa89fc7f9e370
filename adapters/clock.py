"""Time as the adapters see it, injectable so tests can assert waits without waiting."""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back; measures deadlines and token lifetimes."""

    def sleep(self, seconds: float) -> None: ...

    def now(self) -> dt.datetime:
        """Aware wall-clock time; only for HTTP dates such as an absolute ``Retry-After``."""


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


SYSTEM_CLOCK = SystemClock()
