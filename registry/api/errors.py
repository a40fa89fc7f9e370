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


def _body(
    request: Request,
    status: int,
    code: str,
    message: str,
    issues: list[dict[str, str]] | None = None,
) -> JSONResponse:
    rid = getattr(request.state, "request_id", None)
    payload = {
        "error": {"code": code, "message": message, "issues": issues or [], "request_id": rid}
    }
    return JSONResponse(payload, status_code=status)


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
        return _body(request, exc.status_code, exc.code, exc.message, issues)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Never echo the offending input: it may be an identification number.
        issues = [{"field": _loc(e["loc"]), "reason": e["msg"]} for e in exc.errors()]
        return _body(request, 422, "invalid", "request validation failed", issues)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _body(request, exc.status_code, code, str(exc.detail))

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
