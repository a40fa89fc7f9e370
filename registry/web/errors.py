"""Errors on pages: the same RegistryError hierarchy as the API, rendered as HTML.

A page route raises like any API route; ``PageRoute`` turns the error into a page with the
status, the message and each field with its reason. Nothing was committed, so nothing changed.

A refusal (403) is recorded in the audit log. The page handler runs while the request's own
session is still open (FastAPI closes request dependencies after the answer is sent), and on
SQLite that session's transaction holds the write lock (``BEGIN IMMEDIATE``): the refusal,
written in a transaction of its own, would wait for it until the busy timeout and then be
lost. So the request's sessions are tracked (``track_sessions``) and rolled back before the
refusal is written — nothing of the refused request was meant to be kept anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from starlette.concurrency import run_in_threadpool

from registry.audit.service import log_refusal
from registry.errors import FieldIssue, Invalid, RegistryError
from registry.web import render
from registry.web.sessions import COOKIE, encode


class SignInRequired(Exception):
    """No usable session: the visitor goes to the sign-in page and comes back after."""


def _set_cookie(request: Request, response: Response) -> None:
    data = getattr(request.state, "web_session", None)
    if data is None:
        return
    web = request.app.state.web
    response.set_cookie(
        COOKIE,
        encode(web.secret, data),
        httponly=True,
        samesite="strict",
        secure=web.settings.session_cookie_secure,
        path="/",
    )


# The sessions that began a transaction while the current page request ran. The list is set
# by the page handler; dependencies run in worker threads with a copy of the context, which
# shares this list.
_REQUEST_SESSIONS: ContextVar[list[Session] | None] = ContextVar("request_sessions", default=None)


def track_sessions(sessions: sessionmaker[Session]) -> None:
    """Remember, per page request, every session of ``sessions`` that began a transaction."""

    @event.listens_for(sessions, "after_begin")
    def _began(session: Session, _tx: SessionTransaction, _conn: Connection) -> None:
        tracked = _REQUEST_SESSIONS.get()
        if tracked is not None and session not in tracked:
            tracked.append(session)


def _end_request_transactions() -> None:
    for session in _REQUEST_SESSIONS.get() or []:
        session.rollback()


async def _refused(request: Request, exc: RegistryError) -> None:
    who = getattr(request.state, "principal", None)
    if exc.status_code != 403 or who is None:
        return
    svc = request.app.state.services
    await run_in_threadpool(_end_request_transactions)
    await run_in_threadpool(
        log_refusal,
        svc.sessions,
        who,
        action=f"{request.method} {exc.code}",
        path=request.url.path,
        request_id=getattr(request.state, "request_id", None),
        config=svc.audit,
    )


def _from_validation(exc: RequestValidationError) -> Invalid:
    # Never echo the offending input: it may be personal data.
    issues = [FieldIssue(".".join(str(p) for p in e["loc"]), str(e["msg"])) for e in exc.errors()]
    return Invalid("request validation failed", issues=issues)


class PageRoute(APIRoute):
    """Renders errors as pages, sends visitors without a session to sign in, and writes
    the (refreshed) session cookie on every answer."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            _REQUEST_SESSIONS.set([])
            try:
                response = await handler(request)
            except SignInRequired:
                target = quote(request.url.path, safe="/")
                response = RedirectResponse(f"/login?next={target}", status_code=303)
            except RequestValidationError as exc:
                response = render.error_page(request, _from_validation(exc))
            except RegistryError as exc:
                if exc.status_code >= 500:
                    raise
                await _refused(request, exc)
                response = render.error_page(request, exc)
            _set_cookie(request, response)
            return response

        return page_handler
