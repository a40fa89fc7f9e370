"""Creating and changing personnel files; encryption of identity numbers and contacts."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.scope import require_org_writable
from registry.context import Ctx
from registry.dates import PartialDate, today, utcnow
from registry.errors import Conflict, FieldIssue, Invalid
from registry.persons.models import Person, Provenance
from registry.persons.rules import identity_issues
from registry.text import search_key
from schemas.persons import PersonCreate, PersonUpdate

ENCRYPTED = {"nid": "nid_ct", "cmnd": "cmnd_ct", "phone": "phone_ct", "email": "email_ct"}
BLIND_INDEXED = {"nid": "nid_bidx", "cmnd": "cmnd_bidx"}
PLACES = ("birth_place", "origin_place", "permanent_residence", "current_residence")

# Field groups whose provenance is tracked (the sync authority matrix uses the same names).
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "identity": (
        "nid",
        "cmnd",
        "family_name",
        "middle_name",
        "given_name",
        "other_names",
        "birth_date",
        "sex",
        "ethnicity_code",
        "religion_code",
        "birth_place",
        "origin_place",
        "permanent_residence",
        "life_status",
        "death_date",
    ),
    "contact": ("phone", "email", "current_residence"),
    "employment": (
        "recruited_on",
        "recruiting_agency",
        "civil_servant_no",
        "rank_code",
        "salary_grade",
        "salary_step",
        "salary_coefficient",
        "general_education",
    ),
}
REQUIRED = (
    "family_name",
    "given_name",
    "birth_date",
    "sex",
    "ethnicity_code",
    "religion_code",
    "life_status",
    "org_unit_id",
)


def decrypt_field(ctx: Ctx, person: Person, name: str) -> str | None:
    blob: bytes | None = getattr(person, ENCRYPTED[name])
    if blob is None:
        return None
    return ctx.cipher.decrypt(blob, table="persons", column=ENCRYPTED[name], row_id=person.id)


def nid_index(ctx: Ctx, nid: str) -> str:
    return ctx.cipher.blind_index(nid, purpose="nid")


def _validate(ctx: Ctx, state: dict[str, Any]) -> None:
    issues = identity_issues(
        nid=state.get("nid"),
        cmnd=state.get("cmnd"),
        birth_date=state["birth_date"],
        sex=state["sex"],
        ethnicity_code=state["ethnicity_code"],
        religion_code=state["religion_code"],
        life_status=state["life_status"],
        death_date=state.get("death_date"),
        today=today(),
        abroad_prefixes=ctx.settings.nid_abroad_prefixes,
    )
    if issues:
        raise Invalid(
            "; ".join(f"body.{f}: {r}" for f, r in issues),
            issues=[FieldIssue(f"body.{f}", r) for f, r in issues],
        )


def _check_unique(session: Session, person_id: uuid.UUID, column: str, bidx: str) -> None:
    col = getattr(Person, column)
    other = session.scalar(sa.select(Person.id).where(col == bidx, Person.id != person_id))
    if other is not None:
        field = column.removesuffix("_bidx")
        raise Conflict(
            f"another person already has this {field}",
            issues=[FieldIssue(f"body.{field}", "already recorded for another person")],
        )


def _apply(session: Session, ctx: Ctx, person: Person, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if key in ENCRYPTED:
            setattr(
                person,
                ENCRYPTED[key],
                None
                if value is None
                else ctx.cipher.encrypt(
                    value, table="persons", column=ENCRYPTED[key], row_id=person.id
                ),
            )
            if key in BLIND_INDEXED:
                bidx = None if value is None else ctx.cipher.blind_index(value, purpose=key)
                if bidx is not None:
                    _check_unique(session, person.id, BLIND_INDEXED[key], bidx)
                setattr(person, BLIND_INDEXED[key], bidx)
        elif key in PLACES:
            setattr(person, key, None if value is None else dict(value))
        else:
            setattr(person, key, value)
    if "birth_date" in changes:
        person.birth_year = PartialDate.parse(changes["birth_date"]).year
    person.search_key = search_key(
        person.family_name, person.middle_name, person.given_name, person.other_names
    )
    _record_provenance(session, ctx, person, changes)


def _record_provenance(session: Session, ctx: Ctx, person: Person, changes: dict[str, Any]) -> None:
    now = utcnow()
    for group, fields in FIELD_GROUPS.items():
        if not any(f in changes for f in fields):
            continue
        row = session.scalar(
            sa.select(Provenance).where(
                Provenance.person_id == person.id, Provenance.field_group == group
            )
        )
        if row is None:
            session.add(
                Provenance(
                    person_id=person.id, field_group=group, source=ctx.source, asserted_at=now
                )
            )
        else:
            row.source, row.asserted_at = ctx.source, now


def create_person(session: Session, ctx: Ctx, data: PersonCreate) -> Person:
    require_org_writable(session, data.org_unit_id, ctx.principal)
    state = data.model_dump(mode="python")
    state["middle_name"] = state.get("middle_name") or ""
    state["other_names"] = state.get("other_names") or ""
    _validate(ctx, state)
    person = Person(id=uuid.uuid4())
    with session.no_autoflush:
        _apply(session, ctx, person, state)
    session.add(person)
    session.flush()
    return person


def current_state(ctx: Ctx, person: Person) -> dict[str, Any]:
    state = {c.key: getattr(person, c.key) for c in Person.__table__.columns}
    for name in ENCRYPTED:
        state[name] = decrypt_field(ctx, person, name)
    return state


def update_person(session: Session, ctx: Ctx, person: Person, data: PersonUpdate) -> None:
    changes = data.model_dump(mode="python", exclude_unset=True)
    for key in REQUIRED:
        if key in changes and changes[key] is None:
            raise Invalid.field(f"body.{key}", "may not be null")
    if "middle_name" in changes or "other_names" in changes:
        for key in ("middle_name", "other_names"):
            if key in changes and changes[key] is None:
                changes[key] = ""
    if "org_unit_id" in changes:
        require_org_writable(session, changes["org_unit_id"], ctx.principal)
    state = current_state(ctx, person) | changes
    _validate(ctx, state)
    with session.no_autoflush:
        _apply(session, ctx, person, changes)
    session.flush()


def retire_person(session: Session, ctx: Ctx, person: Person) -> None:
    if person.retired_at is not None:
        raise Conflict("this personnel file is already retired")
    person.retired_at = utcnow()
    session.flush()
