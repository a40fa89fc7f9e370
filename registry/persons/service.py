"""Creating and changing personnel files; encryption of identity numbers and contacts."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from registry import catalogue
from registry.access.scope import require_org_writable
from registry.context import Ctx
from registry.dates import today, utcnow
from registry.errors import Conflict, FieldIssue, Invalid
from registry.persons import writer
from registry.persons.models import Person
from registry.persons.rules import identity_issues
from schemas.persons import PersonCreate, PersonUpdate

ENCRYPTED = catalogue.encrypted("persons")

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


def decrypt_field(ctx: Ctx, person: Person | Row[Any], name: str) -> str | None:
    return decrypt_stored(ctx, getattr(person, ENCRYPTED[name]), name, person.id)


def decrypt_stored(ctx: Ctx, blob: bytes | None, name: str, row_id: uuid.UUID) -> str | None:
    """The encrypted field ``name`` of the person ``row_id`` from its stored ciphertext."""
    if blob is None:
        return None
    return ctx.cipher.decrypt(blob, table="persons", column=ENCRYPTED[name], row_id=row_id)


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
        max_age=ctx.settings.living_person_max_age,
        id_issued_on=state.get("id_issued_on"),
    )
    if issues:
        raise Invalid(
            "; ".join(f"body.{f}: {r}" for f, r in issues),
            issues=[FieldIssue(f"body.{f}", r) for f, r in issues],
        )


def _apply(session: Session, ctx: Ctx, person: Person, changes: dict[str, Any]) -> None:
    writer.write(session, ctx.cipher, person, changes, source=ctx.source)


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
