"""Party membership actions beyond plain corrections: status transitions and transfers."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from registry.access import policy
from registry.access.scope import require_writable
from registry.api.crud import etag_of
from registry.api.deps import CtxDep, IfMatchHeader, ReasonDep, SessionDep, check_if_match
from registry.context import Ctx
from registry.errors import Forbidden
from registry.party.models import PartyMembership
from registry.party.service import change_status, transfer
from schemas.party import PartyEventRead, PartyStatusChange, PartyTransfer

router = APIRouter(tags=["party membership"])


def require_sensitive(ctx: Ctx) -> None:
    """A party action answers with the membership: as closed as reading it."""
    if not policy.sees_kind(ctx.principal, "party_memberships"):
        raise Forbidden(f"party memberships are not open to role {ctx.principal.role}")


@router.post(
    "/party-memberships/{membership_id}/status",
    response_model=PartyEventRead,
    status_code=status.HTTP_201_CREATED,
    summary="Move to another party status",
)
def post_status(
    membership_id: uuid.UUID,
    body: PartyStatusChange,
    session: SessionDep,
    ctx: CtxDep,
    response: Response,
    if_match: IfMatchHeader,
    reason: ReasonDep,  # a party action changes the membership: say why
) -> Any:
    require_sensitive(ctx)
    m = require_writable(session, PartyMembership, membership_id, ctx.principal)
    check_if_match(if_match, etag_of(m))
    event = change_status(session, ctx, m, body)
    session.commit()
    response.headers["ETag"] = etag_of(m)
    return event


@router.post(
    "/party-memberships/{membership_id}/transfers",
    response_model=PartyEventRead,
    status_code=status.HTTP_201_CREATED,
    summary="Transfer to another party cell",
)
def post_transfer(
    membership_id: uuid.UUID,
    body: PartyTransfer,
    session: SessionDep,
    ctx: CtxDep,
    response: Response,
    if_match: IfMatchHeader,
    reason: ReasonDep,  # a party action changes the membership: say why
) -> Any:
    require_sensitive(ctx)
    m = require_writable(session, PartyMembership, membership_id, ctx.principal)
    check_if_match(if_match, etag_of(m))
    event = transfer(session, ctx, m, body)
    session.commit()
    response.headers["ETag"] = etag_of(m)
    return event
