"""Auditors' questions: the file as recorded at an instant, the valid-time timeline, who held
a post on a date, what changed (old → new, who, why), and signed export bundles."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from registry import catalogue
from registry.access.principal import Principal
from registry.access.scope import get_visible
from registry.api.deps import CtxDep, ServicesDep, SessionDep
from registry.api.params import IsoDay, IsoInstant
from registry.audit.asof import file_as_of
from registry.audit.bundle import build_bundle
from registry.audit.changes import Change, Holder, changes, holders
from registry.audit.service import log_read
from registry.audit.timeline import TimelineEntry, build_timeline
from registry.errors import Forbidden
from registry.persons.models import Person
from registry.persons.views import load_file
from registry.positions.models import Position
from schemas.common import Count, Page

router = APIRouter(tags=["audit"])
AsOf = Annotated[
    IsoInstant | None, Query(description="RFC 3339 instant (recorded time), 1900–2100")
]


def _auditing(who: Principal) -> None:
    if who.role not in ("admin", "auditor"):
        raise Forbidden("only administrators and auditors may read the change log")


class ChangePage(BaseModel):
    items: list[Change]
    next_cursor: str | None


@router.get(
    "/persons/{person_id}/timeline",
    response_model=Page[TimelineEntry],
    summary="Valid-time view: posts, party status, qualifications … in date order "
    "(the whole file: `next_cursor` is null)",
)
def timeline(person_id: uuid.UUID, session: SessionDep, ctx: CtxDep, as_of: AsOf = None) -> Any:
    person = get_visible(session, Person, person_id, ctx.principal)
    file = (
        load_file(session, ctx, person)
        if as_of is None
        else file_as_of(session, ctx, person_id, as_of)
    )
    answer = build_timeline(session, file)
    log_read(
        session,
        ctx,
        action="persons.timeline",
        object_type="persons",
        object_ids=[str(person_id)],
        fields=["timeline"],
    )
    session.commit()
    return {"items": answer, "next_cursor": None}


@router.get(
    "/positions/{position_id}/holders",
    response_model=Page[Holder],
    summary="Who held the post on a date (optionally as recorded at an instant; "
    "`next_cursor` is null)",
)
def position_holders(
    position_id: uuid.UUID,
    on: Annotated[IsoDay, Query(description="a date, 1900–2100")],
    session: SessionDep,
    ctx: CtxDep,
    as_of: AsOf = None,
) -> Any:
    get_visible(session, Position, position_id, ctx.principal)
    return {
        "items": holders(session, position_id=position_id, on=on, as_of=as_of),
        "next_cursor": None,
    }


@router.get(
    "/changes",
    response_model=ChangePage,
    summary="What changed, field by field, by whom and why (auditors, admins)",
)
def list_changes(
    session: SessionDep,
    ctx: CtxDep,
    actor: Annotated[str | None, Query(max_length=120)] = None,
    object: Annotated[uuid.UUID | None, Query(description="record id")] = None,
    table: Annotated[str | None, Query(pattern=r"^[a-z_]{1,64}$")] = None,
    from_: Annotated[IsoInstant | None, Query(alias="from", description="RFC 3339 instant")] = None,
    to: AsOf = None,
    cursor: Annotated[Count, Query(description="`next_cursor` of the previous page")] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    _auditing(ctx.principal)
    items = changes(
        session,
        ctx.principal,
        actor=actor,
        object_id=object,
        table=table,
        start=from_,
        end=to,
        after_seq=cursor,
        limit=limit,
    )
    shown = sorted(
        {
            f.field
            for c in items
            for f in c.changes
            if f.field not in c.masked_fields and f.field in catalogue.sensitive_fields(c.table)
        }
        | {c.table for c in items if c.table in catalogue.sensitive_tables()}
    )
    log_read(
        session,
        ctx,
        action="changes.list",
        object_type="record_versions",
        object_ids=sorted({str(c.object_id) for c in items}),
        fields=shown,
    )
    session.commit()  # on record before anyone sees the history
    return {"items": items, "next_cursor": str(items[-1].seq) if len(items) == limit else None}


@router.get("/audit/persons/{person_id}/export", summary="Signed export bundle (auditors)")
def export(
    person_id: uuid.UUID, session: SessionDep, ctx: CtxDep, svc: ServicesDep, response: Response
) -> Any:
    _auditing(ctx.principal)
    if not ctx.principal.sees_sensitive:
        # A bundle is the whole recorded file, party and discipline included, and signed as
        # it is: it cannot be masked, so it is refused without a stated purpose.
        raise Forbidden("an export carries the whole file: state a purpose (X-Purpose)")
    get_visible(session, Person, person_id, ctx.principal)
    bundle = build_bundle(session, svc.audit, person_id)
    log_read(
        session,
        ctx,
        action="persons.export",
        object_type="persons",
        object_ids=[str(person_id)],
        fields=["history", "audit_events"],
    )
    session.commit()
    response.headers["Content-Disposition"] = f'attachment; filename="person-{person_id}.json"'
    return bundle


@router.get("/audit/public-key", summary="The key that signs checkpoints and bundles")
def public_key(svc: ServicesDep) -> dict[str, str]:
    return {"key_id": svc.audit.signer.key_id, "public_key": svc.audit.signer.public_key_b64()}
