"""Sign-in and sign-out."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from registry.api.deps import AppServices, SessionDep
from registry.audit.chain import set_audit_config
from registry.dates import LOCAL
from registry.history import Actor, set_actor
from registry.users.models import User
from registry.users.service import check_password, revoke_sessions
from registry.web import render
from registry.web.deps import CookieDep, FormDep, ServicesDep, WebDep, text_field
from registry.web.errors import PageRoute
from registry.web.sessions import SessionData

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def safe_next(target: object) -> str:
    """Where to go after signing in: a same-site relative path (one leading ``/``, no scheme,
    host, ``//``, backslash or control character), else the home page. "//host" or "/\\host"
    would leave the site (an open redirect)."""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and "\\" not in target
        and len(target) <= 300
        and all(31 < ord(ch) != 127 for ch in target)
    ):
        return target
    return "/"


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
    address = _address(request)
    username = text_field(form, "username", max_length=64).lower()
    password = form.get("password")
    context = {"next": safe_next(form.get("next")), "username": username}
    address_key = web.throttle.key(web.secret, address)
    pair_key = web.throttle.pair_key(web.secret, username, address)
    verdict = web.throttle.check(session, address_key=address_key, pair_key=pair_key, now=now)
    session.commit()  # counted before the password is checked, and seen by every process
    if verdict.retry_at is not None:
        return _throttled(request, context, now, verdict.retry_at)
    _record_as(session, svc, f"user:{username}", "sign-in")
    outcome = check_password(
        session, username=username, password=password if isinstance(password, str) else "", now=now
    )
    if outcome.user is None:
        session.commit()  # failed attempts count even though the answer is a refusal
        locks = [verdict.pair_ends] if verdict.pair_last and verdict.pair_ends else []
        if outcome.locked:
            locks.append(_locked_until(session, username) or now + web.throttle.window)
        if locks:
            return _throttled(request, context, now, max(locks))
        return render.page(
            request, "login.html", {**context, "failed": "bad_credentials"}, status_code=401
        )
    web.throttle.forgive(session, address_key)
    web.throttle.succeeded(session, pair_key)
    session.commit()
    # A new session (and CSRF token) on sign-in, so a planted cookie is worth nothing.
    request.state.web_session = SessionData(
        csrf=SessionData.anonymous().csrf,
        user_id=str(outcome.user.id),
        issued=now.timestamp(),
        seen=now.timestamp(),
    )
    return RedirectResponse(context["next"], status_code=303)


def _locked_until(session: Session, username: str) -> dt.datetime | None:
    until: dt.datetime | None = session.scalar(
        sa.select(User.locked_until).where(User.username == username)
    )
    return until


def retry_words(now: dt.datetime, retry_at: dt.datetime) -> str:
    """``09:15`` in Vietnam time, with the day when it is not today there."""
    local, today = retry_at.astimezone(LOCAL), now.astimezone(LOCAL).date()
    clock = local.strftime("%H:%M")
    return clock if local.date() == today else f"{clock} ngày {local.strftime('%d/%m/%Y')}"


def _throttled(
    request: Request, context: dict[str, str], now: dt.datetime, retry_at: dt.datetime
) -> Response:
    # Round up to the minute shown, so "thử lại sau 09:15" is never a minute too early.
    shown = (retry_at + dt.timedelta(seconds=59)).replace(second=0, microsecond=0)
    response = render.page(
        request,
        "login.html",
        {**context, "failed": "throttled", "retry_at": retry_words(now, shown)},
        status_code=429,
    )
    response.headers["Retry-After"] = str(max(1, math.ceil((shown - now).total_seconds())))
    return response


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
