"""Correcting a record already in the file through its form
(``/persons/{id}/{key}/{record}/edit``): what the API's update model may change is editable,
the rest is shown and fixed, and only the values typed differently are sent, with the file's
ETag and a reason as for a new record (``record_pages``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from registry.alerts.service import reevaluate_people
from registry.api.deps import SessionDep
from registry.db import Entity
from registry.errors import Invalid, NotFound, RegistryError
from registry.persons.models import Person
from registry.web.deps import FormDep, FormUserDep, ServicesDep, UserDep, acting
from registry.web.form_specs import FORMS, RecordForm, editable_fields, iso_day, resource
from registry.web.record_pages import (
    _check_common,
    _render,
    _spec,
    _values,
    _wire,
    _writable,
    refused,
)
from registry.web.routes import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _record(session: Session, spec: RecordForm, person: Person, record_id: uuid.UUID) -> Entity:
    """A current record of this person's file of the form's kind, or 404."""
    obj: Entity | None = session.get(resource(spec.table).model, record_id)
    if obj is None or getattr(obj, "person_id", None) != person.id or obj.retired_at is not None:
        raise NotFound("record not found")
    return obj


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _current(spec: RecordForm, obj: Entity) -> dict[str, str]:
    return {i.name: _as_text(getattr(obj, i.name, None)) for i in spec.inputs}


def _changes(spec: RecordForm, current: dict[str, str], values: dict[str, str]) -> dict[str, Any]:
    """What the form changes: an emptied box clears the value (refused for a required one);
    an unchanged one is not sent, so a value the form does not show is never touched."""
    editable = editable_fields(spec)
    body: dict[str, Any] = {}
    for i in spec.inputs:
        if i.name not in editable:
            continue
        text = values.get(i.name, "").strip()
        typed = iso_day(text) if i.kind == "date" and text else text
        if typed == current.get(i.name, ""):
            continue
        if not typed and i.required:
            raise Invalid.field(f"form.{i.name}", "is required")
        body[i.name] = typed or None
    if not body:
        raise Invalid("nothing was changed")
    return body


@router.get("/persons/{person_id}/{key}/{record_id}/edit")
def record_edit_form(
    request: Request,
    person_id: uuid.UUID,
    key: str,
    record_id: uuid.UUID,
    me: UserDep,
    session: SessionDep,
) -> Response:
    person = _writable(session, me, person_id)
    spec = _spec(key, me.principal)
    values = _current(spec, _record(session, spec, person, record_id))
    return _render(request, session, me, person, key, values=values, errors={}, record_id=record_id)


@router.post("/persons/{person_id}/{key}/{record_id}")
def record_update(
    request: Request,
    person_id: uuid.UUID,
    key: str,
    record_id: uuid.UUID,
    me: FormUserDep,
    form: FormDep,
    session: SessionDep,
    svc: ServicesDep,
) -> Response:
    person = _writable(session, me, person_id)
    spec = _spec(key, me.principal)
    obj = _record(session, spec, person, record_id)
    current = _current(spec, obj)
    # A fixed box shows what is recorded, whatever was sent for it.
    values = current | {
        k: v for k, v in _values(form, spec.inputs).items() if k in editable_fields(spec)
    }
    raw_reason = form.get("reason")
    values["reason"] = raw_reason if isinstance(raw_reason, str) else ""
    try:
        reason = _check_common(form, session, person, me.principal)
        ctx = acting(session, svc, me.principal, request, reason=reason)
        res = resource(spec.table)
        res.update_fn(session, ctx, obj, _wire(res.update, _changes(spec, current, values)))
        reevaluate_people(session, {person.id})
        session.commit()
    except RegistryError as exc:
        return refused(request, session, me, person, key, values, exc, record_id)
    return RedirectResponse(f"/persons/{person.id}?saved={key}_{record_id.hex}", status_code=303)


def _open_edit_form(key: str) -> None:
    """A record's POST address opened as a page (a reload after sign-in): its edit form."""

    def to_edit(person_id: uuid.UUID, record_id: uuid.UUID, me: UserDep) -> Response:
        del me
        return RedirectResponse(f"/persons/{person_id}/{key}/{record_id}/edit", status_code=303)

    router.add_api_route(f"/persons/{{person_id}}/{key}/{{record_id}}", to_edit, methods=["GET"])


for _key in FORMS:
    _open_edit_form(_key)
