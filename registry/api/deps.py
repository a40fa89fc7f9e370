"""Request dependencies: the session (the edge's unit of work), the caller, the context."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from threading import Lock
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from registry.access.principal import Principal
from registry.access.service import authenticate
from registry.audit.chain import AuditConfig, set_audit_config
from registry.config import Settings
from registry.context import Ctx
from registry.crypto import FieldCipher
from registry.documents.store import DocumentStore
from registry.errors import (
    Invalid,
    PreconditionFailed,
    PreconditionRequired,
    TooManyRequests,
    Unauthorized,
)
from registry.history import Actor, set_actor
from registry.text import is_nfc, text_problem


@dataclass
class RateLimiter:
    """Sliding one-minute window per caller (in process; one ward, one server)."""

    per_minute: int
    _hits: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: Lock = field(default_factory=Lock)

    def hit(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            window = self._hits[key]
            while window and now - window[0] > 60:
                window.popleft()
            if len(window) >= self.per_minute:
                raise TooManyRequests("too many exact identification-number lookups; wait")
            window.append(now)


@dataclass
class AppServices:
    settings: Settings
    sessions: sessionmaker[Session]
    cipher: FieldCipher
    documents: DocumentStore
    nid_lookups: RateLimiter
    audit: AuditConfig


# The dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency
# on its thread pool, one hand-over per dependency per request. The ones that query the
# database (``principal``) and the routes themselves stay on the pool.


async def services(request: Request) -> AppServices:
    svc: AppServices = request.app.state.services
    return svc


async def db_session(svc: Annotated[AppServices, Depends(services)]) -> AsyncIterator[Session]:
    """The request's session. Creating one touches no connection (the first statement checks
    one out); ending it is I/O only when a transaction is still open (a route that failed
    or answered without committing), and then runs on the thread pool."""
    session = svc.sessions()
    try:
        yield session
    finally:
        # Routes commit what they mean to keep; anything left open is abandoned here.
        if session.in_transaction():
            await run_in_threadpool(_abandon, session)
        else:
            session.close()


def _abandon(session: Session) -> None:
    session.rollback()
    session.close()


def request_id(request: Request) -> str:
    rid: str = getattr(request.state, "request_id", None) or uuid.uuid4().hex
    return rid


PURPOSE_MAX = 200
REASON_MAX = 500
# HTTP header values are ASCII; Vietnamese travels percent-encoded UTF-8 (up to 9 ASCII
# characters per letter, e.g. "ệ" is %E1%BB%87), so the raw value may be 9 times the text.
_ENCODED = 9
# Printable ASCII with at least one character that is not a space.
HEADER_TEXT_PATTERN = r"^[ -~]*[!-~][ -~]*$"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="cadre_…",
    description="An API token from `cadre token create` (only its SHA-256 is stored).",
)


def _text_header(max_length: int, description: str) -> Any:
    """A free-text header: the document states the length of the text (what is enforced once
    decoded); the raw value may be longer by its percent-encoding."""
    return Header(
        max_length=max_length * _ENCODED,
        description=description,
        json_schema_extra={"maxLength": max_length, "pattern": HEADER_TEXT_PATTERN},
    )


def principal(
    request: Request,
    session: Annotated[Session, Depends(db_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    x_purpose: Annotated[
        str | None,
        _text_header(
            PURPOSE_MAX,
            "Auditors: why you read (percent-encoded UTF-8, at most 200 characters once "
            "decoded). Opens identification numbers and sensitive records; kept in the audit.",
        ),
    ] = None,
) -> Principal:
    if credentials is None:
        raise Unauthorized("missing bearer token (Authorization: Bearer <token>)")
    purpose = header_text(x_purpose, "x-purpose", PURPOSE_MAX)
    if x_purpose is not None and purpose is None:
        raise Invalid.field("header.x-purpose", "is empty: state the purpose or send no header")
    who = authenticate(session, credentials.credentials.strip(), purpose=purpose)
    request.state.principal = who  # for recording refusals
    return who


# Methods whose X-Change-Reason is kept: reads ignore the header (openapi.py documents it on
# every other operation that goes through ``ctx``, optional, and required where
# ``stated_reason`` is a dependency).
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


async def ctx(
    request: Request,
    svc: Annotated[AppServices, Depends(services)],
    who: Annotated[Principal, Depends(principal)],
    session: Annotated[Session, Depends(db_session)],
) -> Ctx:
    rid = request_id(request)
    raw = None if request.method in _READS else request.headers.get("x-change-reason")
    if raw is not None and len(raw) > REASON_MAX * _ENCODED:
        raise Invalid.field("header.x-change-reason", f"longer than {REASON_MAX} characters")
    reason = header_text(raw, "x-change-reason", REASON_MAX)
    if raw is not None and reason is None:
        raise Invalid.field("header.x-change-reason", "is empty: say why or send no header")
    set_actor(
        session,
        Actor(
            actor_id=who.subject,
            role=who.role,
            reason=reason or "not stated",
            request_id=rid,
            org_scope=None if who.org_unit_id is None else str(who.org_unit_id),
            purpose=who.purpose,
        ),
    )
    set_audit_config(session, svc.audit)
    return Ctx(principal=who, cipher=svc.cipher, settings=svc.settings, request_id=rid)


REASON_DESCRIPTION = (
    "Why the record changes (percent-encoded UTF-8, at most 500 characters once decoded); "
    "kept in the recorded history."
)


async def stated_reason(
    x_change_reason: Annotated[str, _text_header(REASON_MAX, REASON_DESCRIPTION)],
) -> str:
    """Changes to existing records must say why (kept in the recorded history)."""
    reason = header_text(x_change_reason, "x-change-reason", REASON_MAX)
    if not reason:
        raise Invalid.field("header.x-change-reason", "required when changing a record")
    return reason


def header_text(raw: str | None, name: str, max_length: int) -> str | None:
    """Free text in a header: HTTP headers are ASCII, so Vietnamese arrives percent-encoded
    UTF-8 (``urllib.parse.quote``); plain ASCII passes through unchanged. Anything else (raw
    UTF-8 bytes read as Latin-1) would be stored as mojibake for ever: refused."""
    if raw is None:
        return None
    if not raw.isascii():
        raise Invalid.field(f"header.{name}", "must be ASCII: send UTF-8 text percent-encoded")
    try:
        text = unquote(raw, errors="strict").strip()
    except UnicodeDecodeError:
        raise Invalid.field(f"header.{name}", "is not percent-encoded UTF-8") from None
    if len(text) > max_length:
        raise Invalid.field(f"header.{name}", f"longer than {max_length} characters")
    problem = text_problem(text)
    if problem is not None:
        raise Invalid.field(f"header.{name}", problem)
    if not is_nfc(text):
        raise Invalid.field(f"header.{name}", "must be Unicode NFC (precomposed letters)")
    return text or None


def check_if_match(if_match: str | None, current: str) -> None:
    if if_match is None:
        raise PreconditionRequired("If-Match is required: read the record and send its ETag")
    candidates = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    if current not in candidates and "*" not in candidates:
        raise PreconditionFailed("the record changed since it was read (stale If-Match)")


# Required in the document and by the server: FastAPI reports it missing and the error
# handler answers that with 428 Precondition Required (registry/api/errors.py).
IfMatchHeader = Annotated[
    str,
    Header(
        alias="if-match",
        description="The ETag you read (412 when the record changed since; 428 when missing).",
    ),
]
# A page's cursor as this API issues it (``next_cursor``): 16 bytes, base64url, no padding.
CursorQuery = Annotated[
    str | None,
    Query(pattern=r"^[A-Za-z0-9_-]{22}$", description="`next_cursor` of the previous page"),
]
LimitQuery = Annotated[int, Query(ge=1, le=500, description="page size")]


async def rationed() -> None:
    """Marks a route that takes from the caller's quota of exact lookups
    (``registry.access.quota``): the document lists its 429 with ``Retry-After``."""


SessionDep = Annotated[Session, Depends(db_session)]
CtxDep = Annotated[Ctx, Depends(ctx)]
ServicesDep = Annotated[AppServices, Depends(services)]
ReasonDep = Annotated[str, Depends(stated_reason)]
