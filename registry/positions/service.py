from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.scope import require_org_writable
from registry.assignments.models import Assignment
from registry.assignments.rules import max_concurrent
from registry.context import Ctx
from registry.errors import Conflict, Invalid
from registry.positions.models import Position
from registry.ranks import check_rank
from registry.records import apply_changes
from registry.standards.models import StandardProfile
from schemas.positions import PositionCreate, PositionUpdate


def _check_refs(session: Session, profile_id: uuid.UUID | None, rank: str | None) -> None:
    if profile_id is not None and session.get(StandardProfile, profile_id) is None:
        raise Invalid.field("body.standard_profile_id", "unknown standard profile")
    check_rank(rank, field="body.required_rank")


def create_position(session: Session, ctx: Ctx, data: PositionCreate) -> Position:
    require_org_writable(session, data.org_unit_id, ctx.principal)
    _check_refs(session, data.standard_profile_id, data.required_rank)
    pos = Position(**data.model_dump())
    session.add(pos)
    session.flush()
    return pos


def lock_position(session: Session, position_id: uuid.UUID) -> Position | None:
    """Serialise appointments to one post (row lock on PostgreSQL; SQLite writes are serial)."""
    return session.scalar(sa.select(Position).where(Position.id == position_id).with_for_update())


def holder_intervals(
    session: Session, position_id: uuid.UUID, *, exclude: uuid.UUID | None = None
) -> list[tuple[uuid.UUID, dt.date, dt.date | None]]:
    stmt = sa.select(Assignment.person_id, Assignment.valid_from, Assignment.valid_to).where(
        Assignment.position_id == position_id, Assignment.retired_at.is_(None)
    )
    if exclude is not None:
        stmt = stmt.where(Assignment.id != exclude)
    return [(r[0], r[1], r[2]) for r in session.execute(stmt)]


def update_position(session: Session, ctx: Ctx, pos: Position, data: PositionUpdate) -> None:
    changes = data.model_dump(exclude_unset=True)
    apply_changes(pos, changes, required=("title", "headcount", "is_leadership"))
    _check_refs(session, pos.standard_profile_id, pos.required_rank)
    if "headcount" in changes:
        intervals = [(r[1], r[2]) for r in holder_intervals(session, pos.id)]
        peak = max_concurrent(intervals)
        if peak > pos.headcount:
            raise Conflict(
                f"headcount {pos.headcount} is below the {peak} concurrent holders on record"
            )
    session.flush()
