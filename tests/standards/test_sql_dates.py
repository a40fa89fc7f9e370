"""Property: the date arithmetic the rules do in SQL is the Python rules' own, on both
backends (a term's end, months added with the day kept up to the 28th, ISO text), whatever
PostgreSQL's session time zone (Samoa skipped 30 December 2011: a date that went through a
``timestamptz`` there came back a day later)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.assignments.rules import term_end
from registry.standards.inputs import add_months
from registry.standards.sqlfn import SqlFn

days = st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2110, 12, 31))
SKIPPED = [dt.date(2011, 12, 30), dt.date(1993, 8, 21)]  # Pacific/Apia, Pacific/Kwajalein
ZONES = ["UTC", "Asia/Ho_Chi_Minh", "Pacific/Apia", "Pacific/Kwajalein"]


def _late_in_month(year: int, month: int, day: int) -> dt.date:
    """The ``day`` (28 to 31) of the month, or its last day when it has fewer."""
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day, last))


# The 28th to the 31st and 29 February are where calendars disagree: drawn often.
edges = st.one_of(
    days,
    st.sampled_from([dt.date(y, 2, 29) for y in range(1892, 2110, 4) if y % 100 != 0]),
    st.sampled_from(SKIPPED),
    st.builds(_late_in_month, st.integers(1890, 2110), st.integers(1, 12), st.integers(28, 31)),
)


def _in_sql(connection: sa.Connection, expr: sa.ColumnElement[dt.date]) -> dt.date:
    value = connection.execute(sa.select(expr)).scalar_one()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=edges,
    years=st.integers(1, 10),
    months=st.integers(-30, 30),
    zone=st.sampled_from(ZONES),
)
def test_term_end_and_months_match_python(
    connection: sa.Connection, start: dt.date, years: int, months: int, zone: str
) -> None:
    fn = SqlFn(connection.dialect.name)
    if fn.pg:  # for this test's transaction only
        connection.execute(sa.text("SELECT set_config('TimeZone', :z, true)"), {"z": zone})
    day = sa.literal(start, sa.Date)
    assert _in_sql(connection, fn.term_end(day, years)) == term_end(start, years)
    assert _in_sql(connection, fn.add_months(day, months)) == add_months(start, months)
    iso = connection.execute(sa.select(fn.iso_date(day))).scalar_one()
    assert iso == start.isoformat()
