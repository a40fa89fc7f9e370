"""People: the list and search page (``/persons``), with totals, paging and filters.

The search is ``registry.persons.search`` (the same for the API); the party-status filter is
offered only to who may see party status, and sent by anyone else it is refused (a filter is a
read). Listing is on the audit log like the API's list.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from registry.access import policy
from registry.access.principal import Principal
from registry.access.scope import visible
from registry.api.deps import SessionDep
from registry.assignments.models import Assignment
from registry.audit.service import log_read, sensitive_fields_seen
from registry.dates import today
from registry.errors import Invalid
from registry.org_units.models import OrgUnit
from registry.party.models import PartyMembership
from registry.persons.search import PersonQuery, search_persons
from registry.positions.models import Position
from registry.text import full_name
from registry.web import render
from registry.web.deps import ServicesDep, UserDep, acting
from registry.web.routes import WebRoute
from registry.web.words import CODES, code_words

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PER_PAGE = 25
Text = Annotated[str, Query(max_length=100)]


def _uuid(raw: str, name: str) -> uuid.UUID | None:
    if not raw.strip():
        return None
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise Invalid.field(f"query.{name}", "is not one of the choices") from None


def _page_number(raw: str) -> int:
    if not raw.strip():
        return 1
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 100_000:
        raise Invalid.field("query.page", "must be a whole number from 1 to 100000")
    return int(raw)


def current_posts(
    session: Session, person_ids: list[uuid.UUID], on: dt.date
) -> dict[uuid.UUID, list[str]]:
    """Titles of the posts each person holds on ``on`` (the title, not the decision)."""
    rows = session.execute(
        sa.select(Assignment.person_id, Position.title, Assignment.external_post)
        .outerjoin(Position, Position.id == Assignment.position_id)
        .where(
            Assignment.person_id.in_(person_ids),
            Assignment.retired_at.is_(None),
            Assignment.valid_from <= on,
            sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to >= on),
        )
        .order_by(Assignment.valid_from)
    ).all()
    out: dict[uuid.UUID, list[str]] = {}
    for pid, title, external in rows:
        out.setdefault(pid, []).append(title or external or "")
    return out


def choices(session: Session, who: Principal) -> dict[str, Any]:
    units = session.execute(
        visible(sa.select(OrgUnit.id, OrgUnit.name, OrgUnit.path), OrgUnit, who)
        .where(OrgUnit.retired_at.is_(None), ~OrgUnit.code.like("CB-KDC%"))
        .order_by(OrgUnit.path)
    ).all()
    posts = session.execute(
        visible(sa.select(Position.id, Position.title), Position, who)
        .where(Position.retired_at.is_(None))
        .order_by(Position.title)
    ).all()
    return {"units": units, "posts": posts}


@router.get("/persons")
def people(
    request: Request,
    me: UserDep,
    session: SessionDep,
    svc: ServicesDep,
    q: Text = "",
    unit: Text = "",
    post: Text = "",
    party_status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[str, Query(max_length=6)] = "1",
) -> Response:
    who = me.principal
    number = _page_number(page)
    if party_status and party_status not in CODES["status"]:
        raise Invalid.field("query.party_status", "is not one of the choices")
    query = PersonQuery(
        text=q,
        org_unit_id=_uuid(unit, "unit"),
        position_id=_uuid(post, "post"),
        party_status=party_status or None,
        offset=(number - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    found = search_persons(session, who, query)
    ids = [p.id for p in found.persons]
    ctx = acting(session, svc, who, request, reason="list persons (review page)")
    units = dict(session.execute(sa.select(OrgUnit.id, OrgUnit.name)).tuples().all())
    sees_party = policy.sees_field(who, "party_memberships", "status")
    party: dict[uuid.UUID, str] = {}
    if sees_party and ids:
        party = dict(
            session.execute(
                sa.select(PartyMembership.person_id, PartyMembership.status).where(
                    PartyMembership.person_id.in_(ids)
                )
            )
            .tuples()
            .all()
        )
    posts = current_posts(session, ids, today())
    lang = render.language(request)
    rows = [
        {
            "id": p.id,
            "name": full_name(p.family_name, p.middle_name, p.given_name),
            "birth": render.day(p.birth_date),
            "unit": units.get(p.org_unit_id, "") if p.org_unit_id else "",
            "posts": posts.get(p.id, []),
            "party": code_words("status", party[p.id], lang) if p.id in party else "",
        }
        for p in found.persons
    ]
    log_read(
        session,
        ctx,
        action="persons.list",
        object_type="persons",
        object_ids=[str(i) for i in ids],
        fields=sensitive_fields_seen(who),
    )
    session.commit()  # the reads are on record before anyone sees the data
    pages = max(1, -(-found.total // PER_PAGE))
    context = {
        "rows": rows,
        "total": found.total,
        "page": number,
        "pages": pages,
        "q": q,
        "unit": unit,
        "post": post,
        "party_status": party_status,
        "sees_party": sees_party,
        "statuses": list(CODES["status"]),
        "query": urlencode({"q": q, "unit": unit, "post": post, "party_status": party_status}),
        **choices(session, who),
    }
    return render.page(request, "persons.html", context)
