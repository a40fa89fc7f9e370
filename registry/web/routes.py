"""The route class of the review pages: ``registry.web.errors.PageRoute`` (errors as pages,
sign-in redirect, the session cookie) plus the two answers a page dependency may need that are
not errors — a one-time password that must be changed first, and a form sent after its session
ended.

A form posted with an expired session must not send the user to sign in and then back to the
POST-only address (a raw 405): it answers a notice naming the form's own page (its GET
address, sent in the form as ``back``), and the text the user typed is kept in the browser
(``static/keep.js`` stores it on submit and puts it back when the page opens again).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from registry.web import render
from registry.web.errors import PageRoute
from registry.web.sessions import COOKIE, encode


class PasswordChangeDue(Exception):
    """Signed in with a one-time password: nothing opens before the user chooses their own."""

    def __init__(self, back: str) -> None:
        super().__init__("password change due")
        self.back = back


class FormSessionExpired(Exception):
    """A form arrived without a usable session."""


def safe_back(target: object, fallback: str = "/") -> str:
    """A same-site relative GET path (one leading ``/``, no scheme, host or ``//``)."""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and len(target) <= 300
        and "\\" not in target
        and all(ord(ch) > 31 for ch in target)
    ):
        return target
    return fallback


def login_address(back: str) -> str:
    return f"/login?next={quote(back, safe='/')}"


def _write_cookie(request: Request, response: Response) -> None:
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


async def _expired_notice(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=40)  # parsed once, cached by Starlette
    back = safe_back(form.get("back"))
    return render.page(
        request,
        "expired.html",
        {"back": back, "login": login_address(back)},
        status_code=401,
    )


class WebRoute(PageRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def web_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except PasswordChangeDue as due:
                response: Response = RedirectResponse(
                    f"/account/password?next={quote(due.back, safe='/')}", status_code=303
                )
            except FormSessionExpired:
                response = await _expired_notice(request)
            _write_cookie(request, response)
            return response

        return web_handler
