"""Valid-time rules of work history: intervals are inclusive, ``None`` end = still held."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

Interval = tuple[dt.date, dt.date | None]

# How a post ended (Decree 27/2026 data group: dismissal, resignation, retirement, …).
END_KINDS: dict[str, str] = {
    "dismissal": "Miễn nhiệm",
    "resignation": "Từ chức",
    "retirement": "Nghỉ hưu",
    "term_end": "Hết thời hạn, nhiệm kỳ",
    "transfer": "Điều động",
    "rotation": "Luân chuyển",
    "removal_from_post": "Cách chức",
    "death": "Từ trần",
}

# Kinds of decision with a term of office after which re-appointment is due.
TERM_KINDS = frozenset({"appointment", "rotation", "acting"})


def term_end(start: dt.date, years: int) -> dt.date:
    """The last day of a term of ``years`` from ``start`` (29 February → 28 February)."""
    try:
        return start.replace(year=start.year + years) - dt.timedelta(days=1)
    except ValueError:
        return dt.date(start.year + years, 2, 28)


def overlaps(a: Interval, b: Interval) -> bool:
    a_end = a[1] or dt.date.max
    b_end = b[1] or dt.date.max
    return a[0] <= b_end and b[0] <= a_end


def max_concurrent(intervals: Iterable[Interval]) -> int:
    """Largest number of intervals that share at least one day."""
    events: list[tuple[dt.date, int]] = []
    for start, end in intervals:
        events.append((start, 1))
        if end is not None and end < dt.date.max:
            events.append((end + dt.timedelta(days=1), -1))
    # Ends (-1) sort before starts (+1) on the same day: a post handed over on a date is free.
    events.sort(key=lambda e: (e[0], e[1]))
    best = current = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best
