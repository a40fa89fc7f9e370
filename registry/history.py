"""Recorded (transaction-time) history: every insert and update of an entity keeps a version.

Each flush appends one ``record_versions`` row per changed entity, carrying the full row as it
stands after the change, who made it, why, and a monotonic sequence number (``seq``) that orders
versions even when several share one timestamp. The first version of a row is its insert, so
"updating a person twice" leaves three versions. Physical deletes of entities are refused at
flush time; retiring a row (``retired_at``) is an update and is versioned like any other.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from registry import catalogue, hooks
from registry.audit import chain as audit_chain
from registry.audit.content import content_digest
from registry.copyrows import insert_rows
from registry.dates import utcnow
from registry.db import Base, BigId, Entity


@dataclass(frozen=True)
class Actor:
    """Who is changing the registry, and why; set on the session by the edge."""

    actor_id: str
    role: str
    reason: str
    request_id: str | None = None
    org_scope: str | None = None
    purpose: str | None = None


ACTOR_KEY = "cadre.actor"


def set_actor(session: Session, actor: Actor) -> None:
    session.info[ACTOR_KEY] = actor


def get_actor(session: Session) -> Actor:
    actor = session.info.get(ACTOR_KEY)
    if not isinstance(actor, Actor):
        raise RuntimeError("write without an actor: the edge must call set_actor() first")
    return actor


class RecordVersion(Base):
    __tablename__ = "record_versions"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(sa.String(64))
    row_id: Mapped[uuid.UUID]
    version: Mapped[int] = mapped_column(sa.Integer)
    op: Mapped[str] = mapped_column(sa.String(16))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    recorded_at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(sa.String(120))
    actor_role: Mapped[str] = mapped_column(sa.String(32))
    reason: Mapped[str] = mapped_column(sa.String(500))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    # The person whose file the row belongs to: one indexed lookup for as-of reads and exports.
    person_id: Mapped[uuid.UUID | None]

    __table_args__ = (
        sa.Index("ix_record_versions_row", "table_name", "row_id", "seq"),
        sa.Index("ix_record_versions_recorded_at", "recorded_at"),
        sa.Index("ix_record_versions_person", "person_id", "seq"),
    )


def to_jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return "b64:" + base64.b64encode(value).decode("ascii")
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    raise TypeError(f"cannot record {type(value).__name__} in history")


REDACTED = "[redacted]"


def snapshot(obj: Entity) -> dict[str, Any]:
    """The row as it now stands. Columns the catalogue marks redacted in history (credential
    hashes) are recorded as changed but never copied into the history."""
    table = obj.__table__
    redact = catalogue.redacted(obj.__tablename__)
    return {
        c.key: REDACTED if c.key in redact else to_jsonable(getattr(obj, c.key))
        for c in table.columns
    }


_BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at"})


def owner_person(table: str, row_id: uuid.UUID, data: dict[str, Any]) -> uuid.UUID | None:
    if table == "persons":
        return row_id
    owner = data.get("person_id")
    return uuid.UUID(owner) if isinstance(owner, str) else None


def version_row(
    *,
    table: str,
    row_id: uuid.UUID,
    version: int,
    op: str,
    data: dict[str, Any],
    actor: Actor,
    at: dt.datetime,
    person_id: uuid.UUID | None = None,
    fields: list[str] | None = None,
) -> dict[str, Any]:
    """One history row. ``fields`` names what changed (for the audit event); by default every
    non-empty field of the new version."""
    return {
        "table_name": table,
        "row_id": row_id,
        "version": version,
        "op": op,
        "data": data,
        "recorded_at": at,
        "actor": actor.actor_id,
        "actor_role": actor.role,
        "reason": actor.reason,
        "request_id": actor.request_id,
        "person_id": person_id or owner_person(table, row_id, data),
        "_fields": fields
        if fields is not None
        else [k for k, v in data.items() if v is not None and k not in _BOOKKEEPING],
    }


def append_versions(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Set-based append of history rows and their audit events, in the caller's transaction.

    Used by the flush hook and by bulk paths (import): whatever writes history also writes
    the audit trail, so no write path can skip either. Each event carries the digest of its
    version (``registry.audit.content``), so the chain commits to the values written.
    """
    batch = list(rows)
    if not batch:
        return
    actor = get_actor(session)
    drafts = [
        audit_chain.draft(
            actor=r["actor"],
            role=r["actor_role"],
            org_scope=actor.org_scope,
            action=f"{r['table_name']}.{r['op']}",
            object_type=r["table_name"],
            object_id=str(r["row_id"]),
            fields=r.pop("_fields"),
            purpose=actor.purpose,
            request_id=r["request_id"],
            content_digest=content_digest(r),
        )
        for r in batch
    ]
    insert_rows(session.connection(), cast(sa.Table, RecordVersion.__table__), batch)
    audit_chain.append(session, drafts)
    hooks.versions_written(session, batch)


@event.listens_for(Session, "before_flush")
def _refuse_physical_deletes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, Entity):
            raise RuntimeError(
                f"physical delete of {type(obj).__name__} refused: retire it instead"
            )


def _changed_fields(obj: Entity) -> list[str]:
    state = sa.inspect(obj)
    return [a.key for a in state.attrs if a.key not in _BOOKKEEPING and a.history.has_changes()]


def _party_event_owner(session: Session, obj: Entity) -> uuid.UUID | None:
    from registry.party.models import PartyEvent, PartyMembership

    if not isinstance(obj, PartyEvent):
        return None
    return (
        session.connection()
        .execute(
            sa.select(PartyMembership.person_id).where(PartyMembership.id == obj.membership_id)
        )
        .scalar()
    )


@event.listens_for(Session, "after_flush")
def _record_versions(session: Session, _ctx: Any) -> None:
    changed: list[tuple[Entity, str]] = [
        (o, "insert") for o in session.new if isinstance(o, Entity)
    ]
    for obj in session.dirty:
        if isinstance(obj, Entity) and session.is_modified(obj, include_collections=False):
            retiring = sa.inspect(obj).attrs.retired_at.history.added
            changed.append((obj, "retire" if retiring and retiring[0] is not None else "update"))
    if not changed:
        return
    actor = get_actor(session)
    now = utcnow()
    append_versions(
        session,
        [
            version_row(
                table=obj.__tablename__,
                row_id=obj.id,
                version=obj.version,
                op=op,
                data=snapshot(obj),
                actor=actor,
                at=now,
                person_id=_party_event_owner(session, obj),
                fields=None if op == "insert" else _changed_fields(obj),
            )
            for obj, op in changed
        ],
    )
