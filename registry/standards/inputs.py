"""Shared inputs of one standards run, and date arithmetic the rules use."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.assignments.models import Assignment
from registry.positions.models import Position
from registry.standards.findings import Finding
from registry.standards.profiles import InForce, in_force


def months_before(day: dt.date, months: int) -> dt.date:
    return add_months(day, -months)


def add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, min(day.day, 28))


def holders(on: dt.date, person_ids: Iterable[uuid.UUID] | None) -> Any:
    stmt = (
        sa.select(
            Assignment.id.label("assignment_id"),
            Assignment.person_id,
            Assignment.position_id,
            Assignment.valid_from,
            Position.org_unit_id,
            Position.standard_profile_id,
            Position.rotation_period_months,
            Position.is_leadership,
        )
        .join(Position, Position.id == Assignment.position_id)
        .where(
            Assignment.retired_at.is_(None),
            Position.retired_at.is_(None),
            Assignment.valid_from <= on,
            sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to >= on),
        )
    )
    if person_ids is not None:
        stmt = stmt.where(Assignment.person_id.in_(list(person_ids)))
    return stmt.subquery("h")


class RunInputs:
    """What every rule of one run shares: the date, the holders subquery and the versions of
    the standards in force. ``h`` may be replaced by would-be holders (candidates for a post,
    an appointment not yet signed); ``hypothetical`` then silences the rules about posts."""

    def __init__(
        self,
        session: Session,
        on: dt.date,
        person_ids: set[uuid.UUID] | None,
        *,
        h: Any = None,
        hypothetical: bool = False,
    ) -> None:
        self.session, self.on, self.person_ids = session, on, person_ids
        self.h = holders(on, person_ids) if h is None else h
        self.hypothetical = hypothetical
        self.forces = in_force(session, on)

    def groups(self, pick: Callable[[InForce], Any]) -> dict[Any, list[InForce]]:
        out: dict[Any, list[InForce]] = defaultdict(list)
        for f in self.forces.values():
            value = pick(f)
            if value is not None and value is not False:
                out[value].append(f)
        return out

    def failing(self, linked: list[InForce], condition: Any, *extra: Any) -> list[Any]:
        h = self.h
        stmt = sa.select(h, *extra).where(
            h.c.standard_profile_id.in_([f.linked_id for f in linked]), condition
        )
        return list(self.session.execute(stmt))

    def finding(
        self,
        rule: str,
        row: Any,
        force: InForce | None,
        *,
        since: dt.date | None = None,
        **kw: Any,
    ) -> Finding:
        if since is None:
            since = row.valid_from if force is None else max(row.valid_from, force.effective_from)
        return Finding(
            rule,
            row.position_id,
            row.org_unit_id,
            since,
            row.person_id,
            standard=None if force is None else force.described,
            **kw,
        )


def would_be_holders(position: Position, on: dt.date, persons: Any) -> Any:
    """The holders subquery as if every person of ``persons`` (a select of ids) held
    ``position`` from ``on``."""
    pool = persons.subquery("pool")
    return sa.select(
        sa.null().label("assignment_id"),
        pool.c.id.label("person_id"),
        sa.literal(position.id, sa.Uuid()).label("position_id"),
        sa.literal(on, sa.Date()).label("valid_from"),
        sa.literal(position.org_unit_id, sa.Uuid()).label("org_unit_id"),
        sa.literal(position.standard_profile_id, sa.Uuid()).label("standard_profile_id"),
        sa.literal(position.rotation_period_months, sa.Integer()).label("rotation_period_months"),
        sa.literal(position.is_leadership, sa.Boolean()).label("is_leadership"),
    ).subquery("h")
