"""Valid-time rules of work history, checked against a day-by-day brute force."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from registry.assignments.rules import Interval, max_concurrent, overlaps, term_end
from registry.standards.rules_career import _days

BASE = dt.date(2024, 12, 20)  # a window that crosses a year end and a leap day
WINDOW = 80


@st.composite
def intervals(draw: st.DrawFn) -> Interval:
    start = BASE + dt.timedelta(days=draw(st.integers(0, WINDOW - 1)))
    length = draw(st.one_of(st.none(), st.integers(0, 30)))
    return start, None if length is None else start + dt.timedelta(days=length)


def days_of(interval: Interval, last: dt.date) -> set[dt.date]:
    start, end = interval
    stop = end if end is not None else last
    return {start + dt.timedelta(days=i) for i in range((stop - start).days + 1)}


def brute_max(items: list[Interval]) -> int:
    last = BASE + dt.timedelta(days=WINDOW + 40)
    counts: dict[dt.date, int] = {}
    for item in items:
        for day in days_of(item, last):
            counts[day] = counts.get(day, 0) + 1
    return max(counts.values(), default=0)


@given(st.lists(intervals(), max_size=8))
def test_max_concurrent_equals_a_day_by_day_count(items: list[Interval]) -> None:
    assert max_concurrent(items) == brute_max(items)


@given(intervals(), intervals())
def test_overlaps_is_symmetric_and_means_a_shared_day(a: Interval, b: Interval) -> None:
    last = BASE + dt.timedelta(days=WINDOW + 40)
    assert overlaps(a, b) == overlaps(b, a)
    assert overlaps(a, b) == bool(days_of(a, last) & days_of(b, last))
    assert overlaps(a, a)


@given(intervals(), intervals())
def test_two_intervals_are_concurrent_exactly_when_they_overlap(a: Interval, b: Interval) -> None:
    assert (max_concurrent([a, b]) == 2) == overlaps(a, b)


def test_handover_on_consecutive_days_is_not_concurrent() -> None:
    first = (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    second = (dt.date(2025, 7, 1), None)
    assert not overlaps(first, second)
    assert max_concurrent([first, second]) == 1
    same_day = (dt.date(2025, 6, 30), None)  # inclusive ends: the last day is shared
    assert overlaps(first, same_day)
    assert max_concurrent([first, same_day]) == 2


def test_open_and_far_ends() -> None:
    assert max_concurrent([]) == 0
    forever = (dt.date(2000, 1, 1), dt.date.max)
    assert max_concurrent([forever, (dt.date(2020, 1, 1), None)]) == 2
    assert overlaps(forever, (dt.date(9999, 12, 31), None))


@given(
    start=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)),
    years=st.integers(1, 10),
)
def test_a_term_ends_the_day_before_its_anniversary(start: dt.date, years: int) -> None:
    end = term_end(start, years)
    after = end + dt.timedelta(days=1)
    assert after.year == start.year + years
    assert (after.month, after.day) == (start.month, start.day) or (
        (start.month, start.day) == (2, 29) and (after.month, after.day) == (3, 1)
    )


spans = st.lists(
    st.tuples(
        st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2001, 12, 31)),
        st.integers(0, 400),
    ),
    max_size=6,
)


@given(spans=spans)
def test_experience_counts_each_day_once(spans: list[tuple[dt.date, int]]) -> None:
    intervals = [(s, s + dt.timedelta(days=n)) for s, n in spans]
    days = {s + dt.timedelta(days=i) for s, e in intervals for i in range((e - s).days + 1)}
    assert _days(intervals) == len(days)
