"""A person's file, masked by role and on the audit log before it is shown."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from registry.access.principal import SENSITIVE_PERSON_FIELDS
from registry.access.scope import get_visible
from registry.api.deps import SessionDep
from registry.audit.service import log_read, sensitive_fields_seen
from registry.persons.models import Person
from registry.persons.views import load_file
from registry.web import render
from registry.web.deps import ServicesDep, UserDep, acting
from registry.web.errors import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
SHOWN_SENSITIVE = tuple(f for f in SENSITIVE_PERSON_FIELDS if f != "cmnd")


@router.get("/persons/{person_id}")
def person_file(
    request: Request, person_id: uuid.UUID, me: UserDep, session: SessionDep, svc: ServicesDep
) -> Response:
    ctx = acting(session, svc, me.principal, request, reason="read person file (review page)")
    person = get_visible(session, Person, person_id, ctx.principal)
    file = load_file(session, ctx, person)
    log_read(
        session,
        ctx,
        action="persons.read",
        object_type="persons",
        object_ids=[str(person.id)],
        fields=[*sensitive_fields_seen(ctx.principal), "file"],
    )
    session.commit()  # the read is on record before anyone sees the data
    context = {
        "file": file,
        "sensitive": SHOWN_SENSITIVE,
        "asks_purpose": me.principal.role == "auditor",
        "purpose": me.principal.purpose or "",
    }
    return render.page(request, "person.html", context)
