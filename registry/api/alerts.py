"""Shortfall alerts and the standards engine over HTTP."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query

from registry.access.rows import is_withheld, require_filter_value
from registry.access.scope import get_visible, scope_clause, visible
from registry.alerts import service
from registry.alerts.models import Alert, AlertComment
from registry.alerts.privacy import require_cadre_reader, shown_details
from registry.api.deps import CtxDep, CursorQuery, LimitQuery, ReasonDep, SessionDep
from registry.api.pagination import KeyCursorQuery, decode_key, encode_key, page
from registry.api.params import IsoDay
from registry.audit.service import log_alert_reads, log_read
from registry.context import Ctx
from registry.dates import today
from registry.errors import Forbidden
from registry.org_units.models import OrgUnit
from registry.positions.models import Position
from registry.standards.candidates import candidates
from schemas.alerts import (
    AlertAssign,
    AlertCommentRead,
    AlertRead,
    AlertWaive,
    EvaluationRunRead,
)
from schemas.alerts import AlertComment as AlertCommentIn
from schemas.common import Page

router = APIRouter(tags=["alerts"])


@router.get("/alerts", response_model=Page[AlertRead], summary="Alerts, filtered")
def list_alerts(
    session: SessionDep,
    ctx: CtxDep,
    rule: Annotated[str | None, Query(pattern=r"^[a-z_.]{1,64}$")] = None,
    status: Annotated[str | None, Query(pattern=r"^(open|acknowledged|waived|resolved)$")] = None,
    org_unit_id: Annotated[uuid.UUID | None, Query(description="org unit subtree")] = None,
    older_than_days: Annotated[int | None, Query(ge=0, le=36500)] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Any:
    require_cadre_reader(ctx.principal)
    require_filter_value(ctx.principal, table="alerts", field="rule", value=rule, param="rule")
    stmt = visible(sa.select(Alert), Alert, ctx.principal)
    if rule:
        stmt = stmt.where(Alert.rule == rule)
    if status:
        stmt = stmt.where(Alert.status == status)
    if org_unit_id is not None:
        org = get_visible(session, OrgUnit, org_unit_id, ctx.principal)
        stmt = stmt.where(scope_clause(Alert, org.path))
    if older_than_days is not None:
        stmt = stmt.where(Alert.since <= today() - dt.timedelta(days=older_than_days))
    items, nxt = page(session, stmt, Alert, cursor=cursor, limit=limit)
    answer = [_shown(a, ctx) for a in items]
    log_alert_reads(session, ctx, "list", [str(a.id) for a in items])
    return {"items": answer, "next_cursor": nxt}


def _shown(alert: Alert, ctx: Ctx) -> AlertRead:
    read = AlertRead.model_validate(alert)
    return read.model_copy(
        update={"details": shown_details(alert.rule, read.details, ctx.principal)}
    )


@router.get("/alerts/{alert_id}", response_model=AlertRead, summary="One alert and its evidence")
def read_alert(alert_id: uuid.UUID, session: SessionDep, ctx: CtxDep) -> Any:
    require_cadre_reader(ctx.principal)
    answer = _shown(get_visible(session, Alert, alert_id, ctx.principal), ctx)
    log_alert_reads(session, ctx, "read", [str(alert_id)])
    return answer


@router.get(
    "/alerts/{alert_id}/comments",
    response_model=Page[AlertCommentRead],
    summary="An alert's comments, oldest first (all of them: `next_cursor` is null)",
)
def list_comments(alert_id: uuid.UUID, session: SessionDep, ctx: CtxDep) -> Any:
    require_cadre_reader(ctx.principal)
    get_visible(session, Alert, alert_id, ctx.principal)
    items = session.scalars(
        sa.select(AlertComment)
        .where(AlertComment.alert_id == alert_id)
        .order_by(AlertComment.created_at)
    ).all()
    return {"items": items, "next_cursor": None}


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertRead)
def acknowledge(alert_id: uuid.UUID, session: SessionDep, ctx: CtxDep, why: ReasonDep) -> Any:
    alert = service.acknowledge(session, ctx, alert_id)
    session.commit()
    return alert


@router.post(
    "/alerts/{alert_id}/waive",
    response_model=AlertRead,
    summary="Waive with a reason until a date (reopens afterwards)",
)
def waive(alert_id: uuid.UUID, body: AlertWaive, session: SessionDep, ctx: CtxDep) -> Any:
    alert = service.waive(session, ctx, alert_id, reason=body.reason, until=body.until)
    session.commit()
    return alert


@router.post("/alerts/{alert_id}/assign", response_model=AlertRead)
def assign(
    alert_id: uuid.UUID, body: AlertAssign, session: SessionDep, ctx: CtxDep, why: ReasonDep
) -> Any:
    alert = service.assign(session, ctx, alert_id, to=body.to)
    session.commit()
    return alert


@router.post("/alerts/{alert_id}/comments", response_model=AlertCommentRead, status_code=201)
def add_comment(alert_id: uuid.UUID, body: AlertCommentIn, session: SessionDep, ctx: CtxDep) -> Any:
    note = service.comment(session, ctx, alert_id, text=body.text)
    session.commit()
    return note


@router.post(
    "/standards/evaluate",
    response_model=EvaluationRunRead,
    summary="Evaluate every post now (also nightly and `cadre standards evaluate`)",
)
def evaluate_now(session: SessionDep, ctx: CtxDep, why: ReasonDep) -> Any:
    if ctx.principal.role != "admin" or ctx.principal.org_path is not None:
        raise Forbidden("a full evaluation is run by a registry-wide administrator")
    counts = service.run_full(session)
    session.commit()
    return dict(counts)


def _finding_key(f: dict[str, Any]) -> tuple[str, str, str]:
    return (f["position_id"] or "", f["rule"], f["person_id"] or f["org_unit_id"])


@router.get(
    "/standards/findings",
    response_model=Page[dict[str, Any]],
    summary="Posts held below standard on a date, under the "
    "standard in force then (nothing is stored); by post, then rule",
)
def findings_on(
    on: Annotated[IsoDay, Query(description="a date, 1900–2100")],
    session: SessionDep,
    ctx: CtxDep,
    cursor: KeyCursorQuery = None,
    limit: LimitQuery = 50,
) -> Any:
    if ctx.principal.role not in ("admin", "auditor"):
        raise Forbidden("findings across the registry are for administrators and auditors")
    after = tuple(decode_key(cursor, 3)) if cursor else None
    ordered = sorted(
        (
            f
            for f in service.findings_on(session, on, ctx.principal)
            if not is_withheld(ctx.principal, "alerts", "rule", f["rule"])
        ),
        key=_finding_key,
    )
    if after is not None:
        ordered = [f for f in ordered if _finding_key(f) > after]
    nxt = encode_key(*_finding_key(ordered[limit - 1])) if len(ordered) > limit else None
    found = [shown_details(f["rule"], f, ctx.principal) for f in ordered[:limit]]
    log_read(
        session,
        ctx,
        action="standards.findings",
        object_type="standards",
        object_ids=[on.isoformat()],
        fields=["findings"],
    )
    session.commit()  # the read is on record before anyone sees the data
    return {"items": found, "next_cursor": nxt}


@router.get(
    "/positions/{position_id}/candidates",
    summary="People who meet the post's standard, and what the near-misses lack",
)
def position_candidates(
    position_id: uuid.UUID,
    session: SessionDep,
    ctx: CtxDep,
    near_miss: Annotated[int, Query(ge=1, le=5)] = 2,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    require_cadre_reader(ctx.principal)
    position = get_visible(session, Position, position_id, ctx.principal)
    return candidates(session, ctx.principal, position, near_miss=near_miss, limit=limit)
