"""Template rendering with the language, the CSRF token, the signed-in user, and the words
every page shares: dates as dd/mm/yyyy, instants in Vietnam time, reasons in Vietnamese."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from registry.dates import LOCAL
from registry.errors import RegistryError
from registry.web.i18n import DEFAULT, LANGS, rule_namer, translator
from registry.web.messages import headline, message, sayer
from registry.web.words import field_label

LANG_COOKIE = "lang"
# Scripts and styles only from static files: no inline script or style anywhere.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or DEFAULT
    return asked if asked in LANGS else DEFAULT


def day(value: dt.date | dt.datetime | str | None) -> str:
    """dd/mm/yyyy (an instant: its day in Vietnam); a partial date keeps what it has."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(LOCAL).strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    parts = str(value).split("-")  # "1958", "1958-05", "1958-05-14"
    return "/".join(reversed(parts))


def moment(value: dt.datetime | None) -> str:
    """An instant as a clock in Vietnam: ``HH:MM dd/mm/yyyy``."""
    if value is None:
        return ""
    return value.astimezone(LOCAL).strftime("%H:%M %d/%m/%Y")


def person_of(subject: str | None) -> str:
    """``user:admin1`` → ``admin1``; jobs and the shell in words."""
    if not subject:
        return ""
    kind, _, name = subject.partition(":")
    return name if kind in ("user", "cli") else subject


def _label(lang: str, path: str) -> str:
    """A field of an issue (``query.older_than_days``, ``form.valid_from``) in words."""
    name = path.split(".")[-1]
    words = translator(lang)(name)
    return words if words != name else field_label("", name, lang)


def page(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    lang = language(request)
    session = getattr(request.state, "web_session", None)
    base = {
        "t": translator(lang),
        "rule_name": rule_namer(lang),
        "say": sayer(lang),
        "day": day,
        "moment": moment,
        "label": lambda name: _label(lang, name),
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
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def error_page(request: Request, exc: RegistryError) -> HTMLResponse:
    lang = language(request)
    return page(
        request,
        "error.html",
        {
            "status": exc.status_code,
            "headline": headline(lang, exc.status_code),
            "message": message(lang, exc.status_code, exc.message),
            "original": exc.message,
            "issues": exc.issues,
        },
        status_code=exc.status_code,
    )
