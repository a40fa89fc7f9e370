"""Keeping the records of a file through forms: trainings, qualifications, evaluations,
commendations, discipline, assignments (the findings of a dry run shown before saving) and
contact details; each record already in the file opens in the same form to be corrected
(``/persons/{id}/{key}/{record}/edit``): what the API's update model may change is editable,
the rest is shown and fixed, and only the values changed are sent.

Each form carries the file's ETag (its If-Match: a file changed by someone else since the
form opened is refused, and the form comes back with the typed text and a message), the
CSRF token and a required reason, kept in the history like the API's ``X-Change-Reason``.
Values go through the API's wire model and service function; every issue is shown in
Vietnamese next to its input. Nothing is written when anything is refused.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from registry.access import policy
from registry.access.principal import Principal
from registry.access.scope import require_person_writable, visible
from registry.alerts.privacy import require_cadre_reader
from registry.alerts.service import reevaluate_people
from registry.api.deps import SessionDep
from registry.errors import FieldIssue, Forbidden, Invalid, NotFound, RegistryError
from registry.persons.models import Person
from registry.persons.service import update_person
from registry.persons.views import file_etag
from registry.positions.models import Position
from registry.standards.candidates import appointment_findings
from registry.text import full_name
from registry.web import render
from registry.web.deps import FormDep, FormUserDep, ServicesDep, SignedIn, UserDep, acting
from registry.web.explain import finding_lines
from registry.web.form_specs import FORMS, Input, RecordForm, editable_fields
from registry.web.routes import WebRoute
from registry.web.words import field_label
from schemas.persons import PersonUpdate

router = APIRouter(route_class=WebRoute, include_in_schema=False)
CONTACT = (
    Input("phone", max_length=16),
    Input("email", max_length=254),
    Input("current_residence", max_length=200),
)


def _spec(key: str, who: Principal) -> RecordForm:
    spec = FORMS.get(key)
    if spec is None:
        raise NotFound("no such form")
    if not policy.sees_kind(who, spec.table):
        raise Forbidden(f"{spec.table} are sensitive personal data, not open to this role")
    return spec


def _writable(session: Session, me: SignedIn, person_id: uuid.UUID) -> Person:
    if not me.principal.can_write:
        raise Forbidden("auditors read and change nothing")
    return require_person_writable(session, person_id, me.principal)


def _post_choices(session: Session, who: Principal) -> tuple[tuple[str, str, str], ...]:
    rows = session.execute(
        visible(sa.select(Position.id, Position.title), Position, who)
        .where(Position.retired_at.is_(None))
        .order_by(Position.title)
    ).all()
    return tuple((str(pid), title, title) for pid, title in rows)


def _inputs(session: Session, who: Principal, key: str) -> tuple[Input, ...]:
    if key == "contact":
        return CONTACT
    spec = FORMS[key]
    if key != "assignments":
        return spec.inputs
    posts = _post_choices(session, who)
    return tuple(
        Input(i.name, i.kind, i.required, i.max_length, posts) if i.name == "position_id" else i
        for i in spec.inputs
    )


def _render(
    request: Request,
    session: Session,
    me: SignedIn,
    person: Person,
    key: str,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    findings: list[str] | None = None,
    notice: str = "",
    record_id: uuid.UUID | None = None,
) -> Response:
    lang = render.language(request)
    table = "persons" if key == "contact" else FORMS[key].table
    inputs = _inputs(session, me.principal, key)
    fixed: set[str] = set()
    if record_id is not None:
        editable = editable_fields(FORMS[key])
        fixed = {i.name for i in inputs if i.name not in editable}
    context = {
        "key": key,
        "person": person,
        "name": full_name(person.family_name, person.middle_name, person.given_name),
        "inputs": [(i, field_label(table, i.name, lang)) for i in inputs],
        "values": values,
        "errors": errors,
        "etag": file_etag(session, person, me.principal),
        "findings": findings,
        "notice": notice,
        "back": f"/persons/{person.id}/{key}/new",
        "title_key": f"add_{key}",
        "action": f"/persons/{person.id}/{key}",
        "fixed": fixed,
        "keep": key,  # what the browser keeps of the typed text, until "saved" names it
    }
    if record_id is not None:
        context |= {
            "back": f"/persons/{person.id}/{key}/{record_id}/edit",
            "title_key": f"edit_{key}",
            "action": f"/persons/{person.id}/{key}/{record_id}",
            "keep": f"{key}_{record_id.hex}",
        }
    return render.page(request, "record_form.html", context, status_code=status_code)


def _contact_values(
    request: Request, session: Session, me: SignedIn, person: Person
) -> dict[str, str]:
    from registry.persons.service import decrypt_field

    ctx = acting(session, request.app.state.services, me.principal, request, reason="read contact")
    residence = person.current_residence or {}
    return {
        "phone": decrypt_field(ctx, person, "phone") or "",
        "email": decrypt_field(ctx, person, "email") or "",
        "current_residence": str(residence.get("text") or "")
        if isinstance(residence, dict)
        else "",
    }


@router.get("/persons/{person_id}/{key}/new")
def record_form(
    request: Request, person_id: uuid.UUID, key: str, me: UserDep, session: SessionDep
) -> Response:
    person = _writable(session, me, person_id)
    if key == "contact":
        values = _contact_values(request, session, me, person)
        session.rollback()
    else:
        _spec(key, me.principal)
        values = {}
    return _render(request, session, me, person, key, values=values, errors={})


def _issue_field(path: str) -> str:
    return path.split(".")[-1] if "." in path else path


def _values(form: FormData, inputs: tuple[Input, ...]) -> dict[str, str]:
    out = {}
    for i in inputs:
        raw = form.get(i.name)
        out[i.name] = raw if isinstance(raw, str) else ""
    return out


def _check_common(form: FormData, session: Session, person: Person, who: Principal) -> str:
    """The reason (required) and the If-Match; raise Invalid naming the field."""
    reason = form.get("reason")
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise Invalid.field("form.reason", "is required")
    if len(text) > 500:
        raise Invalid.field("form.reason", "longer than 500 characters")
    if form.get("etag") != file_etag(session, person, who):
        raise Invalid.field("form.etag", "the record changed since it was read (stale If-Match)")
    return text


def _wire(model: type[Any], body: dict[str, Any]) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        issues = [
            FieldIssue(str(e["loc"][0]) if e["loc"] else "form", str(e["msg"]))
            for e in exc.errors()
        ]
        raise Invalid("the form has errors", issues=issues) from None


@router.post("/persons/{person_id}/{key}")
def record_save(
    request: Request,
    person_id: uuid.UUID,
    key: str,
    me: FormUserDep,
    form: FormDep,
    session: SessionDep,
    svc: ServicesDep,
) -> Response:
    person = _writable(session, me, person_id)
    inputs = (
        _inputs(session, me.principal, key) if key == "contact" else _spec(key, me.principal).inputs
    )
    values = _values(form, inputs)
    raw_reason = form.get("reason")
    values["reason"] = raw_reason if isinstance(raw_reason, str) else ""
    try:
        reason = _check_common(form, session, person, me.principal)
        ctx = acting(session, svc, me.principal, request, reason=reason)
        if key == "contact":
            _save_contact(session, ctx, person, values)
        else:
            spec = FORMS[key]
            data = _wire(spec.model, spec.body(person.id, values))
            if spec.dry_run and form.get("confirmed") != "1":
                return _dry_run(request, session, me, person, spec, data, values)
            spec.create(session, ctx, data)
        reevaluate_people(session, {person.id})
        session.commit()
    except RegistryError as exc:
        return refused(request, session, me, person, key, values, exc)
    return RedirectResponse(f"/persons/{person.id}?saved={key}", status_code=303)


def refused(
    request: Request,
    session: Session,
    me: SignedIn,
    person: Person,
    key: str,
    values: dict[str, str],
    exc: RegistryError,
    record_id: uuid.UUID | None = None,
) -> Response:
    """Nothing written: the form again, with the typed text and each issue by its box."""
    session.rollback()
    if exc.status_code >= 500:
        raise exc
    return _render(
        request,
        session,
        me,
        person,
        key,
        values=values,
        errors={_issue_field(i.field): i.reason for i in exc.issues},
        status_code=exc.status_code,
        notice="" if exc.issues else exc.message,
        record_id=record_id,
    )


def _save_contact(session: Session, ctx: Any, person: Person, values: dict[str, str]) -> None:
    body: dict[str, Any] = {
        "phone": values["phone"].strip() or None,
        "email": values["email"].strip() or None,
    }
    text = values["current_residence"].strip()
    if text:
        body["current_residence"] = {"text": text, "code_list": "2025"}
    update_person(session, ctx, person, _wire(PersonUpdate, body))


def _dry_run(
    request: Request,
    session: Session,
    me: SignedIn,
    person: Person,
    spec: RecordForm,
    data: Any,
    values: dict[str, str],
) -> Response:
    """What the appointment would raise, in words; nothing is kept. The form comes back with
    the findings and a confirmation to save."""
    require_cadre_reader(me.principal)
    savepoint = session.begin_nested()
    try:
        ctx = acting(session, request.app.state.services, me.principal, request, reason="dry run")
        obj = spec.create(session, ctx, data)
        findings = appointment_findings(session, obj)  # type: ignore[arg-type]
    finally:
        savepoint.rollback()
    session.rollback()
    lang = render.language(request)
    lines = [line for f in findings for line in finding_lines(session, f.rule, f.details(), lang)]
    return _render(request, session, me, person, spec.key, values=values, errors={}, findings=lines)


def _form_page_redirect(key: str) -> None:
    """A form's POST address opened as a page (a bookmark, a reload after sign-in): its form.
    One route per form, so no other page under /persons/{id}/ is shadowed."""

    def redirect(person_id: uuid.UUID, me: UserDep) -> Response:
        del me
        return RedirectResponse(f"/persons/{person_id}/{key}/new", status_code=303)

    router.add_api_route(f"/persons/{{person_id}}/{key}", redirect, methods=["GET"])


for _key in (*FORMS, "contact"):
    _form_page_redirect(_key)


@router.get("/persons/{person_id}/view")
def view_address(person_id: uuid.UUID, me: UserDep) -> Response:
    del me
    return RedirectResponse(f"/persons/{person_id}", status_code=303)
