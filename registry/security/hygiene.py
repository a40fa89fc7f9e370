"""One input hygiene for every request, before any route or model sees it.

Every text that enters is checked with ``registry.text.find_problem``: the query string (each
parameter, ``query.<name>``), the path (``path`` or ``path.<param>``), the headers
(``header.<name>``), the cookies, JSON bodies (every string and key, ``body.<json path>``) and
form bodies (``form.<field>``). A refused request is answered 422 with the one error body
naming the field and the reason — the offending value is never echoed — or, on the pages, the
error page in Vietnamese. Nothing reaches the database, so nothing is half written.

Also refused here, because no model can see them in time:
- header values with bytes >= 0x80 (non-ASCII text must be sent percent-encoded UTF-8);
- a JSON body that is not UTF-8 (400) or not JSON (422), NaN/Infinity, integers past int64;
- integer query/path parameters past int64;
- a body whose Content-Type is not what the route takes (415).

Cookies are different: a cookie the hygiene would refuse is dropped, so the request goes on
as if it had not been sent (a bad session cookie is no session, never an error page that the
visitor cannot get past without clearing cookies).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.errors import FieldIssue, Invalid, RegistryError
from registry.security.routes import FORMS, RouteFacts, RouteIndex
from registry.text import TextProblem, find_problem

INT64_MAX = 2**63 - 1
# A JSON body is read whole to be checked; no route takes more than this (documents are raw
# bodies of their own media type and are streamed, not checked here).
JSON_MAX_BYTES = 4 * 1024 * 1024
FORM_MAX_BYTES = 1024 * 1024
_INT = re.compile(r"^[+-]?[0-9]+$")
_MESSAGE = "request refused: a value has characters that are not allowed"
_MESSAGE_VI = "Không nhận yêu cầu: dữ liệu gửi lên có ký tự không được phép."


class UnsupportedMediaType(RegistryError):
    status_code = 415
    code = "unsupported_media_type"


class TooLarge(RegistryError):
    status_code = 413
    code = "too_large"


class NotUtf8(RegistryError):
    status_code = 400
    code = "bad_request"


class Refusal(Exception):
    """A request refused by the hygiene, with the issues in both languages."""

    def __init__(self, error: RegistryError, vi: list[FieldIssue] | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.vi = vi


def _text(field: str, text: str, *, allow_newlines: bool) -> None:
    problem = find_problem(text, allow_newlines=allow_newlines)
    if problem is not None:
        raise _refusal(field, problem)


def _refusal(field: str, problem: TextProblem) -> Refusal:
    return Refusal(
        Invalid(_MESSAGE, issues=[FieldIssue(field, problem.reason)]),
        [FieldIssue(field, problem.reason_vi)],
    )


def _invalid(field: str, reason: str) -> Refusal:
    return Refusal(Invalid.field(field, reason))


def _too_big_int(text: str) -> bool:
    return bool(_INT.match(text)) and abs(int(text)) > INT64_MAX


def check_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers to pass on (bad cookies dropped), or a refusal naming the header."""
    kept: list[tuple[bytes, bytes]] = []
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1").lower()
        if name == "cookie":
            value = _clean_cookies(raw_value)
            if value:
                kept.append((raw_name, value))
            continue
        if any(b >= 0x80 for b in raw_value):
            raise _invalid(
                f"header.{name}", "has non-ASCII bytes: send text as percent-encoded UTF-8"
            )
        _text(f"header.{name}", raw_value.decode("ascii"), allow_newlines=False)
        kept.append((raw_name, raw_value))
    return kept


def _clean_cookies(raw: bytes) -> bytes:
    good = []
    for part in raw.split(b";"):
        if any(b >= 0x80 for b in part):
            continue
        text = part.decode("ascii").strip()
        if text and find_problem(text) is None:
            good.append(text)
    return "; ".join(good).encode("ascii")


def _pairs(raw: str, where: str) -> Iterator[tuple[str, str]]:
    """``name=value`` pairs of a query string or form, percent-decoded strictly as UTF-8."""
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        try:
            name = unquote(key.replace("+", " "), errors="strict")
            text = unquote(value.replace("+", " "), errors="strict")
        except UnicodeDecodeError:
            safe = key if key.isascii() and key.isprintable() and len(key) <= 64 else "?"
            raise _invalid(f"{where}.{safe}", "is not percent-encoded UTF-8") from None
        _text(f"{where}", name, allow_newlines=False)
        yield name, text


def check_query(raw: bytes, facts: RouteFacts) -> None:
    for name, value in _pairs(raw.decode("latin-1"), "query"):
        _text(f"query.{name}", value, allow_newlines=False)
        if name in facts.int_query and _too_big_int(value.strip()):
            raise _invalid(f"query.{name}", f"must be at most {INT64_MAX}")


def check_path(scope: Scope, facts: RouteFacts, path_params: dict[str, Any]) -> None:
    raw = scope.get("raw_path") or scope["path"].encode("utf-8")
    try:
        path = unquote(raw.decode("latin-1"), errors="strict")
    except UnicodeDecodeError:
        raise _invalid("path", "is not percent-encoded UTF-8") from None
    _text("path", path, allow_newlines=False)
    for name in facts.int_path:
        value = path_params.get(name)
        if isinstance(value, str) and _too_big_int(value):
            raise _invalid(f"path.{name}", f"must be at most {INT64_MAX}")


def _no_constants(name: str) -> Any:
    raise ValueError(name)


def _walk(value: Any, field: str) -> None:
    if isinstance(value, str):
        _text(field, value, allow_newlines=True)
    elif isinstance(value, bool) or value is None or isinstance(value, float):
        return
    elif isinstance(value, int):
        if abs(value) > INT64_MAX:
            raise _invalid(field, f"must be between {-INT64_MAX - 1} and {INT64_MAX}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{field}.{i}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _text(field, key, allow_newlines=False)
            _walk(item, f"{field}.{key}")


def check_json(body: bytes) -> None:
    """Every string of a JSON body, named by its path (``body.family_name``); line breaks
    pass here and are refused by the field types that do not allow them."""
    if not body:
        return
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(NotUtf8("the body is not UTF-8 JSON")) from None
    try:
        doc = json.loads(text, parse_constant=_no_constants)
    except ValueError:
        raise _invalid("body", "is not valid JSON") from None
    except RecursionError:
        raise _invalid("body", "is nested too deeply") from None
    _walk(doc, "body")


def check_form(body: bytes) -> None:
    for name, value in _pairs(body.decode("latin-1"), "form"):
        _text(f"form.{name}", value, allow_newlines=True)


def _media(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return None


def _has_body(scope: Scope, headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        lower = name.lower()
        if lower == b"transfer-encoding":
            return True
        if lower == b"content-length":
            return value.strip() not in (b"", b"0")
    return False


def check_media_type(
    scope: Scope, headers: list[tuple[bytes, bytes]], facts: RouteFacts
) -> str | None:
    """The media type of the body (None: no body), or a 415 if the route takes another."""
    if not _has_body(scope, headers):
        return None
    media = _media(headers)
    if facts.media_types and media not in facts.media_types:
        wanted = " or ".join(facts.media_types)
        raise Refusal(
            UnsupportedMediaType(
                f"this route takes {wanted}",
                issues=[FieldIssue("header.content-type", f"must be {wanted}")],
            )
        )
    return media


class InputHygiene:
    """ASGI middleware: checks the request and, for JSON and URL-encoded bodies, reads the
    body, checks it and hands the same bytes on to the route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.routes = RouteIndex()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        facts, path_params = self.routes.lookup(scope["app"], scope["method"], scope["path"])
        try:
            scope["headers"] = check_headers(list(scope["headers"]))
            check_path(scope, facts, path_params)
            check_query(scope.get("query_string", b""), facts)
            media = check_media_type(scope, scope["headers"], facts)
            if media == "application/json" or media == FORMS[0]:
                body = await _read(receive, JSON_MAX_BYTES if media != FORMS[0] else FORM_MAX_BYTES)
                (check_form if media == FORMS[0] else check_json)(body)
                receive = _replay(body)
        except Refusal as refusal:
            await _answer(scope, facts, refusal)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _read(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Refusal(NotUtf8("the client went away before the body was sent"))
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refusal(TooLarge(f"the body is larger than {limit} bytes"))
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _answer(scope: Scope, facts: RouteFacts, refusal: Refusal) -> Response:
    error = refusal.error
    page = facts.page or not scope["path"].startswith("/api")
    if page and hasattr(scope["app"].state, "web"):
        from registry.web import render  # the pages import this package, not the reverse

        shown = Invalid(_MESSAGE_VI, issues=refusal.vi) if refusal.vi else error
        return render.error_page(Request(scope), shown)
    rid = scope.get("state", {}).get("request_id")
    issues = [{"field": i.field, "reason": i.reason} for i in error.issues]
    body = {
        "error": {"code": error.code, "message": error.message, "issues": issues, "request_id": rid}
    }
    return JSONResponse(body, status_code=error.status_code)
