"""Rules about posts: rotation, vacancies, missing evaluations. The first two read only the
few posts they concern and judge them in Python (month arithmetic that SQL cannot express
portably); the last is SQL over every holder. Retirement and age: ``rules_age``."""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections import defaultdict

import sqlalchemy as sa

from registry.assignments.models import Assignment
from registry.evaluations.models import Evaluation
from registry.positions.models import Position
from registry.standards.findings import Finding
from registry.standards.inputs import RunInputs, add_months, holders, months_before


def rotation_rule(ev: RunInputs) -> None:
    """Posts flagged for periodic rotation (on the post, or by its standard)."""
    if ev.hypothetical:
        return
    h = ev.h
    months_of: dict[int, list[uuid.UUID]] = defaultdict(list)
    for f in ev.forces.values():
        if f.requirements.max_years_in_post:
            months_of[f.requirements.max_years_in_post * 12].append(f.linked_id)
    # The periods in use among the posts being judged (a handful), each one condition.
    flagged = ev.session.scalars(
        sa.select(sa.distinct(h.c.rotation_period_months)).where(
            h.c.rotation_period_months.is_not(None)
        )
    )
    conditions = [
        sa.and_(h.c.rotation_period_months == m, h.c.valid_from < months_before(ev.on, m))
        for m in flagged
        if m
    ]
    conditions += [
        sa.and_(h.c.standard_profile_id.in_(ids), h.c.valid_from < months_before(ev.on, m))
        for m, ids in months_of.items()
    ]
    if not conditions:
        return
    for row in ev.rows(sa.select(h).where(sa.or_(*conditions))):
        months = row.rotation_period_months or 0
        force = ev.forces.get(row.standard_profile_id)
        if force and force.requirements.max_years_in_post:
            months = months or force.requirements.max_years_in_post * 12
        due = add_months(row.valid_from, months)
        ev.add(
            ev.finding(
                "rotation_overdue",
                row,
                force,
                requirement={"max_months_in_post": months},
                found={"in_post_since": row.valid_from.isoformat()},
                since=due,
            )
        )


def vacancy_rule(ev: RunInputs) -> None:
    if ev.person_ids is not None or ev.hypothetical:
        return  # vacancies are about posts: the full run and the appointment path see them
    h = holders(ev.on, None)
    held = (
        sa.select(h.c.position_id, sa.func.count().label("n"))
        .group_by(h.c.position_id)
        .subquery("held")
    )
    ended = (
        sa.select(Assignment.position_id, sa.func.max(Assignment.valid_to).label("last_end"))
        .where(Assignment.retired_at.is_(None), Assignment.valid_to < ev.on)
        .group_by(Assignment.position_id)
        .subquery("ended")
    )
    stmt = (
        sa.select(
            Position.id,
            Position.org_unit_id,
            Position.headcount,
            Position.created_at,
            sa.func.coalesce(held.c.n, 0).label("n"),
            ended.c.last_end,
        )
        .outerjoin(held, held.c.position_id == Position.id)
        .outerjoin(ended, ended.c.position_id == Position.id)
        .where(Position.retired_at.is_(None), sa.func.coalesce(held.c.n, 0) < Position.headcount)
    )
    for row in ev.rows(stmt):
        last_end = row.last_end
        since = last_end + dt.timedelta(days=1) if last_end else row.created_at.date()
        ev.add(
            Finding(
                rule="vacancy",
                position_id=row.id,
                org_unit_id=row.org_unit_id,
                since=min(since, ev.on),
                requirement={"headcount": row.headcount},
                found={"holders": row.n},
            )
        )


def missing_evaluation_rule(ev: RunInputs) -> None:
    """The last closed quarter evaluated: by a quarterly evaluation, by the three monthly
    evaluations of its months (Decree 335/2025: monthly or quarterly evaluation), or, for the
    fourth quarter, by the annual evaluation (which covers it)."""
    if ev.hypothetical:
        return
    quarter = (ev.on.month - 1) // 3
    year = ev.on.year if quarter else ev.on.year - 1
    period = f"{year}-Q{quarter or 4}"
    last_month = 3 * (quarter or 4)
    ends = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    months = [f"{year}-{m:02d}" for m in range(last_month - 2, last_month + 1)]
    covering = [period] + ([str(year)] if last_month == 12 else [])
    e, h = Evaluation, ev.h
    mine = (e.person_id == h.c.person_id, e.retired_at.is_(None))
    has = sa.select(e.id).where(*mine, e.period.in_(covering))
    monthly = (
        sa.select(sa.func.count(sa.distinct(e.period)))
        .where(*mine, e.period.in_(months))
        .scalar_subquery()
    )
    ev.emit(
        "missing_evaluation",
        None,
        sa.and_(~sa.exists(has), monthly < len(months), h.c.valid_from <= ends),
        requirement={"period": period},
        since=sa.literal(ends, sa.Date),
    )
