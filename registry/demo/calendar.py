"""The demo's fixed points in time, so the same seed builds the same ward on any later day."""

from __future__ import annotations

import datetime as dt
import random

from registry.dates import today

MERGER = dt.date(2025, 7, 1)  # two-level local government starts (Resolution 202/2025/QH15)
ROTATION_DAY = dt.date(2026, 4, 1)  # the ward's first rotation round after the merger
PLANNING_DECIDED = dt.date(2025, 10, 15)
PLANNING_TERM = "2025-2030"
# Everything the demo records happened by this day. Run before it (a clock set back), the demo
# stops at today instead, and is then deterministic only for that day.
ANCHOR = dt.date(2026, 9, 30)


def as_of() -> dt.date:
    return min(today(), ANCHOR)


def between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A day in ``[start, end]`` (``end`` before ``start`` gives ``start``)."""
    span = (end - start).days
    return start + dt.timedelta(days=rng.randint(0, span)) if span > 0 else start


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def ended_quarters(since: dt.date, until: dt.date) -> list[str]:
    """Quarters (``YYYY-Qn``) that start on or after ``since`` and have ended by ``until``."""
    out: list[str] = []
    year, quarter = since.year, (since.month - 1) // 3 + 1
    while True:
        last_month = quarter * 3
        end = dt.date(year, last_month, 30 if last_month in (6, 9) else 31)
        if end > until:
            return out
        out.append(f"{year}-Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def ended_years(since: dt.date, until: dt.date) -> list[str]:
    return [str(y) for y in range(since.year, until.year) if dt.date(y, 12, 31) <= until]
