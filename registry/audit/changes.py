"""Who held a post on a date, and what changed field by field (old → new, who, why)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from registry import catalogue
from registry.access import policy
from registry.access.principal import Principal
from registry.access.rows import withheld_rows
from registry.access.scope import rows_in_scope
from registry.assignments.models import Assignment
from registry.errors import NotFound
from registry.history import RecordVersion
from registry.persons.models import Person
from registry.text import full_name

_HIDDEN_SUFFIXES = ("_ct",)  # ciphertext: say "changed", show nothing
_BOOKKEEPING = frozenset({"version", "updated_at", "created_at"})


class Holder(BaseModel):
    assignment_id: uuid.UUID
    person_id: uuid.UUID
    full_name: str
    kind: str
    valid_from: dt.date
    valid_to: dt.date | None
    decision_no: str | None


class FieldChange(BaseModel):
    field: str
    old: Any = None
    new: Any = None


class Change(BaseModel):
    seq: int
    table: str
    object_id: uuid.UUID
    version: int
    op: str
    recorded_at: dt.datetime
    actor: str
    role: str
    reason: str
    request_id: str | None
    changes: list[FieldChange]
    masked_fields: list[str] = []


def _held_on(data: dict[str, Any], on: dt.date) -> bool:
    start = dt.date.fromisoformat(data["valid_from"])
    end = dt.date.fromisoformat(data["valid_to"]) if data.get("valid_to") else dt.date.max
    return data.get("retired_at") is None and start <= on <= end


def holders(
    session: Session, *, position_id: uuid.UUID, on: dt.date, as_of: dt.datetime | None
) -> list[Holder]:
    current: list[dict[str, Any]]
    if as_of is None:
        rows = session.scalars(
            sa.select(Assignment).where(
                Assignment.position_id == position_id,
                Assignment.retired_at.is_(None),
                Assignment.valid_from <= on,
                sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to >= on),
            )
        )
        current = [
            {
                "id": str(a.id),
                "person_id": str(a.person_id),
                "kind": a.kind,
                "valid_from": a.valid_from.isoformat(),
                "valid_to": a.valid_to.isoformat() if a.valid_to else None,
                "decision_no": a.decision_no,
            }
            for a in rows
        ]
    else:
        latest: dict[uuid.UUID, dict[str, Any]] = {}
        stmt = (
            sa.select(RecordVersion.row_id, RecordVersion.data)
            .where(
                RecordVersion.table_name == "assignments",
                RecordVersion.data["position_id"].as_string() == str(position_id),
                RecordVersion.recorded_at <= as_of,
            )
            .order_by(RecordVersion.seq)
        )
        for row_id, data in session.execute(stmt):
            latest[row_id] = data
        current = [d for d in latest.values() if _held_on(d, on)]
    names = _names(session, [uuid.UUID(d["person_id"]) for d in current])
    return sorted(
        (
            Holder(
                assignment_id=uuid.UUID(d["id"]),
                person_id=uuid.UUID(d["person_id"]),
                full_name=names.get(uuid.UUID(d["person_id"]), ""),
                kind=d["kind"],
                valid_from=dt.date.fromisoformat(d["valid_from"]),
                valid_to=dt.date.fromisoformat(d["valid_to"]) if d.get("valid_to") else None,
                decision_no=d.get("decision_no"),
            )
            for d in current
        ),
        key=lambda h: h.valid_from,
    )


def _names(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Person.id, Person.family_name, Person.middle_name, Person.given_name).where(
            Person.id.in_(ids)
        )
    )
    return {r[0]: full_name(r[1], r[2], r[3]) for r in rows}


def diff(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    *,
    principal: Principal | None = None,
    table: str = "",
) -> tuple[list[FieldChange], list[str]]:
    """Field-level old → new; values the principal may not see are withheld and named."""
    out = []
    masked: list[str] = []
    for key in sorted(set(new) | set(old or {})):
        if key in _BOOKKEEPING or key.endswith("_bidx"):  # an index moves with its value
            continue
        before = None if old is None else old.get(key)
        after = new.get(key)
        if before == after:
            continue
        name = key.removesuffix("_ct") if key.endswith(_HIDDEN_SUFFIXES) else key
        if principal is not None and not policy.sees_value(principal, table, key, new):
            out.append(FieldChange(field=name))
            masked.append(name)
        elif key.endswith(_HIDDEN_SUFFIXES):
            out.append(
                FieldChange(
                    field=name,
                    old="[protected]" if before else None,
                    new="[protected]" if after else None,
                )
            )
        else:
            out.append(FieldChange(field=key, old=before, new=after))
    return out, masked


def readable_versions(principal: Principal) -> sa.ColumnElement[bool]:
    """The history rows a principal may read: inside its org scope (as each record stands
    now), and not of a kind withheld from it (nor a document attached to one)."""
    rv = RecordVersion.__table__.c
    clauses: list[sa.ColumnElement[bool]] = []
    if not principal.reads_everything:
        assert principal.org_path is not None
        clauses.append(rows_in_scope(rv.table_name, rv.row_id, principal.org_path))
    closed = sorted(policy.closed_tables(principal))
    if closed:
        clauses.append(rv.table_name.not_in(closed))
        clauses.append(
            sa.or_(
                rv.table_name != "documents",
                RecordVersion.data["owner_table"].as_string().not_in(closed),
            )
        )
    # Rows whose existence is a closed fact (an alert under a party or discipline rule) have
    # no history for this caller either, as they are withheld from every list.
    for table in catalogue.KINDS:
        for by, values in withheld_rows(principal, table).items():
            clauses.append(
                sa.or_(
                    rv.table_name != table,
                    RecordVersion.data[by].as_string().not_in(sorted(values)),
                )
            )
    return sa.and_(sa.true(), *clauses)


def changes(
    session: Session,
    principal: Principal,
    *,
    actor: str | None,
    object_id: uuid.UUID | None,
    table: str | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    after_seq: int,
    limit: int,
) -> list[Change]:
    if table:
        policy.require_kind(principal, table)
    stmt = sa.select(RecordVersion).where(
        RecordVersion.seq > after_seq, readable_versions(principal)
    )
    if actor:
        stmt = stmt.where(RecordVersion.actor == actor)
    if object_id:
        stmt = stmt.where(RecordVersion.row_id == object_id)
        # Another unit's record (or one of a kind withheld from the caller) has no history
        # for this caller: 404, as the record itself answers.
        readable = sa.select(RecordVersion.seq).where(
            RecordVersion.row_id == object_id, readable_versions(principal)
        )
        if session.scalar(readable.limit(1)) is None:
            raise NotFound(f"no recorded history of {object_id}")
    if table:
        stmt = stmt.where(RecordVersion.table_name == table)
    if start:
        stmt = stmt.where(RecordVersion.recorded_at >= start)
    if end:
        stmt = stmt.where(RecordVersion.recorded_at < end)
    out = []
    for v in session.scalars(stmt.order_by(RecordVersion.seq).limit(limit)):
        prev = session.scalar(
            sa.select(RecordVersion.data)
            .where(
                RecordVersion.table_name == v.table_name,
                RecordVersion.row_id == v.row_id,
                RecordVersion.seq < v.seq,
            )
            .order_by(RecordVersion.seq.desc())
            .limit(1)
        )
        fields, masked = diff(prev, v.data, principal=principal, table=v.table_name)
        out.append(
            Change(
                seq=v.seq,
                table=v.table_name,
                object_id=v.row_id,
                version=v.version,
                op=v.op,
                recorded_at=v.recorded_at,
                actor=v.actor,
                role=v.actor_role,
                reason=v.reason,
                request_id=v.request_id,
                changes=fields,
                masked_fields=masked,
            )
        )
    return out
