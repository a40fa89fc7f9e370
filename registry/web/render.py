"""Template rendering with the language, the CSRF token and the signed-in user."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from registry.errors import RegistryError
from registry.web.i18n import DEFAULT, LANGS, rule_namer, translator

LANG_COOKIE = "lang"


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or DEFAULT
    return asked if asked in LANGS else DEFAULT


def page(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    lang = language(request)
    session = getattr(request.state, "web_session", None)
    base = {
        "t": translator(lang),
        "rule_name": rule_namer(lang),
        "lang": lang,
        "csrf": "" if session is None else session.csrf,
        "who": getattr(request.state, "principal", None),
        "path": request.url.path,
    }
    response: HTMLResponse = request.app.state.web.templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", httponly=True, path="/")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def error_page(request: Request, exc: RegistryError) -> HTMLResponse:
    return page(
        request,
        "error.html",
        {"status": exc.status_code, "message": exc.message, "issues": exc.issues},
        status_code=exc.status_code,
    )
