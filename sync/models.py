"""Operational state of synchronisation: outbox, cursors, runs, conflicts, quarantine, and
what the external systems last said. These rows are operational, not registry facts: they are
never deleted either, but their changes are not versioned in ``record_versions``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.dates import utcnow
from registry.db import Base, BigId


class OutboxItem(Base):
    """One pending push, written in the same transaction as the change that caused it.

    ``status``: ``pending`` → ``done``, or ``quarantined`` (refused, or it cannot be sent:
    ``last_error`` says why) or ``dead`` (transient failures ran out); an operator's replay
    makes it ``pending`` again. A claim sets ``lease_until`` and ``lease_owner`` (the run's
    id). Push runs hold the job lock, so a lease owned by another run belongs to a dead one:
    the next run takes it back at once (``sync.outbox.recover_leases``) and pushes the item
    with the same idempotency key; the expiry only guards a run that lost its lock.
    """

    __tablename__ = "sync_outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    system: Mapped[str] = mapped_column(sa.String(32))
    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"))
    idempotency_key: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4, unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[dt.datetime | None]
    lease_owner: Mapped[uuid.UUID | None]  # the sync run holding the lease
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    payload_digest: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.Index("ix_sync_outbox_claim", "system", "status", "available_at"),
        sa.Index("ix_sync_outbox_person", "person_id", "status"),
    )


class SyncCursor(Base):
    """Where a feed was read up to; stored in the same transaction as what it covers."""

    __tablename__ = "sync_cursors"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(500))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SyncRun(Base):
    """One run of a job, written when it starts (``running``) and again when it ends: ``ok``
    (all work done), ``partial`` (stopped with work left: ``errors`` and ``counts["left"]``
    say what), ``failed`` (the body raised). A row still ``running`` when the next run of the
    job takes the lock is ``abandoned``: its process died (``finished_at`` stays empty)."""

    __tablename__ = "sync_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    job: Mapped[str] = mapped_column(sa.String(64), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    errors: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    runner: Mapped[str] = mapped_column(sa.String(120))
    period: Mapped[str | None] = mapped_column(sa.String(40), index=True)

    # One run per job and scheduled period, whichever process fires first.
    __table_args__ = (sa.UniqueConstraint("job", "period", name="uq_sync_runs_job_period"),)


class Conflict(Base):
    """An incoming value that the registry did not apply: the source does not own the field,
    or it clashes with a local edit made since the last sync. Values are encrypted."""

    __tablename__ = "sync_conflicts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    system: Mapped[str] = mapped_column(sa.String(32))
    field: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.String(32))  # not_owned | local_edit
    local_ct: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    remote_ct: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    resolution: Mapped[str | None] = mapped_column(sa.String(16))  # keep_local | take_remote
    resolved_by: Mapped[str | None] = mapped_column(sa.String(120))
    resolved_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Quarantined(Base):
    """A hostile or invalid reply, refused and kept (encrypted) for inspection."""

    __tablename__ = "sync_quarantine"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    system: Mapped[str] = mapped_column(sa.String(32))
    job: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.String(500))
    subject: Mapped[str | None] = mapped_column(sa.String(64))  # person id or outbox id
    payload_ct: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RemoteState(Base):
    """What an external system last told us about a person (its version, our last push)."""

    __tablename__ = "sync_remote_state"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), primary_key=True)
    system: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    remote_version: Mapped[int | None]
    remote_updated_at: Mapped[dt.datetime | None]
    pushed_digest: Mapped[str | None] = mapped_column(sa.String(64))
    pulled_digest: Mapped[str | None] = mapped_column(sa.String(64))
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
