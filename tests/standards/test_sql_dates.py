"""Property: the date arithmetic the rules do in SQL is the Python rules' own, on both
backends (a term's end, months added with the day kept up to the 28th, ISO text)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.assignments.rules import term_end
from registry.standards.inputs import add_months
from registry.standards.sqlfn import SqlFn

days = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31))
# The 29th to the 31st and 29 February are where calendars disagree: drawn often.
edges = st.one_of(
    days,
    st.sampled_from([dt.date(y, 2, 29) for y in range(1952, 2090, 4)]),
    st.builds(lambda y, m: _last_day(y, m), st.integers(1950, 2090), st.integers(1, 12)),
)


def _last_day(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _in_sql(connection: sa.Connection, expr: sa.ColumnElement[dt.date]) -> dt.date:
    value = connection.execute(sa.select(expr)).scalar_one()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=edges, years=st.integers(1, 10), months=st.integers(-30, 30))
def test_term_end_and_months_match_python(
    connection: sa.Connection, start: dt.date, years: int, months: int
) -> None:
    fn = SqlFn(connection.dialect.name)
    day = sa.literal(start, sa.Date)
    assert _in_sql(connection, fn.term_end(day, years)) == term_end(start, years)
    assert _in_sql(connection, fn.add_months(day, months)) == add_months(start, months)
    iso = connection.execute(sa.select(fn.iso_date(day))).scalar_one()
    assert iso == start.isoformat()
