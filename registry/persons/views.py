"""Person answers: decryption, masking by role, the whole file and its ETag."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import policy
from registry.access.principal import Principal
from registry.assignments.models import Assignment
from registry.conduct.models import Commendation, Discipline
from registry.context import Ctx
from registry.db import Entity
from registry.documents.models import Document
from registry.evaluations.models import Evaluation
from registry.party.models import PartyEvent, PartyMembership
from registry.persons.models import IdentityVerification, Person, Provenance
from registry.persons.service import ENCRYPTED, decrypt_field
from registry.planning.models import PlanningEntry
from registry.qualifications.models import Qualification, Training
from registry.text import full_name
from schemas.person_file import PersonFile
from schemas.persons import PersonRead


def person_fields(ctx: Ctx, person: Person) -> dict[str, Any]:
    data = {c.key: getattr(person, c.key) for c in Person.__table__.columns}
    data["full_name"] = full_name(person.family_name, person.middle_name, person.given_name)
    masked = list(policy.hidden_fields(ctx.principal, "persons"))
    for name in masked:
        data[name] = None
    for name in ENCRYPTED:  # decrypt only what the caller may see
        if name not in masked:
            data[name] = decrypt_field(ctx, person, name)
    data["masked_fields"] = masked
    return data


def person_read(ctx: Ctx, person: Person) -> PersonRead:
    return PersonRead.model_validate(person_fields(ctx, person))


# File sections made of record kinds the read policy may withhold as a whole.
SECTION_KINDS = {
    "disciplines": "disciplines",
    "party_membership": "party_memberships",
    "party_events": "party_events",
}
SECTIONS: dict[str, type[Entity]] = {
    "work_history": Assignment,
    "qualifications": Qualification,
    "trainings": Training,
    "evaluations": Evaluation,
    "commendations": Commendation,
    "disciplines": Discipline,
    "planning": PlanningEntry,
    "documents": Document,
}
_ORDER: dict[str, Any] = {
    "work_history": Assignment.valid_from,
    "qualifications": Qualification.kind,
    "trainings": Training.valid_from,
    "evaluations": Evaluation.period,
    "commendations": Commendation.decided_on,
    "disciplines": Discipline.decided_on,
    "planning": PlanningEntry.term,
    "documents": Document.created_at,
}


def _current(session: Session, model: type[Entity], person_id: object) -> Sequence[Any]:
    cols: Any = model.__table__.c
    return session.scalars(
        sa.select(model).where(cols.person_id == person_id, cols.retired_at.is_(None))
    ).all()


def mask_sections(ctx: Ctx, data: dict[str, Any]) -> None:
    """Party membership and discipline are special-category data (political views,
    sanctions): withheld, and said so, in every view of a file (as it is now, as recorded at
    an instant, its timeline) for principals the read policy closes them to; so is a document
    attached to one of them."""
    p = ctx.principal
    closed = [s for s, table in SECTION_KINDS.items() if not policy.sees_kind(p, table)]
    for section in closed:
        data[section] = None if section == "party_membership" else []
    data["documents"] = [
        doc for doc in data.get("documents", []) if policy.sees_document(p, _owner_table(doc))
    ]
    data["masked_fields"] = [*data["masked_fields"], *closed]
    # Within an open section, a value the policy closes (an evaluation's caps, made of
    # disciplines) is withheld and named in the record's masked_fields.
    for section, model in SECTIONS.items():
        if section in closed or not policy.maskable(model.__tablename__):
            continue
        records = data.get(section) or []
        data[section] = [_masked_record(ctx, model.__tablename__, r) for r in records]


def _masked_record(ctx: Ctx, table: str, record: Any) -> Any:
    masked = policy.mask_record(ctx.principal, table, record)
    return record if masked is None else masked


def _owner_table(doc: Any) -> str:
    return str(doc.get("owner_table") if isinstance(doc, dict) else doc.owner_table)


def load_file(session: Session, ctx: Ctx, person: Person) -> PersonFile:
    data = person_fields(ctx, person)
    for name, model in SECTIONS.items():
        order_key = _ORDER[name].key
        data[name] = sorted(
            _current(session, model, person.id),
            key=lambda r: (getattr(r, order_key), str(r.id)),
        )
    membership = session.scalar(
        sa.select(PartyMembership).where(PartyMembership.person_id == person.id)
    )
    data["party_membership"] = membership
    data["party_events"] = (
        []
        if membership is None
        else session.scalars(
            sa.select(PartyEvent)
            .where(PartyEvent.membership_id == membership.id)
            .order_by(PartyEvent.effective_on, PartyEvent.created_at)
        ).all()
    )
    mask_sections(ctx, data)
    data["identity_verification"] = session.get(IdentityVerification, person.id)
    data["provenance"] = session.scalars(
        sa.select(Provenance)
        .where(Provenance.person_id == person.id)
        .order_by(Provenance.field_group)
    ).all()
    return PersonFile.model_validate(data)


def file_etag(session: Session, person: Person, principal: Principal) -> str:
    """Changes whenever the person or any record of their file the principal may see
    changes. Kinds the read policy closes to the principal (a discipline, a party membership
    and its events, a document attached to one) are left out: polling the ETag must not
    tell them a sanction was recorded. A write compares If-Match with the ETag computed for
    the same principal."""
    digest = hashlib.sha256(f"{person.id}:{person.version}".encode())
    tables: list[type[Entity]] = [*SECTIONS.values(), PartyMembership, Provenance]
    for model in tables:
        if not policy.sees_kind(principal, model.__tablename__):
            continue
        cols: Any = model.__table__.c
        stmt = sa.select(cols.id, cols.version).where(cols.person_id == person.id)
        if model is Document:
            closed = sorted(policy.closed_tables(principal))
            if closed:
                stmt = stmt.where(cols.owner_table.not_in(closed))
        rows = session.execute(stmt.order_by(cols.id)).all()
        for row_id, version in rows:
            digest.update(f"|{model.__tablename__}:{row_id}:{version}".encode())
    if policy.sees_kind(principal, "party_events"):
        events = session.execute(
            sa.select(PartyEvent.id)
            .join(PartyMembership, PartyMembership.id == PartyEvent.membership_id)
            .where(PartyMembership.person_id == person.id)
            .order_by(PartyEvent.id)
        ).all()
        for (event_id,) in events:
            digest.update(f"|e:{event_id}".encode())
    return f'"{digest.hexdigest()[:32]}"'
