from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, BigId


class AuditEvent(Base):
    """One append-only audit event, chained: ``hash = SHA-256(prev_hash ‖ canonical(event))``.

    ``seq`` is contiguous from 1. Appends are serialised on the ``audit_head`` row, so
    concurrent writers never fork the chain. Values of fields are never stored, only names;
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

    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)


class AuditHead(Base):
    """The single row (id 1) that holds the chain's head; appenders lock it."""

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
