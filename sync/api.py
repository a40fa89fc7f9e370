"""Sync visibility: runs, conflicts to resolve, the outbox's dead letters, and /metrics."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from registry.api.deps import CtxDep, ReasonDep, SessionDep
from registry.api.errors import ERROR_RESPONSES
from registry.audit.service import log_read
from registry.context import Ctx
from registry.errors import Forbidden, NotFound
from registry.metrics import REGISTRY
from schemas.sync import ConflictRead, ConflictResolve, OutboxRead, SyncRunRead
from sync.conflicts import as_read, list_conflicts, resolve
from sync.jobs.civil_service_push import replay
from sync.models import OutboxItem, SyncRun

router = APIRouter(prefix="/sync", tags=["sync"], responses=ERROR_RESPONSES)
metrics_router = APIRouter(tags=["operations"])


def _operators(ctx: Ctx) -> None:
    # Auditors read registry-wide whatever unit their token names (Principal.reads_everything);
    # only administrators must be registry-wide ones.
    p = ctx.principal
    if not (p.role == "auditor" or (p.role == "admin" and p.org_path is None)):
        raise Forbidden("sync state is for registry-wide administrators and auditors")


@router.get("/runs", response_model=list[SyncRunRead], summary="Recent job runs")
def runs(
    session: SessionDep,
    ctx: CtxDep,
    job: Annotated[str | None, Query(pattern=r"^[a-z\-]{1,64}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    _operators(ctx)
    stmt = sa.select(SyncRun).order_by(SyncRun.started_at.desc()).limit(limit)
    if job:
        stmt = stmt.where(SyncRun.job == job)
    return list(session.scalars(stmt))


@router.get("/conflicts", response_model=list[ConflictRead], summary="Conflicts to resolve")
def conflicts(
    session: SessionDep,
    ctx: CtxDep,
    status: Annotated[str | None, Query(pattern=r"^(open|resolved)$")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    found = list_conflicts(session, ctx, status=status, limit=limit)
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
    return answer


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


@router.get("/outbox", response_model=list[OutboxRead], summary="Outbox items by status")
def outbox_items(
    session: SessionDep,
    ctx: CtxDep,
    status: Annotated[str, Query(pattern=r"^[a-z]{1,16}$")] = "dead",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    _operators(ctx)
    return list(
        session.scalars(
            sa.select(OutboxItem)
            .where(OutboxItem.status == status)
            .order_by(OutboxItem.id)
            .limit(limit)
        )
    )


@router.post(
    "/outbox/{item_id}/replay",
    response_model=OutboxRead,
    summary="Put a dead or quarantined item back in line",
)
def replay_item(item_id: int, session: SessionDep, ctx: CtxDep, reason: ReasonDep) -> Any:
    if ctx.principal.role != "admin":
        raise Forbidden("only administrators replay outbox items")
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
