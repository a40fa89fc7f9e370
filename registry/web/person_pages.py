"""A person's file, masked by role and on the audit log before it is shown.

``GET /persons/{id}`` is the file as it is now. Auditors state their purpose (and may pick a
day to see the file "as recorded on" it, with the timeline) in a POST form, so the purpose
is in the body, never in the address: ``POST /persons/{id}/view``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from registry.access.principal import SENSITIVE_PERSON_FIELDS
from registry.access.scope import get_visible
from registry.api.deps import SessionDep
from registry.audit.asof import file_as_of
from registry.audit.service import log_read, sensitive_fields_seen
from registry.audit.timeline import TimelineEntry, build_timeline, timeline_kinds
from registry.catalogue.model import RecordKind
from registry.codes import RANK_CODES
from registry.context import Ctx
from registry.dates import LOCAL, today
from registry.errors import Invalid
from registry.persons.models import Person
from registry.persons.views import file_etag, load_file
from registry.web import render
from registry.web.deps import (
    FormDep,
    FormUserDep,
    ServicesDep,
    SignedIn,
    UserDep,
    acting,
    with_purpose,
)
from registry.web.file_view import sections
from registry.web.i18n import translator
from registry.web.people_pages import current_posts
from registry.web.routes import WebRoute
from registry.web.words import code_words, field_label, period_words, shown
from schemas.person_file import PersonFile

router = APIRouter(route_class=WebRoute, include_in_schema=False)
FACTS = (
    "birth_date",
    "sex",
    "ethnicity_code",
    "religion_code",
    "nid",
    "birth_place",
    "origin_place",
    "permanent_residence",
    "current_residence",
    "phone",
    "email",
    "general_education",
    "recruited_on",
    "rank_code",
    "salary_step",
    "salary_coefficient",
)
SENSITIVE = frozenset(SENSITIVE_PERSON_FIELDS)


def _facts(file: PersonFile, lang: str, masked: str) -> list[tuple[str, str, str]]:
    out = []
    for name in FACTS:
        if name in file.masked_fields:
            value = masked
        elif name == "rank_code" and file.rank_code:
            value = RANK_CODES.get(file.rank_code, file.rank_code)
        else:
            value = shown(name, getattr(file, name, None), lang, names={}, table="persons")
        out.append((name, field_label("persons", name, lang), value or "—"))
    return out


def _timeline(session: Session, file: PersonFile, lang: str) -> list[dict[str, str]]:
    words = {
        "assignments": "kind",
        "qualifications": "level",
        "party_memberships": "status",
        "party_events": "status",
        "disciplines": "form",
    }
    declared = {k.table: k for k in timeline_kinds()}
    out = []
    for entry in build_timeline(session, file):
        family, _, code = entry.kind.partition(".")
        summary = entry.summary
        kind = declared.get(entry.record_type)
        if kind is not None:  # a section placed by its catalogue declaration
            out.append(_declared_entry(entry, kind, lang))
            continue
        if entry.record_type == "evaluations":
            period, _, cls = summary.partition(" ")
            summary = f"{period_words(period, lang)}: {code_words('classification', cls, lang)}"
        elif entry.record_type in words and entry.record_type != "assignments":
            summary = code_words(words[entry.record_type], summary, lang)
        out.append(
            {
                "start": render.day(entry.start),
                "end": render.day(entry.end),
                "what": f"{translator(lang)('tl_' + family)}"
                + (f" ({code_words('kind', code, lang)})" if code else ""),
                "summary": summary,
            }
        )
    return out


def _declared_entry(entry: TimelineEntry, kind: RecordKind, lang: str) -> dict[str, str]:
    """A catalogued section's entry: the section's name and what it was, in words."""
    what_field = kind.timeline.summary if kind.timeline else None
    summary = entry.summary
    if what_field and summary:
        summary = code_words(what_field, summary, lang, kind.table)
    name = kind.label_vi if lang != "en" and kind.label_vi else kind.table.replace("_", " ")
    return {
        "start": render.day(entry.start),
        "end": render.day(entry.end),
        "what": name,
        "summary": summary,
    }


def _show(
    request: Request,
    session: Session,
    me: SignedIn,
    ctx: Ctx,
    person: Person,
    file: PersonFile,
    extra: dict[str, Any],
) -> Response:
    lang = render.language(request)
    masked = translator(lang)("masked")
    posts = current_posts(session, [person.id], today()).get(person.id, [])
    context = {
        "file": file,
        "person_id": person.id,
        "facts": _facts(file, lang, masked),
        "posts": posts,
        "unit": shown("org_unit_id", file.org_unit_id, lang, names=_unit_name(session, file)),
        "sections": sections(session, file, lang, masked),
        "is_auditor": me.principal.role == "auditor",
        "can_write": me.principal.can_write,
        "purpose": me.principal.purpose or "",
        "etag": file_etag(session, person, me.principal),
        **extra,
    }
    return render.page(request, "person.html", context)


def _unit_name(session: Session, file: PersonFile) -> dict[uuid.UUID, str]:
    from registry.web.file_view import id_names

    return id_names(session, {file.org_unit_id} if file.org_unit_id else set())


def _log(session: Session, ctx: Ctx, person: Person, action: str, extra: list[str]) -> None:
    log_read(
        session,
        ctx,
        action=action,
        object_type="persons",
        object_ids=[str(person.id)],
        fields=[*sensitive_fields_seen(ctx.principal), *extra],
    )
    session.commit()  # the read is on record before anyone sees the data


@router.get("/persons/{person_id}")
def person_file(
    request: Request, person_id: uuid.UUID, me: UserDep, session: SessionDep, svc: ServicesDep
) -> Response:
    ctx = acting(session, svc, me.principal, request, reason="read person file (review page)")
    person = get_visible(session, Person, person_id, ctx.principal)
    file = load_file(session, ctx, person)
    _log(session, ctx, person, "persons.read", ["file"])
    saved = request.query_params.get("saved", "")
    extra = {"as_of": "", "timeline": None, "saved": saved if saved.isidentifier() else ""}
    return _show(request, session, me, ctx, person, file, extra)


def _as_of_day(raw: object) -> dt.date | None:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return None
    try:
        day = (
            dt.datetime.strptime(text, "%d/%m/%Y").date()
            if "/" in text
            else dt.date.fromisoformat(text)
        )
    except ValueError:
        raise Invalid.field("form.as_of", "must be a date YYYY-MM-DD") from None
    if day > today():
        raise Invalid.field("form.as_of", "is in the future")
    if day.year < 1900:
        raise Invalid.field("form.as_of", "must be a date YYYY-MM-DD")
    return day


@router.post("/persons/{person_id}/view")
def person_file_view(
    request: Request,
    person_id: uuid.UUID,
    me: FormUserDep,
    form: FormDep,
    session: SessionDep,
    svc: ServicesDep,
) -> Response:
    """The file under a stated purpose, now or as recorded at the end of a chosen day, with
    its timeline."""
    me = with_purpose(request, session, me, form.get("purpose"))
    day = _as_of_day(form.get("as_of"))
    ctx = acting(session, svc, me.principal, request, reason="read person file (review page)")
    person = get_visible(session, Person, person_id, ctx.principal)
    if day is None:
        file = load_file(session, ctx, person)
        action = "persons.read"
    else:
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), LOCAL)
        file = file_as_of(session, ctx, person_id, end - dt.timedelta(microseconds=1))
        action = "persons.read_as_of"
    timeline = _timeline(session, file, render.language(request))
    _log(session, ctx, person, action, ["file", "timeline"])
    extra = {"as_of": "" if day is None else day.isoformat(), "timeline": timeline}
    return _show(request, session, me, ctx, person, file, extra)
