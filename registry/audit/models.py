from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, BigId


class AuditEvent(Base):
    """One append-only audit event, chained: ``hash = SHA-256(prev_hash ‖ canonical(event))``.

    ``seq`` is contiguous from 1. Requests write ``AuditPending`` entries; the sequencer
    (``registry.audit.sequencer``, one at a time across processes) moves them here, numbered
    and chained, so concurrent writers never fork the chain and never wait on its head.
    ``entry_id`` names the pending entry an event came from (null for events chained before
    entries were pending). Values of fields are never stored, only names;
    an event that records a history version carries that version's ``content_digest``
    (``registry.audit.content``), which is hashed into the chain with the rest.
    """

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    occurred_at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(16))
    org_scope: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    fields: Mapped[list[str]] = mapped_column(sa.JSON)
    purpose: Mapped[str | None] = mapped_column(sa.String(200))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    # SHA-256 of the history version this event records; null for reads, sign-ins, exports
    # and for versions recorded before digests existed.
    content_digest: Mapped[str | None] = mapped_column(sa.String(64))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
    entry_id: Mapped[int | None] = mapped_column(BigId)

    __table_args__ = (
        sa.Index("ix_audit_events_object", "object_type", "object_id"),
        sa.Index("ix_audit_events_entry", "entry_id", unique=True),
    )


class AuditPending(Base):
    """An audit entry committed by the request it describes, not yet on the chain: its
    content (the content digest of the version it records included) but no sequence number
    and no hash. Evidence before acknowledgement: the request commits it before it answers;
    the sequencer chains it later. On PostgreSQL a trigger refuses UPDATE and TRUNCATE, and a
    DELETE unless the entry's event is already on the chain."""

    __tablename__ = "audit_pending"
    # Ids are never reused (SQLite would reuse them once the table is emptied): an event
    # names the entry it came from for good.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - SQLAlchemy reads it once

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    occurred_at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(16))
    org_scope: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    fields: Mapped[list[str]] = mapped_column(sa.JSON)
    purpose: Mapped[str | None] = mapped_column(sa.String(200))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    content_digest: Mapped[str | None] = mapped_column(sa.String(64))


class AuditHead(Base):
    """The single row (id 1) that holds the chain's head; only the sequencer moves it."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigId)
    hash: Mapped[str] = mapped_column(sa.String(64))
    checkpoint_seq: Mapped[int] = mapped_column(BigId)
    checkpoint_at: Mapped[dt.datetime | None]
    # History versions with ``seq`` up to this one were recorded before events carried
    # content digests (set once by the migration that added them); verify does not look for
    # their events. Null: none.
    versions_before_digests: Mapped[int | None] = mapped_column(BigId)


class AuditCheckpoint(Base):
    """A signed statement "the chain had ``seq`` events and head ``head_hash`` at ``created_at``".

    Also written outside the database (``var/checkpoints/``) so a rewrite of the whole table
    is caught by comparing against it.
    """

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    head_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime]
    key_id: Mapped[str] = mapped_column(sa.String(32))
    signature: Mapped[str] = mapped_column(sa.String(128))

    def statement(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "head_hash": self.head_hash,
            "created_at": self.created_at.isoformat(),
        }
