"""Page dependencies: the cookie session, the signed-in user as a Principal, CSRF, the Ctx."""

from __future__ import annotations

import datetime as dt
import hmac
import uuid
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from registry.access.principal import Principal
from registry.api.deps import AppServices, SessionDep, request_id, services
from registry.audit.chain import set_audit_config
from registry.context import Ctx
from registry.errors import FieldIssue, Forbidden, Invalid
from registry.history import Actor, set_actor
from registry.text import has_control_chars, is_nfc
from registry.users.models import User
from registry.users.service import active_user, password_change_due, principal_for
from registry.web.errors import SignInRequired
from registry.web.routes import FormSessionExpired, PasswordChangeDue
from registry.web.sessions import COOKIE, SessionData, decode
from registry.web.state import WebState, web_state

M = TypeVar("M", bound=BaseModel)
WebDep = Annotated[WebState, Depends(web_state)]


def cookie_session(request: Request, web: WebDep) -> SessionData:
    """The visitor's session (a fresh anonymous one if the cookie is missing or forged)."""
    data = decode(web.secret, request.cookies.get(COOKIE)) or SessionData.anonymous()
    request.state.web_session = data
    return data


CookieDep = Annotated[SessionData, Depends(cookie_session)]


def _expired(data: SessionData, web: WebState, now: dt.datetime) -> bool:
    if data.issued is None or data.seen is None:
        return True
    issued = dt.datetime.fromtimestamp(data.issued, dt.UTC)
    seen = dt.datetime.fromtimestamp(data.seen, dt.UTC)
    return now - issued > web.absolute or now - seen > web.idle


def purpose_text(raw: object) -> str | None:
    """An auditor's stated purpose (the API's X-Purpose) arrives in a POST body, never in the
    address (addresses end up in histories, logs and referrers)."""
    text = raw.strip() if isinstance(raw, str) else ""
    if len(text) > 200:
        raise Invalid.field("form.purpose", "longer than 200 characters")
    if has_control_chars(text) or not is_nfc(text):
        raise Invalid.field("form.purpose", "must be NFC text without control characters")
    return text or None


@dataclass(frozen=True)
class SignedIn:
    user: User
    principal: Principal


PASSWORD_PAGE = "/account/password"  # noqa: S105 - an address, not a secret


def _user_of(
    request: Request, session: Session, web: WebState, data: SessionData, missing: Exception
) -> User:
    now = web.clock()
    if data.user_id is None:
        raise missing
    if _expired(data, web, now):
        # The CSRF token stays: a form typed before the expiry may be sent again after sign-in.
        request.state.web_session = SessionData(csrf=data.csrf)
        raise missing
    assert data.issued is not None
    user = active_user(
        session,
        uuid.UUID(data.user_id),
        issued_at=dt.datetime.fromtimestamp(data.issued, dt.UTC),
    )
    if user is None:
        request.state.web_session = SessionData(csrf=data.csrf)
        raise missing
    data.seen = now.timestamp()  # sliding idle timeout: the refreshed cookie goes back out
    if request.url.path != PASSWORD_PAGE and password_change_due(session, user.id):
        back = request.url.path if request.method == "GET" else "/"
        raise PasswordChangeDue(back)
    return user


def _signed_in_as(request: Request, session: Session, user: User) -> SignedIn:
    who = principal_for(session, user, purpose=None)
    request.state.principal = who
    return SignedIn(user, who)


def with_purpose(request: Request, session: Session, me: SignedIn, raw: object) -> SignedIn:
    """The signed-in auditor acting under the purpose stated in a form."""
    purpose = purpose_text(raw) if me.user.role == "auditor" else None
    who = principal_for(session, me.user, purpose=purpose)
    request.state.principal = who
    return SignedIn(me.user, who)


def signed_in(request: Request, session: SessionDep, web: WebDep, data: CookieDep) -> SignedIn:
    user = _user_of(request, session, web, data, SignInRequired())
    return _signed_in_as(request, session, user)


def signed_in_form(request: Request, session: SessionDep, web: WebDep, data: CookieDep) -> SignedIn:
    """For POST routes of forms: an ended session answers a notice that sends the user to
    sign in and back to the form's page (never to this POST-only address)."""
    user = _user_of(request, session, web, data, FormSessionExpired())
    return _signed_in_as(request, session, user)


UserDep = Annotated[SignedIn, Depends(signed_in)]
FormUserDep = Annotated[SignedIn, Depends(signed_in_form)]


async def checked_form(request: Request, data: CookieDep) -> FormData:
    """Every state-changing form carries the session's CSRF token (synchronizer token)."""
    form = await request.form(max_files=0, max_fields=40)
    sent = form.get("csrf")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, data.csrf):
        raise Forbidden("the form is stale or was not sent by this site (CSRF token); reload")
    return form


FormDep = Annotated[FormData, Depends(checked_form)]


def acting(
    session: Session, svc: AppServices, who: Principal, request: Request, *, reason: str
) -> Ctx:
    """The Ctx of a page action; ``reason`` (the action) goes into the recorded history."""
    rid = request_id(request)
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


def text_field(form: FormData, name: str, *, max_length: int, required: bool = True) -> str:
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise Invalid.field(f"form.{name}", "is required")
    if len(text) > max_length:
        raise Invalid.field(f"form.{name}", f"longer than {max_length} characters")
    return text


def date_field(form: FormData, name: str) -> dt.date:
    text = text_field(form, name, max_length=10)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid.field(f"form.{name}", "must be a date YYYY-MM-DD") from None


ServicesDep = Annotated[AppServices, Depends(services)]


def validated(model: type[M], data: dict[str, object]) -> M:
    """Check form input with the API's own wire model, naming each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        issues = [
            FieldIssue("form." + ".".join(str(p) for p in e["loc"]), str(e["msg"]))
            for e in exc.errors()
        ]
        raise Invalid("the form has errors", issues=issues) from None
