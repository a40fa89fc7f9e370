"""Request dependencies: the session (the edge's unit of work), the caller, the context."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from threading import Lock
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, Request
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
from registry.text import has_control_chars, is_nfc


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


def services(request: Request) -> AppServices:
    svc: AppServices = request.app.state.services
    return svc


def db_session(svc: Annotated[AppServices, Depends(services)]) -> Iterator[Session]:
    session = svc.sessions()
    try:
        yield session
    finally:
        # Routes commit what they mean to keep; anything left open is abandoned here.
        session.rollback()
        session.close()


def request_id(request: Request) -> str:
    rid: str = getattr(request.state, "request_id", None) or uuid.uuid4().hex
    return rid


PURPOSE_MAX = 200


def principal(
    request: Request,
    session: Annotated[Session, Depends(db_session)],
    authorization: Annotated[str | None, Header()] = None,
    # 200 characters of Vietnamese, percent-encoded: up to 9 ASCII characters each.
    x_purpose: Annotated[str | None, Header(max_length=PURPOSE_MAX * 9)] = None,
) -> Principal:
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthorized("missing bearer token")
    purpose = header_text(x_purpose, "x-purpose", PURPOSE_MAX)
    if x_purpose is not None and purpose is None:
        raise Invalid.field("header.x-purpose", "is empty: state the purpose or send no header")
    who = authenticate(session, authorization.removeprefix("Bearer ").strip(), purpose=purpose)
    request.state.principal = who  # for recording refusals
    return who


def ctx(
    svc: Annotated[AppServices, Depends(services)],
    who: Annotated[Principal, Depends(principal)],
    session: Annotated[Session, Depends(db_session)],
    rid: Annotated[str, Depends(request_id)],
    x_change_reason: Annotated[str | None, Header(max_length=1500)] = None,
) -> Ctx:
    reason = header_text(x_change_reason, "x-change-reason", 500) or "not stated"
    set_actor(
        session,
        Actor(
            actor_id=who.subject,
            role=who.role,
            reason=reason,
            request_id=rid,
            org_scope=None if who.org_unit_id is None else str(who.org_unit_id),
            purpose=who.purpose,
        ),
    )
    set_audit_config(session, svc.audit)
    return Ctx(principal=who, cipher=svc.cipher, settings=svc.settings, request_id=rid)


def stated_reason(
    x_change_reason: Annotated[str | None, Header(max_length=1500)] = None,
) -> str:
    """Changes to existing records must say why (kept in the recorded history)."""
    reason = header_text(x_change_reason, "x-change-reason", 500)
    if not reason:
        raise Invalid.field("header.x-change-reason", "required when changing a record")
    return reason


def header_text(raw: str | None, name: str, max_length: int) -> str | None:
    """Free text in a header: HTTP headers are ASCII, so Vietnamese arrives percent-encoded
    UTF-8 (``urllib.parse.quote``); plain ASCII passes through unchanged."""
    if raw is None:
        return None
    try:
        text = unquote(raw, errors="strict").strip()
    except UnicodeDecodeError:
        raise Invalid.field(f"header.{name}", "is not percent-encoded UTF-8") from None
    if len(text) > max_length:
        raise Invalid.field(f"header.{name}", f"longer than {max_length} characters")
    if has_control_chars(text) or not is_nfc(text):
        raise Invalid.field(f"header.{name}", "must be NFC text without control characters")
    return text or None


def check_if_match(if_match: str | None, current: str) -> None:
    if if_match is None:
        raise PreconditionRequired("If-Match is required: read the record and send its ETag")
    candidates = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    if current not in candidates and "*" not in candidates:
        raise PreconditionFailed("the record changed since it was read (stale If-Match)")


SessionDep = Annotated[Session, Depends(db_session)]
CtxDep = Annotated[Ctx, Depends(ctx)]
ServicesDep = Annotated[AppServices, Depends(services)]
ReasonDep = Annotated[str, Depends(stated_reason)]
