"""Sign-in and sign-out."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from registry.api.deps import AppServices, SessionDep
from registry.audit.chain import set_audit_config
from registry.history import Actor, set_actor
from registry.users.models import User
from registry.users.service import check_password, revoke_sessions
from registry.web import render
from registry.web.deps import CookieDep, FormDep, ServicesDep, WebDep, text_field
from registry.web.errors import PageRoute
from registry.web.sessions import SessionData

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def safe_next(target: object) -> str:
    # Only a path on this site: "//host" or "/\host" would leave it (open redirect).
    if isinstance(target, str) and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/alerts"


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _record_as(session: Session, svc: AppServices, actor_id: str, why: str) -> None:
    # The counters on the user row are versioned like any change: say who and why.
    set_actor(session, Actor(actor_id=actor_id[:120], role="web", reason=why))
    set_audit_config(session, svc.audit)


@router.get("/login")
def login_form(
    request: Request,
    data: CookieDep,
    target: Annotated[str | None, Query(alias="next", max_length=300)] = None,
) -> Response:
    return render.page(request, "login.html", {"next": safe_next(target), "failed": None})


@router.post("/login")
def login(
    request: Request, form: FormDep, session: SessionDep, svc: ServicesDep, web: WebDep
) -> Response:
    now = web.clock()
    address = web.throttle.key(web.secret, _address(request))
    username = text_field(form, "username", max_length=64).lower()
    password = form.get("password")
    context = {"next": safe_next(form.get("next")), "username": username}
    over = web.throttle.attempt(session, address, now)
    session.commit()  # counted before the password is checked, and seen by every process
    if over:
        return render.page(
            request, "login.html", {**context, "failed": "throttled"}, status_code=429
        )
    _record_as(session, svc, f"user:{username}", "sign-in")
    outcome = check_password(
        session, username=username, password=password if isinstance(password, str) else "", now=now
    )
    if outcome.user is None:
        session.commit()  # failed attempts count even though the answer is a refusal
        status, failed = (429, "throttled") if outcome.locked else (401, "bad_credentials")
        return render.page(request, "login.html", {**context, "failed": failed}, status_code=status)
    web.throttle.forgive(session, address)
    session.commit()
    # A new session (and CSRF token) on sign-in, so a planted cookie is worth nothing.
    request.state.web_session = SessionData(
        csrf=SessionData.anonymous().csrf,
        user_id=str(outcome.user.id),
        issued=now.timestamp(),
        seen=now.timestamp(),
    )
    return RedirectResponse(context["next"], status_code=303)


@router.post("/logout")
def logout(
    request: Request,
    form: FormDep,
    data: CookieDep,
    session: SessionDep,
    svc: ServicesDep,
    web: WebDep,
) -> Response:
    user = None if data.user_id is None else session.get(User, uuid.UUID(data.user_id))
    if user is not None:
        _record_as(session, svc, f"user:{user.username}", "sign-out")
        revoke_sessions(session, user.id, now=web.clock())
        session.commit()
    request.state.web_session = SessionData.anonymous()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/alerts", status_code=303)
