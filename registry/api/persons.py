"""Persons: the personnel file, masked by role, found by accent-free name or exact number."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Response, status

from registry.access import policy, quota
from registry.access.principal import Principal
from registry.access.scope import get_visible, require_person_writable, scope_clause, visible
from registry.alerts.service import reevaluate_people
from registry.api.answers import json_answer
from registry.api.deps import (
    CtxDep,
    CursorQuery,
    IfMatchHeader,
    LimitQuery,
    ReasonDep,
    SessionDep,
    check_if_match,
    rationed,
)
from registry.api.lookup import router as lookup_router
from registry.api.pagination import page_rows
from registry.api.params import IsoInstant
from registry.api.references import check_references
from registry.assignments.models import Assignment
from registry.audit.asof import file_as_of
from registry.audit.service import log_read, sensitive_fields_seen
from registry.dates import today
from registry.errors import Forbidden, Invalid
from registry.org_units.models import OrgUnit
from registry.party.models import PartyMembership
from registry.persons import writer
from registry.persons.models import Person
from registry.persons.search import name_matches, query_words
from registry.persons.service import create_person, retire_person, update_person
from registry.persons.views import file_etag, load_file, person_read
from registry.text import search_key
from schemas.common import Page
from schemas.person_file import PersonFile
from schemas.persons import PersonCreate, PersonRead, PersonUpdate

router = APIRouter(tags=["persons"])
router.include_router(lookup_router)


def _writer(who: Principal) -> None:
    if not who.can_write:
        raise Forbidden(f"role {who.role} may not change records")


@router.post(
    "/persons",
    response_model=PersonFile,
    status_code=status.HTTP_201_CREATED,
    summary="Create a personnel file",
)
def create(body: PersonCreate, session: SessionDep, ctx: CtxDep, response: Response) -> Any:
    _writer(ctx.principal)
    check_references(session, ctx.principal, Person, body)
    person = create_person(session, ctx, body)
    session.commit()
    response.headers["ETag"] = file_etag(session, person, ctx.principal)
    response.headers["Location"] = f"/api/v1/persons/{person.id}"
    return load_file(session, ctx, person)


@router.get(
    "/persons",
    response_model=Page[PersonRead],
    summary="Find persons",
    dependencies=[Depends(rationed)],  # ?nid= takes one lookup from the caller's quota
)
def list_persons(
    session: SessionDep,
    ctx: CtxDep,
    q: Annotated[
        str | None,
        Query(max_length=100, description="accent-free; each word starts a word of the name"),
    ] = None,
    nid: Annotated[str | None, Query(pattern=r"^[0-9]{12}$", description="exact number")] = None,
    org_unit_id: Annotated[uuid.UUID | None, Query(description="org unit subtree")] = None,
    position_id: Annotated[uuid.UUID | None, Query(description="current holders")] = None,
    party_status: Annotated[str | None, Query(pattern=r"^[a-z_]{3,20}$")] = None,
    include_retired: bool = False,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Any:
    stmt = visible(sa.select(*Person.__table__.columns), Person, ctx.principal)
    if not include_retired:
        stmt = stmt.where(Person.retired_at.is_(None))
    if q is not None:
        if not search_key(q):
            raise Invalid.field("query.q", "has no letters to search for")
        # Whole words or their starts, as on the people page: "Hạnh" never finds "Thành".
        stmt = stmt.where(name_matches(query_words(q)))
    if nid is not None:
        policy.require_lookup(ctx.principal, param="nid", table="persons", field="nid")
        per_minute = quota.allowance(ctx.principal, ctx.settings)
        quota.take(session, ctx.principal.subject, 1, per_minute=per_minute)
        session.commit()  # counted whatever happens next
        stmt = stmt.where(writer.find_by(ctx.cipher, "nid", nid))
    if org_unit_id is not None:
        org = get_visible(session, OrgUnit, org_unit_id, ctx.principal)
        stmt = stmt.where(scope_clause(Person, org.path))
    if position_id is not None:
        on = today()
        stmt = stmt.where(
            Person.id.in_(
                sa.select(Assignment.person_id).where(
                    Assignment.position_id == position_id,
                    Assignment.retired_at.is_(None),
                    Assignment.valid_from <= on,
                    sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to >= on),
                )
            )
        )
    if party_status is not None:
        policy.require_filter(
            ctx.principal, param="party_status", table="party_memberships", field="status"
        )
        stmt = stmt.where(
            Person.id.in_(
                sa.select(PartyMembership.person_id).where(PartyMembership.status == party_status)
            )
        )
    items, nxt = page_rows(session, stmt, Person, cursor=cursor, limit=limit)
    answer = [person_read(ctx, p) for p in items]
    log_read(
        session,
        ctx,
        action="persons.list",
        object_type="persons",
        object_ids=[str(p.id) for p in items],
        fields=sensitive_fields_seen(ctx.principal),
    )
    session.commit()  # the reads are on record before anyone sees the data
    return json_answer(Page[PersonRead](items=answer, next_cursor=nxt))


@router.get(
    "/persons/{person_id}",
    response_model=PersonFile,
    summary="The whole personnel file (form 2C sections)",
)
def read(
    person_id: uuid.UUID,
    session: SessionDep,
    ctx: CtxDep,
    response: Response,
    as_of: Annotated[
        IsoInstant | None,
        Query(description="RFC 3339 instant (1900–2100): the file exactly as recorded then"),
    ] = None,
) -> Any:
    person = get_visible(session, Person, person_id, ctx.principal)
    if as_of is None:
        response.headers["ETag"] = file_etag(session, person, ctx.principal)
        answer = load_file(session, ctx, person)
    else:
        answer = file_as_of(session, ctx, person_id, as_of)
    log_read(
        session,
        ctx,
        action="persons.read" if as_of is None else "persons.read_as_of",
        object_type="persons",
        object_ids=[str(person.id)],
        fields=[*sensitive_fields_seen(ctx.principal), "file"],
    )
    session.commit()  # the read is on record before anyone sees the data
    return json_answer(answer, response)


@router.patch(
    "/persons/{person_id}",
    response_model=PersonFile,
    summary="Change identity, contact or employment fields",
)
def update(
    person_id: uuid.UUID,
    body: PersonUpdate,
    session: SessionDep,
    ctx: CtxDep,
    response: Response,
    reason: ReasonDep,
    if_match: IfMatchHeader,
) -> Any:
    person = require_person_writable(session, person_id, ctx.principal)
    check_if_match(if_match, file_etag(session, person, ctx.principal))
    check_references(session, ctx.principal, Person, body)
    update_person(session, ctx, person, body)
    reevaluate_people(session, {person.id})
    session.commit()
    response.headers["ETag"] = file_etag(session, person, ctx.principal)
    return load_file(session, ctx, person)


@router.delete(
    "/persons/{person_id}",
    response_model=PersonFile,
    summary="Retire a personnel file (kept with its history; never deleted)",
)
def retire(
    person_id: uuid.UUID,
    session: SessionDep,
    ctx: CtxDep,
    response: Response,
    reason: ReasonDep,
    if_match: IfMatchHeader,
) -> Any:
    person = require_person_writable(session, person_id, ctx.principal)
    check_if_match(if_match, file_etag(session, person, ctx.principal))
    retire_person(session, ctx, person)
    reevaluate_people(session, {person.id})
    session.commit()
    response.headers["ETag"] = file_etag(session, person, ctx.principal)
    return load_file(session, ctx, person)
