from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.scope import in_scope, require_person_writable
from registry.context import Ctx
from registry.errors import Conflict, Invalid
from registry.planning.models import PlanningEntry
from registry.positions.models import Position
from registry.records import apply_changes
from schemas.planning import PlanningEntryCreate, PlanningEntryUpdate

# Regulation 377-QĐ/TW: at most 3 people per planned post and 3 posts per person.
MAX_PER_POST = 3
MAX_PER_PERSON = 3


def _count(session: Session, *where: sa.ColumnElement[bool]) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(PlanningEntry)
        .where(PlanningEntry.retired_at.is_(None), *where)
    )
    return int(session.scalar(stmt) or 0)


def create_planning_entry(session: Session, ctx: Ctx, data: PlanningEntryCreate) -> PlanningEntry:
    require_person_writable(session, data.person_id, ctx.principal)
    start, end = (int(x) for x in data.term.split("-"))
    if end <= start:
        raise Invalid.field("body.term", "must run from an earlier to a later year")
    if session.get(Position, data.position_id) is None or not in_scope(
        session, Position, data.position_id, ctx.principal
    ):
        raise Invalid.field("body.position_id", "unknown position")
    term = PlanningEntry.term == data.term
    if _count(
        session,
        term,
        PlanningEntry.person_id == data.person_id,
        PlanningEntry.position_id == data.position_id,
    ):
        raise Conflict("this person is already in the planning for this post and term")
    if _count(session, term, PlanningEntry.position_id == data.position_id) >= MAX_PER_POST:
        raise Conflict(f"a post may have at most {MAX_PER_POST} people in its planning")
    if _count(session, term, PlanningEntry.person_id == data.person_id) >= MAX_PER_PERSON:
        raise Conflict(f"a person may be in the planning for at most {MAX_PER_PERSON} posts")
    p = PlanningEntry(**data.model_dump())
    session.add(p)
    session.flush()
    return p


def update_planning_entry(
    session: Session, ctx: Ctx, p: PlanningEntry, data: PlanningEntryUpdate
) -> None:
    apply_changes(p, data.model_dump(exclude_unset=True), required=("decided_on",))
    session.flush()
