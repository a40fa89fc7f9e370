"""Creating and changing the records of the file's other sections.

One pair of functions per section, made by ``_section``: the caller must be able to write the
person's file, the record's cross-field rules (``rules``) hold after every change, and a
broken rule is one 422 naming each field. Services flush; the edge commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from registry.access.scope import require_person_writable
from registry.context import Ctx
from registry.dates import today
from registry.db import Entity
from registry.errors import FieldIssue, Invalid
from registry.file_records import rules
from registry.file_records.models import (
    FamilyRelation,
    HealthRecord,
    MilitaryService,
    OrganisationMembership,
    PersonalHistory,
    SalaryHistory,
)
from registry.persons.models import Person
from registry.records import apply_changes

E = TypeVar("E", bound=Entity)
Check = Callable[[Session, Any], rules.Issues]


def raise_issues(issues: rules.Issues) -> None:
    if issues:
        raise Invalid(
            "; ".join(f"body.{f}: {r}" for f, r in issues),
            issues=[FieldIssue(f"body.{f}", r) for f, r in issues],
        )


def _values(data: BaseModel, *, partial: bool) -> dict[str, Any]:
    stored = getattr(data, "stored", None)
    if callable(stored):
        out: dict[str, Any] = stored()
        return out
    return data.model_dump(mode="python", exclude_unset=partial)


@dataclass(frozen=True)
class _Section(Generic[E]):
    model: type[E]
    check: Check
    required: tuple[str, ...]

    def create(self, session: Session, ctx: Ctx, data: BaseModel) -> E:
        values = _values(data, partial=False)
        require_person_writable(session, values["person_id"], ctx.principal)
        obj = self.model(**values)
        raise_issues(self.check(session, obj))
        session.add(obj)
        session.flush()
        return obj

    def update(self, session: Session, ctx: Ctx, obj: E, data: BaseModel) -> None:
        with session.no_autoflush:
            apply_changes(obj, _values(data, partial=True), required=self.required)
            raise_issues(self.check(session, obj))
        session.flush()


def _family(session: Session, r: FamilyRelation) -> rules.Issues:
    issues = rules.family_issues(
        person_id=r.person_id,
        relative_person_id=r.relative_person_id,
        side=r.side,
        relation=r.relation,
        birth_year=r.birth_year,
        today=today(),
    )
    if r.relative_person_id is not None and r.relative_person_id != r.person_id:
        found = session.scalar(
            sa.select(Person.id).where(
                Person.id == r.relative_person_id, Person.retired_at.is_(None)
            )
        )
        if found is None:
            issues.append(("relative_person_id", "is not a file in this registry"))
    return issues


def _history(_s: Session, r: PersonalHistory) -> rules.Issues:
    return rules.history_issues(r.valid_from, r.valid_to, today=today())


def _military(_s: Session, r: MilitaryService) -> rules.Issues:
    return rules.not_future(r.enlisted_on, field="enlisted_on", today=today()) + (
        rules.interval_issues(
            r.enlisted_on, r.discharged_on, start_field="enlisted_on", end_field="discharged_on"
        )
    )


def _health(_s: Session, r: HealthRecord) -> rules.Issues:
    return rules.not_future(r.examined_on, field="examined_on", today=today())


def _organisation(_s: Session, r: OrganisationMembership) -> rules.Issues:
    return rules.not_future(r.joined_on, field="joined_on", today=today()) + (
        rules.interval_issues(r.joined_on, r.left_on, start_field="joined_on", end_field="left_on")
    )


def _salary(_s: Session, r: SalaryHistory) -> rules.Issues:
    return rules.interval_issues(
        r.valid_from, r.valid_to, start_field="valid_from", end_field="valid_to"
    )


FAMILY = _Section(FamilyRelation, _family, ("side", "relation", "full_name", "party_status"))
HISTORY = _Section(PersonalHistory, _history, ("valid_from", "activity"))
MILITARY = _Section(MilitaryService, _military, ("enlisted_on",))
HEALTH = _Section(HealthRecord, _health, ("examined_on", "status"))
ORGANISATIONS = _Section(OrganisationMembership, _organisation, ("organisation", "joined_on"))
SALARY = _Section(SalaryHistory, _salary, ("valid_from", "salary_coefficient", "allowances"))

SECTIONS: tuple[_Section[Any], ...] = (FAMILY, HISTORY, MILITARY, HEALTH, ORGANISATIONS, SALARY)
