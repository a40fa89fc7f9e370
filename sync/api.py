"""Sync visibility: runs, conflicts to resolve, the outbox's dead letters, and /metrics."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.orm import Session

from registry.access.principal import Principal
from registry.access.scope import scope_clause
from registry.api.deps import CtxDep, ReasonDep, SessionDep
from registry.api.pagination import KeyCursorQuery, decode_key, encode_key
from registry.audit.service import log_read
from registry.context import Ctx
from registry.errors import Forbidden, Invalid, NotFound
from registry.metrics import REGISTRY
from registry.org_units.models import OrgUnit
from registry.persons.models import Person
from schemas.common import Page, Positive
from schemas.sync import ConflictRead, ConflictResolve, OutboxRead, SyncRunRead
from sync.conflicts import as_read, list_conflicts, resolve
from sync.jobs.civil_service_push import replay
from sync.models import OutboxItem, SyncRun

router = APIRouter(prefix="/sync", tags=["sync"])
metrics_router = APIRouter(tags=["operations"])


def _operators(session: Session, ctx: Ctx) -> None:
    require_operator(session, ctx.principal)


def require_operator(session: Session, p: Principal) -> None:
    """Sync state is for auditors (they read registry-wide whatever unit their token names),
    registry-wide administrators, and the administrators of a root unit of the deployment's
    tree (a unit without a parent: the ward's committee, council, party committee): they run
    the deployment, though their token names a unit."""
    if p.role == "auditor" or (p.role == "admin" and p.org_path is None):
        return
    if p.role == "admin" and p.org_path is not None:
        root = session.scalar(
            sa.select(OrgUnit.id).where(OrgUnit.path == p.org_path, OrgUnit.parent_id.is_(None))
        )
        if root is not None:
            return
    raise Forbidden(
        "sync state is for auditors and administrators of the whole registry or a root unit"
    )


def _in_scope(ctx: Ctx, stmt: sa.Select[tuple[OutboxItem]]) -> sa.Select[tuple[OutboxItem]]:
    """An outbox item names a person: a root unit's administrator sees those of its tree."""
    p = ctx.principal
    if p.reads_everything or p.org_path is None:
        return stmt
    return stmt.where(
        OutboxItem.person_id.in_(sa.select(Person.id).where(scope_clause(Person, p.org_path)))
    )


def _instant(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise Invalid.field("query.cursor", "is not a cursor this API issued") from None


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Invalid.field("query.cursor", "is not a cursor this API issued") from None


@router.get("/runs", response_model=Page[SyncRunRead], summary="Recent job runs, newest first")
def runs(
    session: SessionDep,
    ctx: CtxDep,
    job: Annotated[str | None, Query(pattern=r"^[a-z\-]{1,64}$")] = None,
    cursor: KeyCursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    _operators(session, ctx)
    stmt = sa.select(SyncRun).order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
    if job:
        stmt = stmt.where(SyncRun.job == job)
    if cursor:
        at, last = decode_key(cursor, 2)
        t, rid = _instant(at), _uuid(last)
        stmt = stmt.where(
            sa.or_(SyncRun.started_at < t, sa.and_(SyncRun.started_at == t, SyncRun.id < rid))
        )
    rows = list(session.scalars(stmt.limit(limit + 1)))
    nxt = None
    if len(rows) > limit:
        rows = rows[:limit]
        nxt = encode_key(rows[-1].started_at.isoformat(), str(rows[-1].id))
    return {"items": rows, "next_cursor": nxt}


@router.get("/conflicts", response_model=Page[ConflictRead], summary="Conflicts to resolve")
def conflicts(
    session: SessionDep,
    ctx: CtxDep,
    status: Annotated[str | None, Query(pattern=r"^(open|resolved)$")] = "open",
    cursor: KeyCursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    after = None
    if cursor:
        at, last = decode_key(cursor, 2)
        after = (_instant(at), _uuid(last))
    found = list_conflicts(session, ctx, status=status, limit=limit + 1, after=after)
    nxt = None
    if len(found) > limit:
        found = found[:limit]
        nxt = encode_key(found[-1].created_at.isoformat(), str(found[-1].id))
    answer = [as_read(ctx, c) for c in found]
    # A conflict carries the two values of a person's field: on record with the fields whose
    # values were shown, committed before the answer.
    log_read(
        session,
        ctx,
        action="sync_conflicts.list",
        object_type="persons",
        object_ids=sorted({str(c.person_id) for c in found}),
        fields=sorted(
            {a.field for a in answer if a.local_value is not None or a.remote_value is not None}
        ),
    )
    session.commit()
    return {"items": answer, "next_cursor": nxt}


@router.post(
    "/conflicts/{conflict_id}/resolve",
    response_model=ConflictRead,
    summary="Keep the registry's value or take the source's",
)
def resolve_conflict(
    conflict_id: uuid.UUID,
    body: ConflictResolve,
    session: SessionDep,
    ctx: CtxDep,
    reason: ReasonDep,
) -> Any:
    c = resolve(session, ctx, conflict_id, body.resolution)
    session.commit()
    return as_read(ctx, c)


@router.get("/outbox", response_model=Page[OutboxRead], summary="Outbox items by status")
def outbox_items(
    session: SessionDep,
    ctx: CtxDep,
    status: Annotated[str, Query(pattern=r"^(pending|done|dead|quarantined)$")] = "dead",
    cursor: KeyCursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    _operators(session, ctx)
    stmt = _in_scope(ctx, sa.select(OutboxItem).where(OutboxItem.status == status))
    if cursor:
        (last,) = decode_key(cursor, 1)
        if not last.isdigit() or len(last) > 18:
            raise Invalid.field("query.cursor", "is not a cursor this API issued")
        stmt = stmt.where(OutboxItem.id > int(last))
    rows = list(session.scalars(stmt.order_by(OutboxItem.id).limit(limit + 1)))
    nxt = None
    if len(rows) > limit:
        rows = rows[:limit]
        nxt = encode_key(str(rows[-1].id))
    return {"items": rows, "next_cursor": nxt}


@router.post(
    "/outbox/{item_id}/replay",
    response_model=OutboxRead,
    summary="Put a dead or quarantined item back in line",
)
def replay_item(item_id: Positive, session: SessionDep, ctx: CtxDep, reason: ReasonDep) -> Any:
    if ctx.principal.role != "admin":
        raise Forbidden("only administrators replay outbox items")
    _operators(session, ctx)
    if (
        session.scalar(_in_scope(ctx, sa.select(OutboxItem).where(OutboxItem.id == item_id)))
        is None
    ):
        raise NotFound(f"outbox item {item_id} not found")
    try:
        item = replay(session, item_id)
    except LookupError:
        raise NotFound(f"outbox item {item_id} not found") from None
    session.commit()
    return item


@metrics_router.get(
    "/metrics", summary="Prometheus metrics (aggregates only)", response_class=Response
)
def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
