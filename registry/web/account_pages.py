"""The user's own account: choosing a password (required after a one-time password)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from registry.api.deps import SessionDep
from registry.errors import Invalid
from registry.users.service import change_password, password_change_due
from registry.web import render
from registry.web.deps import FormDep, FormUserDep, ServicesDep, UserDep, WebDep, acting
from registry.web.routes import WebRoute, safe_back
from registry.web.sessions import SessionData

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/account/password")
def password_form(
    request: Request,
    me: UserDep,
    session: SessionDep,
    target: Annotated[str | None, Query(alias="next", max_length=300)] = None,
) -> Response:
    context = {
        "due": password_change_due(session, me.user.id),
        "next": safe_back(target, "/alerts"),
        "errors": {},
    }
    return render.page(request, "password.html", context)


@router.post("/account/password")
def password_change(
    request: Request,
    me: FormUserDep,
    form: FormDep,
    session: SessionDep,
    svc: ServicesDep,
    web: WebDep,
) -> Response:
    target = safe_back(form.get("next"), "/alerts")
    current, new, again = (str(form.get(k) or "") for k in ("current", "new", "again"))
    acting(session, svc, me.principal, request, reason="password changed by its owner")
    now = web.clock()
    try:
        if new != again:
            raise Invalid.field("form.again", "does not match the new password")
        change_password(session, me.user, current=current, new=new, now=now)
    except Invalid as exc:
        session.rollback()
        context = {
            "due": password_change_due(session, me.user.id),
            "next": target,
            "errors": {i.field.removeprefix("form."): i.reason for i in exc.issues},
        }
        return render.page(request, "password.html", context, status_code=422)
    session.commit()
    # Every earlier session ended with the change; this browser gets a new one.
    request.state.web_session = SessionData(
        csrf=SessionData.anonymous().csrf,
        user_id=str(me.user.id),
        issued=now.timestamp() + 0.001,
        seen=now.timestamp() + 0.001,
    )
    return RedirectResponse(target, status_code=303)
