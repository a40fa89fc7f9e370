"""Alert list, detail and the review actions (acknowledge, assign, waive, comment)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from registry.alerts import service
from registry.alerts.privacy import shown_details
from registry.api.deps import SessionDep
from registry.audit.service import log_alert_reads
from registry.context import Ctx
from registry.errors import Invalid, NotFound
from registry.web import render
from registry.web.alert_history import history
from registry.web.alert_queries import STATUSES, AlertFilter, alert_row, comments, filter_choices
from registry.web.alert_queries import list_alerts as query_alerts
from registry.web.deps import (
    FormDep,
    FormUserDep,
    ServicesDep,
    UserDep,
    acting,
    text_field,
    validated,
)
from registry.web.explain import finding_lines
from registry.web.routes import WebRoute
from schemas.alerts import AlertAssign, AlertComment, AlertWaive

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Text = Annotated[str, Query(max_length=64)]


def _number(raw: str, name: str, *, low: int, high: int) -> int | None:
    """An optional whole number from a GET form (an empty box means "no filter")."""
    if not raw.strip():
        return None
    if not raw.strip().isdigit() or not low <= int(raw) <= high:
        raise Invalid.field(f"query.{name}", f"must be a whole number from {low} to {high}")
    return int(raw)


@router.get("/alerts")
def alert_list(
    request: Request,
    me: UserDep,
    session: SessionDep,
    svc: ServicesDep,
    org: Text = "",
    rule: Text = "",
    status: Text = "",
    older_than_days: Text = "",
    sort: Text = "-since",
    page: Text = "1",
) -> Response:
    f = AlertFilter(
        org=org or None,
        rule=rule or None,
        status=status or None,
        older_than_days=_number(older_than_days, "older_than_days", low=0, high=36500),
        sort=sort or "-since",
        page=_number(page, "page", low=1, high=10_000) or 1,
    )
    rows, more = query_alerts(session, me.principal, f)
    orgs, rules = filter_choices(session, me.principal)
    ctx = acting(session, svc, me.principal, request, reason="list alerts (review page)")
    log_alert_reads(session, ctx, "list", [str(r.alert.id) for r in rows])
    context: dict[str, Any] = {
        "rows": rows,
        "more": more,
        "f": f,
        "orgs": orgs,
        "rules": rules,
        "statuses": STATUSES,
        "query": urlencode(
            {"org": org, "rule": rule, "status": status, "older_than_days": older_than_days}
            | {"sort": f.sort}
        ),
    }
    return render.page(request, "alerts.html", context)


@router.get("/alerts/{alert_id}")
def alert_detail(
    request: Request, alert_id: uuid.UUID, me: UserDep, session: SessionDep, svc: ServicesDep
) -> Response:
    row = alert_row(session, me.principal, alert_id)
    notes = comments(session, alert_id)
    ctx = acting(session, svc, me.principal, request, reason="read alert (review page)")
    log_alert_reads(session, ctx, "read", [str(alert_id)])
    details = shown_details(row.alert.rule, row.alert.details, me.principal)
    context = {
        "row": row,
        "lines": finding_lines(session, row.alert.rule, details, render.language(request)),
        "masked_details": bool(details.get("masked")),
        "steps": history(session, alert_id),
        "comments": notes,
        "can_act": me.principal.can_write,
    }
    return render.page(request, "alert.html", context)


def _act(
    request: Request,
    session: Session,
    svc: ServicesDep,
    me: FormUserDep,
    alert_id: uuid.UUID,
    reason: str,
    body: Callable[[Ctx], object],
) -> Response:
    ctx = acting(session, svc, me.principal, request, reason=reason)
    body(ctx)
    session.commit()
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(
    request: Request,
    alert_id: uuid.UUID,
    me: FormUserDep,
    form: FormDep,
    session: SessionDep,
    svc: ServicesDep,
) -> Response:
    return _act(
        request,
        session,
        svc,
        me,
        alert_id,
        "alert acknowledged (review page)",
        lambda ctx: service.acknowledge(session, ctx, alert_id),
    )


@router.post("/alerts/{alert_id}/assign")
def assign(
    request: Request,
    alert_id: uuid.UUID,
    me: FormUserDep,
    form: FormDep,
    session: SessionDep,
    svc: ServicesDep,
) -> Response:
    body = validated(AlertAssign, {"to": form.get("to")})
    return _act(
        request,
        session,
        svc,
        me,
        alert_id,
        "alert assigned (review page)",
        lambda ctx: service.assign(session, ctx, alert_id, to=body.to),
    )


@router.post("/alerts/{alert_id}/waive")
def waive(
    request: Request,
    alert_id: uuid.UUID,
    me: FormUserDep,
    form: FormDep,
    session: SessionDep,
    svc: ServicesDep,
) -> Response:
    reason = text_field(form, "reason", max_length=500)  # a blank reason names the form's box
    body = validated(AlertWaive, {"reason": reason, "until": form.get("until")})
    return _act(
        request,
        session,
        svc,
        me,
        alert_id,
        "alert waived (review page)",
        lambda ctx: service.waive(session, ctx, alert_id, reason=body.reason, until=body.until),
    )


@router.post("/alerts/{alert_id}/comment")
def comment(
    request: Request,
    alert_id: uuid.UUID,
    me: FormUserDep,
    form: FormDep,
    session: SessionDep,
    svc: ServicesDep,
) -> Response:
    body = validated(AlertComment, {"text": form.get("text")})
    return _act(
        request,
        session,
        svc,
        me,
        alert_id,
        "alert comment (review page)",
        lambda ctx: service.comment(session, ctx, alert_id, text=body.text),
    )


@router.get("/alerts/{alert_id}/{action}")
def action_address(alert_id: uuid.UUID, action: str, me: UserDep) -> Response:
    """An action's POST address opened as a page: the alert it acts on."""
    del me
    if action not in ("acknowledge", "assign", "waive", "comment"):
        raise NotFound("no such page")
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)
