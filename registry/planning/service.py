from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.scope import in_scope, require_person_writable
from registry.context import Ctx
from registry.errors import Conflict, Invalid
from registry.persons.models import Person
from registry.planning.models import PlanningEntry
from registry.positions.models import Position
from registry.records import apply_changes
from registry.standards import parameters
from schemas.planning import PlanningEntryCreate, PlanningEntryUpdate

# Regulation 377-QĐ/TW: at most 3 people per planned post and 3 posts per person. The caps
# are rule parameters (planning.max_per_post, planning.max_per_person) read on the decision
# date; they are checked with the post and the person locked, so two concurrent plannings
# cannot both see room for one more.


def _count(session: Session, *where: sa.ColumnElement[bool]) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(PlanningEntry)
        .where(PlanningEntry.retired_at.is_(None), *where)
    )
    return int(session.scalar(stmt) or 0)


def _lock(session: Session, person_id: uuid.UUID, position_id: uuid.UUID) -> None:
    """Row locks on the person and the post (PostgreSQL ``SELECT … FOR UPDATE``; SQLite
    transactions take the database write lock at BEGIN IMMEDIATE): the counts below and the
    insert are then one step for every planning of this person or this post."""
    session.execute(sa.select(Person.id).where(Person.id == person_id).with_for_update())
    session.execute(sa.select(Position.id).where(Position.id == position_id).with_for_update())


def create_planning_entry(session: Session, ctx: Ctx, data: PlanningEntryCreate) -> PlanningEntry:
    require_person_writable(session, data.person_id, ctx.principal)
    start, end = (int(x) for x in data.term.split("-"))
    if end <= start:
        raise Invalid.field("body.term", "must run from an earlier to a later year")
    if session.get(Position, data.position_id) is None or not in_scope(
        session, Position, data.position_id, ctx.principal
    ):
        raise Invalid.field("body.position_id", "unknown position")
    _lock(session, data.person_id, data.position_id)
    params = parameters.in_force(session, data.decided_on)
    per_post = params.number("planning.max_per_post")
    per_person = params.number("planning.max_per_person")
    term = PlanningEntry.term == data.term
    if _count(
        session,
        term,
        PlanningEntry.person_id == data.person_id,
        PlanningEntry.position_id == data.position_id,
    ):
        raise Conflict("this person is already in the planning for this post and term")
    if _count(session, term, PlanningEntry.position_id == data.position_id) >= per_post:
        raise Conflict(f"a post may have at most {per_post} people in its planning")
    if _count(session, term, PlanningEntry.person_id == data.person_id) >= per_person:
        raise Conflict(f"a person may be in the planning for at most {per_person} posts")
    p = PlanningEntry(**data.model_dump())
    session.add(p)
    session.flush()
    return p


def update_planning_entry(
    session: Session, ctx: Ctx, p: PlanningEntry, data: PlanningEntryUpdate
) -> None:
    apply_changes(p, data.model_dump(exclude_unset=True), required=("decided_on",))
    session.flush()
