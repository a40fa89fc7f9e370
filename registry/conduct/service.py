from __future__ import annotations

from sqlalchemy.orm import Session

from registry.access.scope import require_person_writable
from registry.conduct.models import Commendation, Discipline
from registry.context import Ctx
from registry.dates import today
from registry.records import apply_changes, check_interval, check_not_future
from schemas.conduct import (
    CommendationCreate,
    CommendationUpdate,
    DisciplineCreate,
    DisciplineUpdate,
)


def create_commendation(session: Session, ctx: Ctx, data: CommendationCreate) -> Commendation:
    require_person_writable(session, data.person_id, ctx.principal)
    c = Commendation(**data.model_dump())
    check_not_future(c.decided_on, field="decided_on", today=today())
    session.add(c)
    session.flush()
    return c


def update_commendation(
    session: Session, ctx: Ctx, c: Commendation, data: CommendationUpdate
) -> None:
    apply_changes(c, data.model_dump(exclude_unset=True), required=("title", "decided_on"))
    check_not_future(c.decided_on, field="decided_on", today=today())
    session.flush()


def _check(d: Discipline) -> None:
    check_not_future(d.decided_on, field="decided_on", today=today())
    check_interval(
        d.decided_on, d.effective_from, start_field="decided_on", end_field="effective_from"
    )
    check_interval(
        d.effective_from, d.effective_to, start_field="effective_from", end_field="effective_to"
    )


def create_discipline(session: Session, ctx: Ctx, data: DisciplineCreate) -> Discipline:
    require_person_writable(session, data.person_id, ctx.principal)
    d = Discipline(**data.model_dump())
    _check(d)
    session.add(d)
    session.flush()
    return d


def update_discipline(session: Session, ctx: Ctx, d: Discipline, data: DisciplineUpdate) -> None:
    apply_changes(d, data.model_dump(exclude_unset=True))
    _check(d)
    session.flush()
