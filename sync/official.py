"""What the registry pushes to the civil-servant database for one person: only the fields
the registry owns (posts, work history, training, qualifications, evaluations), identity
echoed for a create. Party membership is never sent."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

import pydantic
import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.civil_service.mapping import (
    EvaluationData,
    OfficialPush,
    QualificationData,
    TrainingData,
    WorkPeriodData,
    to_write,
)
from adapters.civil_service.wire import OfficialWrite, dump_write
from registry.assignments.models import Assignment
from registry.context import Ctx
from registry.dates import today
from registry.evaluations.models import Evaluation
from registry.persons.models import Person
from registry.persons.service import decrypt_field
from registry.positions.models import Position
from registry.qualifications.models import Qualification, Training
from registry.text import full_name

# An external post is pushed only when its unit is written as an agency code; free-text
# units from before the registry cannot be named in the ministry's list.
_AGENCY = re.compile(r"^H\d{2}(\.\d{5})?$")


def _live(session: Session, model: Any, person_id: object) -> list[Any]:
    return list(
        session.scalars(
            sa.select(model).where(model.person_id == person_id, model.retired_at.is_(None))
        )
    )


def _work_history(session: Session, person: Person, agency: str) -> tuple[WorkPeriodData, ...]:
    rows = session.execute(
        sa.select(Assignment, Position.title)
        .outerjoin(Position, Position.id == Assignment.position_id)
        .where(Assignment.person_id == person.id, Assignment.retired_at.is_(None))
        .order_by(Assignment.valid_from, Assignment.id)
    ).all()
    out = []
    for a, title in rows:
        if a.position_id is not None:
            out.append(WorkPeriodData(a.valid_from, a.valid_to, agency, title, a.decision_no))
        elif a.external_unit and _AGENCY.match(a.external_unit) and a.external_post:
            out.append(
                WorkPeriodData(
                    a.valid_from, a.valid_to, a.external_unit, a.external_post, a.decision_no
                )
            )
    return tuple(out)


def _current_post(work: tuple[WorkPeriodData, ...], today: dt.date) -> WorkPeriodData | None:
    current = [w for w in work if w.start <= today and (w.end is None or w.end >= today)]
    return current[-1] if current else None


class Unsendable(ValueError):
    """This person's push cannot be built: data the contract needs is missing, or what we hold
    does not fit the contract. ``reason`` names fields and rules, never values; the item is
    quarantined for an operator, it is not a failure of the run."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _contract_refusal(exc: ValueError) -> Unsendable:
    if isinstance(exc, pydantic.ValidationError):
        broken = sorted(
            {f"{'.'.join(str(p) for p in e['loc']) or 'body'} ({e['type']})" for e in exc.errors()}
        )
        return Unsendable(f"the contract cannot carry: {', '.join(broken)}"[:480])
    return Unsendable(f"the contract cannot carry this official ({type(exc).__name__})")


def build_push(session: Session, ctx: Ctx, person: Person, *, agency: str) -> OfficialWrite:
    """The PUT body for ``person``; raises ``Unsendable`` when there can be none."""
    nid = decrypt_field(ctx, person, "nid")
    if nid is None:
        raise Unsendable("no identification number: the civil-servant database keys on it")
    try:
        return to_write(_official(session, person, nid, agency))
    except ValueError as exc:  # pydantic's ValidationError is one
        raise _contract_refusal(exc) from None


def _official(session: Session, person: Person, nid: str, agency: str) -> OfficialPush:
    work = _work_history(session, person, agency)
    post = _current_post(work, today())
    quals = sorted(
        (
            QualificationData(q.kind, q.level, q.major, q.awarded_on, q.institution)
            for q in _live(session, Qualification, person.id)
        ),
        key=lambda q: (q.kind, q.level, str(q.awarded_on)),
    )
    training = sorted(
        (
            TrainingData(t.valid_from, t.valid_to, t.course, t.institution, t.mode, t.certificate)
            for t in _live(session, Training, person.id)
        ),
        key=lambda t: (t.start, t.course),
    )
    evaluations = sorted(
        (
            EvaluationData(e.period, e.classification, e.general_points + e.task_points)
            for e in _live(session, Evaluation, person.id)
        ),
        key=lambda e: e.period,
    )
    return OfficialPush(
        nid=nid,
        full_name=full_name(person.family_name, person.middle_name, person.given_name),
        birth_date=person.birth_date,
        sex=person.sex,
        agency_code=post.agency_code if post else None,
        position_title=post.position_title if post else None,
        qualifications=tuple(quals),
        work_history=work,
        training=tuple(training),
        evaluations=tuple(evaluations),
    )


OWNED_KEYS = (
    "agency_code",
    "position_title",
    "work_history",
    "training",
    "qualifications",
    "evaluations",
)


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def owned_digest(doc: dict[str, Any]) -> str:
    """Digest of the registry-owned part of a payload or of a stored official (JSON form):
    equal digests mean the civil-servant database already holds what we would send."""
    owned = _drop_nulls({k: doc.get(k) for k in OWNED_KEYS})
    return hashlib.sha256(json.dumps(owned, sort_keys=True, default=str).encode()).hexdigest()


def push_digest(body: OfficialWrite) -> str:
    return owned_digest(dump_write(body))
