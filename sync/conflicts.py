"""Conflicts an administrator resolves: keep the registry's value, or take the source's."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import policy
from registry.access.scope import require_person_writable, scope_clause
from registry.alerts.service import reevaluate_people
from registry.context import Ctx
from registry.dates import PartialDate, utcnow
from registry.errors import Conflict as ConflictError
from registry.errors import Forbidden, NotFound
from registry.persons.models import Person
from schemas.sync import ConflictRead
from sync.apply import write_values
from sync.models import Conflict


def _value(ctx: Ctx, c: Conflict, column: str) -> Any:
    blob = getattr(c, column)
    if blob is None:
        return None
    return json.loads(ctx.cipher.decrypt(blob, table="sync_conflicts", column=column, row_id=c.id))


def as_read(ctx: Ctx, c: Conflict) -> ConflictRead:
    # The values are those of the person field the conflict is about: the policy judges them
    # by that field's class (a rank is shown, an identification number is not).
    shown = policy.sees_field(ctx.principal, "persons", c.field)
    return ConflictRead(
        id=c.id,
        person_id=c.person_id,
        system=c.system,
        field=c.field,
        reason=c.reason,
        local_value=_value(ctx, c, "local_ct") if shown else None,
        remote_value=_value(ctx, c, "remote_ct") if shown else None,
        status=c.status,
        resolution=c.resolution,
        resolved_by=c.resolved_by,
        resolved_at=c.resolved_at,
        created_at=c.created_at,
    )


def list_conflicts(
    session: Session,
    ctx: Ctx,
    *,
    status: str | None,
    limit: int,
    after: tuple[dt.datetime, uuid.UUID] | None = None,
) -> list[Conflict]:
    """Oldest first; ``after`` is the (created_at, id) of the last one of the previous page."""
    stmt = sa.select(Conflict).order_by(Conflict.created_at, Conflict.id).limit(limit)
    if after is not None:
        at, last = after
        stmt = stmt.where(
            sa.or_(Conflict.created_at > at, sa.and_(Conflict.created_at == at, Conflict.id > last))
        )
    if status:
        stmt = stmt.where(Conflict.status == status)
    if not ctx.principal.reads_everything and ctx.principal.org_path is not None:
        stmt = stmt.where(
            Conflict.person_id.in_(
                sa.select(Person.id).where(scope_clause(Person, ctx.principal.org_path))
            )
        )
    return list(session.scalars(stmt))


def resolve(session: Session, ctx: Ctx, conflict_id: uuid.UUID, resolution: str) -> Conflict:
    if ctx.principal.role not in ("admin", "officer"):
        raise Forbidden("only administrators and officers resolve conflicts")
    c = session.get(Conflict, conflict_id)
    if c is None:
        raise NotFound(f"conflict {conflict_id} not found")
    person = require_person_writable(session, c.person_id, ctx.principal)
    if c.status != "open":
        raise ConflictError("this conflict is already resolved")
    if resolution == "take_remote":
        value = _value(ctx, c, "remote_ct")
        if c.field == "birth_date" and value is not None:
            value = str(PartialDate.parse(value))
        write_values(session, ctx, person, {c.field: value}, c.system)
        reevaluate_people(session, {person.id})  # as any change to a record does, in-request
    c.status, c.resolution = "resolved", resolution
    c.resolved_by, c.resolved_at = ctx.principal.subject, utcnow()
    session.flush()
    return c
