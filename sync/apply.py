"""Applying what an external system asserts, by the authority matrix.

A value for a field the source owns is applied with provenance when the registry's current
value was itself last asserted by that source (or is empty); otherwise — a local edit made
since — it becomes a conflict for an administrator. Values for fields the source does not own
become conflicts too. Nothing here writes unless a value actually differs.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.context import Ctx
from registry.dates import PartialDate, utcnow
from registry.persons.models import Person, Provenance
from registry.persons.service import ENCRYPTED, current_state
from registry.text import search_key
from sync.authority import group_of, owns
from sync.models import Conflict

_GROUP_FOR_PROVENANCE = {"identity": "identity", "rank_salary": "employment"}


def _jsonable(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


def record_conflict(
    session: Session,
    ctx: Ctx,
    person: Person,
    *,
    system: str,
    field: str,
    reason: str,
    local: Any,
    remote: Any,
) -> bool:
    """Open a conflict unless the same one is already open. True when a new one was opened."""
    open_ = session.scalars(
        sa.select(Conflict).where(
            Conflict.person_id == person.id,
            Conflict.system == system,
            Conflict.field == field,
            Conflict.status == "open",
        )
    ).first()
    cid = uuid.uuid4() if open_ is None else open_.id

    def enc(column: str, value: Any) -> bytes | None:
        if value is None:
            return None
        return ctx.cipher.encrypt(
            _jsonable(value), table="sync_conflicts", column=column, row_id=cid
        )

    if open_ is not None:
        if open_.remote_ct is not None and _decrypt(ctx, open_, "remote_ct") == _jsonable(remote):
            return False
        open_.remote_ct = enc("remote_ct", remote)
        return False
    session.add(
        Conflict(
            id=cid,
            person_id=person.id,
            system=system,
            field=field,
            reason=reason,
            local_ct=enc("local_ct", local),
            remote_ct=enc("remote_ct", remote),
        )
    )
    return True


def _decrypt(ctx: Ctx, c: Conflict, column: str) -> str | None:
    blob = getattr(c, column)
    if blob is None:
        return None
    return ctx.cipher.decrypt(blob, table="sync_conflicts", column=column, row_id=c.id)


def _source_of(session: Session, person_id: uuid.UUID, group: str) -> str | None:
    return session.scalar(
        sa.select(Provenance.source).where(
            Provenance.person_id == person_id, Provenance.field_group == group
        )
    )


def _same(field: str, ours: Any, theirs: Any) -> bool:
    if field == "birth_date" and isinstance(ours, str) and isinstance(theirs, str):
        return PartialDate.parse(ours).agrees_with(PartialDate.parse(theirs))
    return bool(ours == theirs)


def apply_asserted(
    session: Session, ctx: Ctx, person: Person, *, system: str, values: dict[str, Any]
) -> tuple[list[str], int]:
    """Apply ``values`` asserted by ``system``; return (fields applied, conflicts opened)."""
    state = current_state(ctx, person)
    applied: dict[str, Any] = {}
    conflicts = 0
    for field, theirs in values.items():
        ours = state.get(field)
        if _same(field, ours, theirs):
            continue
        prov_group = _GROUP_FOR_PROVENANCE.get(group_of(field), group_of(field))
        source = _source_of(session, person.id, prov_group)
        if not owns(system, field):
            conflicts += record_conflict(
                session,
                ctx,
                person,
                system=system,
                field=field,
                reason="not_owned",
                local=ours,
                remote=theirs,
            )
        elif ours in (None, "") or source in (None, system):
            applied[field] = theirs
        else:
            conflicts += record_conflict(
                session,
                ctx,
                person,
                system=system,
                field=field,
                reason="local_edit",
                local=ours,
                remote=theirs,
            )
    if applied:
        write_values(session, ctx, person, applied, system)
    return sorted(applied), conflicts


def write_values(
    session: Session, ctx: Ctx, person: Person, values: dict[str, Any], system: str
) -> None:
    for field, value in values.items():
        if field in ENCRYPTED:
            setattr(
                person,
                ENCRYPTED[field],
                ctx.cipher.encrypt(
                    value, table="persons", column=ENCRYPTED[field], row_id=person.id
                ),
            )
            if field == "nid":
                person.nid_bidx = ctx.cipher.blind_index(value, purpose="nid")
        else:
            setattr(person, field, value)
    if "birth_date" in values:
        person.birth_year = PartialDate.parse(values["birth_date"]).year
    person.search_key = search_key(
        person.family_name, person.middle_name, person.given_name, person.other_names
    )
    now = utcnow()
    for group in {_GROUP_FOR_PROVENANCE.get(group_of(f), group_of(f)) for f in values}:
        row = session.scalars(
            sa.select(Provenance).where(
                Provenance.person_id == person.id, Provenance.field_group == group
            )
        ).first()
        if row is None:
            session.add(
                Provenance(person_id=person.id, field_group=group, source=system, asserted_at=now)
            )
        else:
            row.source, row.asserted_at = system, now
    session.flush()
