from __future__ import annotations

from sqlalchemy.orm import Session

from registry.access.scope import require_person_writable
from registry.codes import QUALIFICATION_LADDERS
from registry.context import Ctx
from registry.dates import today
from registry.errors import Invalid
from registry.qualifications.models import Qualification, Training
from registry.records import apply_changes, check_interval, check_not_future
from schemas.qualifications import (
    QualificationCreate,
    QualificationUpdate,
    TrainingCreate,
    TrainingUpdate,
)


def _check_qualification(q: Qualification) -> None:
    ladder = QUALIFICATION_LADDERS[q.kind]
    if q.level not in ladder:
        raise Invalid.field("body.level", f"unknown {q.kind} level; expected one of {list(ladder)}")
    check_not_future(q.awarded_on, field="awarded_on", today=today())
    check_interval(q.awarded_on, q.expires_on, start_field="awarded_on", end_field="expires_on")


def create_qualification(session: Session, ctx: Ctx, data: QualificationCreate) -> Qualification:
    require_person_writable(session, data.person_id, ctx.principal)
    q = Qualification(**data.model_dump())
    _check_qualification(q)
    session.add(q)
    session.flush()
    return q


def update_qualification(
    session: Session, ctx: Ctx, q: Qualification, data: QualificationUpdate
) -> None:
    apply_changes(q, data.model_dump(exclude_unset=True), required=("level",))
    _check_qualification(q)
    session.flush()


def _check_training(t: Training) -> None:
    check_not_future(t.valid_from, field="valid_from", today=today())
    check_interval(t.valid_from, t.valid_to, start_field="valid_from", end_field="valid_to")


def create_training(session: Session, ctx: Ctx, data: TrainingCreate) -> Training:
    require_person_writable(session, data.person_id, ctx.principal)
    t = Training(**data.model_dump())
    _check_training(t)
    session.add(t)
    session.flush()
    return t


def update_training(session: Session, ctx: Ctx, t: Training, data: TrainingUpdate) -> None:
    apply_changes(t, data.model_dump(exclude_unset=True), required=("course", "valid_from", "mode"))
    _check_training(t)
    session.flush()
