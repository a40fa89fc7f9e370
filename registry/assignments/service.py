from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from registry.access.scope import in_scope, require_person_writable
from registry.assignments.models import Assignment
from registry.assignments.rules import TERM_KINDS, max_concurrent, overlaps, term_end
from registry.context import Ctx
from registry.errors import Conflict, Invalid, NotFound
from registry.persons.models import Person
from registry.positions.models import Position
from registry.positions.service import holder_intervals, lock_position
from registry.records import apply_changes, check_interval
from schemas.assignments import AssignmentCreate, AssignmentUpdate


def _check(session: Session, person: Person, a: Assignment) -> None:
    check_interval(a.valid_from, a.valid_to, start_field="valid_from", end_field="valid_to")
    if (a.position_id is None) == (a.external_post is None):
        raise Invalid.field("body.position_id", "give exactly one of position_id, external_post")
    if person.death_date is not None and a.valid_from > person.death_date:
        raise Invalid.field("body.valid_from", "is after the person's death")
    if a.decision_date is not None and a.decision_date > (a.valid_to or dt.date.max):
        raise Invalid.field("body.decision_date", "is after the assignment ended")
    if a.end_kind is not None and a.valid_to is None:
        raise Invalid.field("body.end_kind", "a post that ended needs its end date (valid_to)")
    if a.term_years is not None and a.kind not in TERM_KINDS:
        raise Invalid.field("body.term_years", f"only {sorted(TERM_KINDS)} have a term")
    if a.term_years is not None and a.reappointment_due_on is None:
        a.reappointment_due_on = term_end(a.valid_from, a.term_years)
    if a.reappointment_due_on is not None and a.reappointment_due_on < a.valid_from:
        raise Invalid.field("body.reappointment_due_on", "is before valid_from")
    if a.position_id is None:
        return
    pos = lock_position(session, a.position_id)
    if pos is None or pos.retired_at is not None:
        raise Invalid.field("body.position_id", "unknown position")
    others = holder_intervals(session, a.position_id, exclude=a.id)
    mine = (a.valid_from, a.valid_to)
    if any(pid == a.person_id and overlaps(mine, (f, t)) for pid, f, t in others):
        raise Conflict("this person already holds this position in an overlapping period")
    peak = max_concurrent([(f, t) for _, f, t in others] + [mine])
    if peak > pos.headcount:
        raise Conflict(
            f"position headcount {pos.headcount} would be exceeded ({peak} concurrent holders)"
        )


def create_assignment(session: Session, ctx: Ctx, data: AssignmentCreate) -> Assignment:
    person = require_person_writable(session, data.person_id, ctx.principal)
    if data.position_id is not None and not in_scope(
        session, Position, data.position_id, ctx.principal
    ):
        raise Invalid.field("body.position_id", "unknown position")  # as if it did not exist
    a = Assignment(**data.model_dump())
    _check(session, person, a)
    session.add(a)
    session.flush()
    return a


def update_assignment(session: Session, ctx: Ctx, a: Assignment, data: AssignmentUpdate) -> None:
    apply_changes(a, data.model_dump(exclude_unset=True), required=("valid_from", "kind"))
    person = session.get(Person, a.person_id)
    if person is None:
        raise NotFound("person not found")
    _check(session, person, a)
    session.flush()
