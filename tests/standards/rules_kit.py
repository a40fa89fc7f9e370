"""Helpers of the rule scenarios: people of a given age, records of each kind."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from registry.assignments.service import create_assignment
from registry.evaluations.service import create_evaluation
from registry.party.service import create_membership
from registry.persons.models import Person
from registry.persons.service import create_person
from schemas.assignments import AssignmentCreate
from schemas.evaluations import EvaluationCreate
from schemas.party import PartyMembershipCreate
from schemas.persons import PersonCreate
from tests.factories import nid_for, person_payload
from tests.standards.conftest import Lab

_serial = itertools.count(500)


def person(lab: Lab, born: str = "1985-03-14", sex: str = "F", **over: Any) -> Person:
    n = next(_serial)
    return create_person(
        lab.session,
        lab.ctx,
        PersonCreate.model_validate(
            person_payload(
                lab.world.office.id,
                n,
                birth_date=born,
                sex=sex,
                nid=nid_for(int(born[:4]), sex, n),
                given_name="Lan" if sex == "F" else "Hùng",
                **over,
            )
        ),
    )


def hold(
    lab: Lab,
    who: Person,
    post: Any,
    start: dt.date,
    *,
    kind: str = "appointment",
    end: dt.date | None = None,
    **kw: Any,
) -> Any:
    return create_assignment(
        lab.session,
        lab.ctx,
        AssignmentCreate(
            person_id=who.id,
            position_id=post.id,
            kind=kind,  # type: ignore[arg-type]
            valid_from=start,
            valid_to=end,
            **kw,
        ),
    )


def elsewhere(lab: Lab, who: Person, start: dt.date, end: dt.date) -> Any:
    return create_assignment(
        lab.session,
        lab.ctx,
        AssignmentCreate(
            person_id=who.id,
            external_post="Chuyên viên",
            external_unit="UBND xã An Hòa (cũ)",
            kind="appointment",
            valid_from=start,
            valid_to=end,
        ),
    )


def member(lab: Lab, who: Person, admitted: dt.date, *, official: bool = True) -> Any:
    return create_membership(
        lab.session,
        lab.ctx,
        PartyMembershipCreate(
            person_id=who.id,
            party_cell_id=lab.world.cell_a.id,
            admitted_on=admitted,
            official_on=admitted.replace(year=admitted.year + 1) if official else None,
            status="official" if official else "probationary",
        ),
    )


def evaluation(lab: Lab, who: Person, period: str, points: int = 95) -> Any:
    general = min(30, points)
    return create_evaluation(
        lab.session,
        lab.ctx,
        EvaluationCreate(
            person_id=who.id, period=period, general_points=general, task_points=points - general
        ),
    )


def rules_of(findings: list[Any], who: Person) -> dict[str, Any]:
    return {f.rule: f for f in findings if f.person_id == who.id}
