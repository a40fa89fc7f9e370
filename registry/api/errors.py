"""Every error leaves the API in one shape (``schemas.common.ErrorBody``); a 500 is a bug and
its body says nothing about the data."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from registry.audit.service import log_refusal
from registry.errors import RegistryError
from schemas.common import ErrorBody

log = structlog.get_logger("registry.api")

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (401, "missing, unknown or expired token"),
        (403, "the role may not do this"),
        (404, "unknown id, or a record outside the caller's org scope"),
        (409, "conflicts with a rule (headcount, overlap, duplicate)"),
        (412, "stale If-Match"),
        (422, "invalid input; `issues` names each field and reason"),
        (428, "If-Match missing"),
    )
}


# How long a refused caller should wait when the refusal does not say (seconds).
RETRY_AFTER_DEFAULT = 60
# RFC 6750 §3: a 401 names the scheme the client must use.
WWW_AUTHENTICATE = 'Bearer realm="cadre registry"'


def _headers(status: int, exc: Exception | None = None) -> dict[str, str]:
    """The headers an error status promises: WWW-Authenticate on 401, Retry-After on 429."""
    if status == 401:
        return {"WWW-Authenticate": WWW_AUTHENTICATE}
    if status == 429:
        return {"Retry-After": str(getattr(exc, "retry_after", RETRY_AFTER_DEFAULT))}
    return {}


def _body(
    request: Request,
    status: int,
    code: str,
    message: str,
    issues: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    rid = getattr(request.state, "request_id", None)
    payload = {
        "error": {"code": code, "message": message, "issues": issues or [], "request_id": rid}
    }
    return JSONResponse(payload, status_code=status, headers=headers)


def _allowed_methods(app: Any, path: str) -> str | None:
    """What ``Allow`` says on a 405: the methods the document gives the path, from its most
    specific template (``/persons/lookup`` over ``/persons/{person_id}``); a path is served
    by several routes, one per method, so the route that refused knows only its own."""
    paths: dict[str, Any] = app.openapi().get("paths", {})
    best: tuple[int, list[str]] | None = None
    parts = path.rstrip("/").split("/") if path != "/" else [""]
    for template, ops in paths.items():
        pattern = template.rstrip("/").split("/") if template != "/" else [""]
        if len(pattern) != len(parts):
            continue
        literal = 0
        for want, got in zip(pattern, parts, strict=True):
            if want.startswith("{") and want.endswith("}"):
                if not got:
                    break
            elif want != got:
                break
            else:
                literal += 1
        else:
            methods = sorted(m.upper() for m in ops if m != "parameters")
            if best is None or literal > best[0]:
                best = (literal, methods)
    return None if best is None else ", ".join(best[1])


def _missing_if_match(errors: Any) -> bool:
    return any(
        e.get("type") == "missing" and tuple(e.get("loc", ())) == ("header", "if-match")
        for e in errors
    )


_JSON = ("", "application/json", "application/merge-patch+json")  # none: read as JSON


def _wrong_media_type(request: Request, errors: Any) -> bool:
    """A JSON body sent as something else: FastAPI reports the body as not an object."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    has_body = request.headers.get("content-length", "0") not in ("", "0") or (
        "transfer-encoding" in request.headers
    )
    return (
        has_body
        and media not in _JSON
        and any(tuple(e.get("loc", ()))[:1] == ("body",) for e in errors)
    )


def _loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def install(app: FastAPI) -> None:
    @app.exception_handler(RegistryError)
    async def registry_error(request: Request, exc: RegistryError) -> JSONResponse:
        issues = [{"field": i.field, "reason": i.reason} for i in exc.issues]
        who = getattr(request.state, "principal", None)
        if exc.status_code == 403 and who is not None:
            svc = request.app.state.services
            await run_in_threadpool(
                log_refusal,
                svc.sessions,
                who,
                action=f"{request.method} {exc.code}",
                path=request.url.path,
                request_id=getattr(request.state, "request_id", None),
                config=svc.audit,
            )
        if exc.status_code >= 500:
            log.error("api.error", code=exc.code, path=request.url.path)
            return _body(request, exc.status_code, exc.code, "internal error")
        headers = _headers(exc.status_code, exc)
        return _body(request, exc.status_code, exc.code, exc.message, issues, headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        allowed = _allowed_methods(request.app, request.url.path)
        if allowed is not None and request.method not in allowed.split(", "):
            # PATCH /persons/lookup reached PATCH /persons/{person_id} and failed there: the
            # path the caller named has no such method.
            return _body(
                request,
                405,
                "method_not_allowed",
                "Method Not Allowed",
                headers={"Allow": allowed},
            )
        if _missing_if_match(errors):
            return _body(
                request,
                428,
                "precondition_required",
                "If-Match is required: read the record and send its ETag",
            )
        if _wrong_media_type(request, errors):
            return _body(
                request,
                415,
                "unsupported_media_type",
                "the body must be JSON (Content-Type: application/json)",
                [{"field": "header.content-type", "reason": "must be application/json"}],
            )
        # Never echo the offending input: it may be an identification number.
        issues = [{"field": _loc(e["loc"]), "reason": e["msg"]} for e in errors]
        return _body(request, 422, "invalid", "request validation failed", issues)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI could not parse the body (not UTF-8, not JSON): an invalid body.
            issue = {"field": "body", "reason": "is not a JSON document in UTF-8"}
            return _body(request, 422, "invalid", "request validation failed", [issue])
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        headers = dict(exc.headers or {}) | _headers(exc.status_code)
        if exc.status_code == 405:
            allowed = _allowed_methods(request.app, request.url.path)
            if allowed:
                headers["Allow"] = allowed
        return _body(request, exc.status_code, code, str(exc.detail), headers=headers)

    @app.exception_handler(StaleDataError)
    async def stale(request: Request, exc: StaleDataError) -> JSONResponse:
        return _body(request, 412, "precondition_failed", "the record changed concurrently")

    @app.exception_handler(IntegrityError)
    async def integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("api.integrity_conflict", path=request.url.path)
        return _body(request, 409, "conflict", "conflicts with an existing record")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("api.unexpected", path=request.url.path, exc_type=type(exc).__name__)
        return _body(request, 500, "internal_error", "internal error")
