"""The few SQL expressions the standards engine needs that PostgreSQL and SQLite spell
differently: a UUID as canonical text, the greatest of several dates, a day after a date, the
end of a term and whole months added (exactly as the Python rules compute them), and a JSON
array aggregated from an ordered set of rows. The explanation of a finding is built
with these in the database, so a full run never materialises a Python object per finding."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by


def text(expr: Any) -> Any:
    return sa.type_coerce(expr, sa.Text)


def cat(*parts: Any) -> Any:
    """``a || b || …`` (NULL if any part is NULL, on both backends)."""
    out = text(parts[0] if not isinstance(parts[0], str) else sa.literal(parts[0]))
    for p in parts[1:]:
        out = out + text(sa.literal(p) if isinstance(p, str) else p)
    return out


class SqlFn:
    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def uuid_text(self, expr: Any) -> Any:
        if self.pg:
            return sa.cast(expr, sa.Text)
        # SQLAlchemy keeps a UUID on SQLite as 32 lower-case hex digits
        parts = [(1, 8), (9, 4), (13, 4), (17, 4), (21, 12)]
        pieces: list[Any] = []
        for i, (start, length) in enumerate(parts):
            if i:
                pieces.append("-")
            pieces.append(sa.func.substr(expr, start, length))
        return cat(*pieces)

    def greatest(self, *dates: Any) -> Any:
        """The latest of several non-NULL dates."""
        if len(dates) == 1:
            return dates[0]
        fn = sa.func.greatest if self.pg else sa.func.max
        return fn(*dates, type_=sa.Date)

    def day_after(self, expr: Any) -> Any:
        if self.pg:
            return sa.cast(expr + sa.literal_column("1"), sa.Date)
        return sa.func.date(expr, "+1 day", type_=sa.Date)

    def months_before(self, expr: Any, months: int) -> Any:
        """``expr`` less whole months (PostgreSQL clamps to the month's end, SQLite rolls
        over: the two may differ by a few days for the 29th to the 31st)."""
        if self.pg:
            return sa.cast(expr - sa.literal_column(f"INTERVAL '{int(months)} months'"), sa.Date)
        return sa.func.date(expr, f"-{int(months)} months", type_=sa.Date)

    def term_end(self, start: Any, years: int) -> Any:
        """``registry.assignments.rules.term_end``: the day before the ``years``-th
        anniversary of ``start``; a term begun on 29 February ends on 28 February."""
        n = int(years)
        if not self.pg:
            # SQLite rolls 29 February over to 1 March of a common year: the day before is 28.
            return sa.func.date(start, f"+{n} years", "-1 day", type_=sa.Date)
        leap_day = sa.and_(
            sa.extract("month", start) == 2, sa.extract("day", start) == 29
        )  # PostgreSQL clamps it to 28 February, whose day before would be the 27th
        end = sa.case(
            (
                leap_day,
                sa.func.make_date(sa.cast(sa.extract("year", start), sa.Integer) + n, 2, 28),
            ),
            else_=sa.cast(start + sa.literal_column(f"INTERVAL '{n} years'"), sa.Date)
            - sa.literal_column("1"),
        )
        return sa.type_coerce(end, sa.Date)

    def add_months(self, day: Any, months: int) -> Any:
        """``registry.standards.inputs.add_months``: whole months later (earlier when
        negative), the day of the month kept up to the 28th, on both backends alike."""
        n = int(months)
        if self.pg:
            # on a timestamp without time zone: a date would become a timestamptz in the
            # session's zone, and a day some zone skipped would move
            month = sa.func.date_trunc("month", sa.cast(day, sa.DateTime()))
            first = sa.cast(month + sa.literal_column(f"INTERVAL '{n} months'"), sa.Date)
            return sa.cast(
                first + sa.func.least(sa.cast(sa.extract("day", day), sa.Integer), 28) - 1,
                sa.Date,
            )
        days = sa.func.min(sa.cast(sa.func.strftime("%d", day), sa.Integer), 28) - 1
        shift = cat("+", sa.cast(days, sa.Text), " days")
        return sa.func.date(day, "start of month", f"{n:+d} months", shift, type_=sa.Date)

    def iso_date(self, expr: Any) -> Any:
        """A date as ISO ``YYYY-MM-DD`` text (SQLite keeps dates so already; PostgreSQL's
        ``to_char`` of a date would go through the session's time zone)."""
        if self.pg:
            return sa.func.to_char(sa.cast(expr, sa.DateTime()), "YYYY-MM-DD")
        return sa.cast(expr, sa.Text)

    def json_object(self, **fields: Any) -> Any:
        args: list[Any] = []
        for k, v in fields.items():
            args += [sa.literal(k), v]
        return (sa.func.json_build_object if self.pg else sa.func.json_object)(*args)

    def records_explained(
        self,
        hits: sa.Select[Any],
        table: str,
        order: Callable[[Any], Sequence[Any]],
        found: Callable[[Any], Any],
    ) -> Any:
        """``{"found": [...], "evidence": [{"table": table, "id": ...}]}`` over the records
        ``hits`` selects (with their ``id``), in ``order``."""
        return self.json_lists(
            hits,
            order,
            found=found,
            evidence=lambda c: self.json_object(table=sa.literal(table), id=self.uuid_text(c.id)),
        )

    def json_lists(
        self,
        rows: sa.Select[Any],
        order: Callable[[Any], Sequence[Any]],
        **lists: Callable[[Any], Any],
    ) -> Any:
        """A scalar subquery: a JSON object whose every key holds the JSON array of its
        ``item(row)`` over ``rows``, in ``order``; NULL when there are no rows. Items are built
        inside the aggregate (SQLite drops the JSON subtype of a value that crosses a
        subquery)."""
        sub = rows.subquery()
        if self.pg:
            fields: list[Any] = []
            for name, item in lists.items():
                agg = sa.func.json_agg(aggregate_order_by(item(sub.c), *order(sub.c)))
                fields += [sa.literal(name), agg]
            obj = sa.cast(sa.func.json_build_object(*fields), sa.Text)
            return sa.select(obj).select_from(sub).having(sa.func.count() > 0).scalar_subquery()
        ordered = sa.select(sub).order_by(*order(sub.c)).subquery()
        fields = []
        for name, item in lists.items():
            fields += [sa.literal(name), sa.func.json_group_array(item(ordered.c))]
        return (
            sa.select(sa.func.json_object(*fields, type_=sa.Text))
            .select_from(ordered)
            .having(sa.func.count() > 0)
            .scalar_subquery()
        )
