"""Exact lookups of identification numbers in bulk: an application reconciling its people
(a ward's one-stop system, the population database's mirror) asks "which file holds each of
these numbers?" up to 100 at a time.

Every number is answered, in order: ``found`` (with the file's id) only inside the caller's
org scope — a number filed under another unit, or retired, is ``not_found`` exactly like an
unknown one — and ``invalid`` when it is neither a 12-digit CCCD nor a 9- or 12-digit CMND.
Each number found is one audited read of that file. The numbers asked for count against
the caller's lookup quota (``registry.access.quota``): all of a request or none.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, StringConstraints

from registry.access import policy, quota
from registry.access.scope import visible
from registry.api.deps import CtxDep, SessionDep, rationed
from registry.audit.service import log_read
from registry.context import Ctx
from registry.persons import writer
from registry.persons.models import Person
from schemas.common import Wire

LOOKUP_MAX = 100
_CCCD = re.compile(r"^[0-9]{12}$")
_CMND = re.compile(r"^[0-9]{9}$")

Number = Annotated[str, StringConstraints(max_length=20)]


class LookupRequest(Wire):
    numbers: list[Number] = Field(
        min_length=1,
        max_length=LOOKUP_MAX,
        description="identification numbers: 12-digit CCCD, or 9- or 12-digit CMND",
    )


class LookupAnswer(BaseModel):
    number: str
    status: Literal["found", "not_found", "invalid"]
    person_id: uuid.UUID | None = None


class LookupAnswers(BaseModel):
    items: list[LookupAnswer] = Field(description="one answer per number, in the order asked")


router = APIRouter(tags=["persons"])


def _kinds(number: str) -> tuple[str, ...]:
    """The blind indexes a number may be found under, in the order tried."""
    if _CCCD.match(number):
        return ("nid", "cmnd")  # a 12-digit CMND (issued 2012–2016) has the same form
    if _CMND.match(number):
        return ("cmnd",)
    return ()


def _find(session: SessionDep, ctx: Ctx, number: str) -> tuple[uuid.UUID | None, str | None]:
    for kind in _kinds(number):
        stmt = visible(sa.select(Person.id), Person, ctx.principal).where(
            Person.retired_at.is_(None), writer.find_by(ctx.cipher, kind, number)
        )
        found = session.scalar(stmt.limit(1))
        if found is not None:
            return found, kind
    return None, None


@router.post(
    "/persons/lookup",
    response_model=LookupAnswers,
    summary="Which file holds each of up to 100 identification numbers (in scope)",
    dependencies=[Depends(rationed)],
)
def lookup(body: LookupRequest, session: SessionDep, ctx: CtxDep) -> Any:
    policy.require_lookup(ctx.principal, param="numbers", table="persons", field="nid")
    asked = [n for n in body.numbers if _kinds(n)]
    if asked:
        quota.take(
            session,
            ctx.principal.subject,
            len(asked),
            per_minute=quota.allowance(ctx.principal, ctx.settings),
        )
        session.commit()  # the lookups are counted whatever happens next
    answers: list[LookupAnswer] = []
    for number in body.numbers:
        if not _kinds(number):
            answers.append(LookupAnswer(number=number, status="invalid"))
            continue
        person_id, kind = _find(session, ctx, number)
        if person_id is None:
            answers.append(LookupAnswer(number=number, status="not_found"))
            continue
        log_read(
            session,
            ctx,
            action="persons.lookup",
            object_type="persons",
            object_ids=[str(person_id)],
            fields=[kind or "nid"],
        )
        answers.append(LookupAnswer(number=number, status="found", person_id=person_id))
    session.commit()  # the reads are on record before anyone sees the answers
    return LookupAnswers(items=answers)
