"""Transactional outbox: every change to what the civil-servant database receives from us
enqueues a push in the same transaction (called from ``registry.history.append_versions``).

Claiming: ``FOR UPDATE SKIP LOCKED`` with a lease on PostgreSQL (several workers); on SQLite
one process runs the jobs and transactions are serial, so the same statement without the
lock clause is enough. Never a bare id cursor: late-committing rows would be skipped.

A claim records its run as the lease's owner. Push runs hold the job lock, so when a run
starts every lease not its own belongs to a run that died: ``recover_leases`` takes them back
at once instead of waiting out their expiry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from registry import catalogue
from registry.dates import utcnow
from sync.models import OutboxItem

CIVIL_SERVICE = catalogue.CIVIL_SERVICE
# Tables whose registry-owned content the civil-servant database receives (the catalogue's).
PUSHED_TABLES = catalogue.pushed_tables(CIVIL_SERVICE)
SKIP_KEY = "cadre.outbox.skip"


def skip_outbox(session: Session, system: str) -> None:
    """Changes applied *from* a system are not pushed back to it."""
    session.info.setdefault(SKIP_KEY, set()).add(system)


def officials_among(session: Session, person_ids: set[uuid.UUID] | None) -> set[uuid.UUID]:
    """Persons the civil-servant database holds: a post here, a rank, or its number.
    ``None`` asks about everyone."""
    from registry.assignments.models import Assignment
    from registry.persons.models import Person

    has_post = sa.select(Assignment.person_id).where(Assignment.position_id.is_not(None))
    flagged = sa.select(Person.id).where(
        sa.or_(Person.civil_servant_no.is_not(None), Person.rank_code.is_not(None))
    )
    if person_ids is not None:
        ids = list(person_ids)
        if session.get_bind().dialect.name == "postgresql":
            # One array parameter: an IN list of a bulk batch's thousands of ids costs more
            # to render and parse than the query takes to run.
            ids_param = sa.bindparam("person_ids", ids, type_=postgresql.ARRAY(sa.Uuid()))
            has_post = has_post.where(Assignment.person_id == sa.any_(ids_param))
            flagged = flagged.where(Person.id == sa.any_(ids_param))
        else:
            has_post = has_post.where(Assignment.person_id.in_(ids))
            flagged = flagged.where(Person.id.in_(ids))
    return {r[0] for r in session.connection().execute(sa.union(has_post, flagged))}


def enqueue_for_versions(session: Session, versions: Iterable[dict[str, Any]]) -> None:
    if CIVIL_SERVICE in session.info.get(SKIP_KEY, ()):
        return
    touched = {
        v["person_id"]
        for v in versions
        if v["table_name"] in PUSHED_TABLES and v.get("person_id") is not None
    }
    if not touched:
        return
    officials = officials_among(session, touched)
    if not officials:
        return
    conn = session.connection()
    waiting = {
        r[0]
        for r in conn.execute(
            sa.select(OutboxItem.person_id).where(
                OutboxItem.system == CIVIL_SERVICE,
                OutboxItem.status == "pending",
                OutboxItem.lease_until.is_(None),
                OutboxItem.person_id.in_(officials),
            )
        )
    }
    now = utcnow()
    rows = [
        {
            "system": CIVIL_SERVICE,
            "person_id": pid,
            "idempotency_key": uuid.uuid4(),
            "status": "pending",
            "attempts": 0,
            "available_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for pid in sorted(officials - waiting)
    ]
    if rows:
        conn.execute(sa.insert(OutboxItem), rows)


def claim(
    session: Session, system: str, *, limit: int, lease: dt.timedelta, owner: uuid.UUID
) -> list[OutboxItem]:
    """Take up to ``limit`` items whose time has come and whose lease (if any) ran out, for
    the run ``owner``."""
    now = utcnow()
    stmt = (
        sa.select(OutboxItem)
        .where(
            OutboxItem.system == system,
            OutboxItem.status == "pending",
            OutboxItem.available_at <= now,
            sa.or_(OutboxItem.lease_until.is_(None), OutboxItem.lease_until < now),
        )
        .order_by(OutboxItem.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    items = list(session.scalars(stmt))
    for item in items:
        item.lease_until, item.lease_owner = now + lease, owner
        item.attempts += 1
    session.flush()
    return items


def recover_leases(session: Session, system: str, *, owner: uuid.UUID) -> int:
    """Free every lease on ``system``'s pending items not held by ``owner``; call only while
    holding the job lock (then no other run is alive to hold one). The items keep their
    idempotency key, so a push the dead run had already made is not applied twice."""
    result = session.execute(
        sa.update(OutboxItem)
        .where(
            OutboxItem.system == system,
            OutboxItem.status == "pending",
            OutboxItem.lease_until.is_not(None),
            sa.or_(OutboxItem.lease_owner.is_(None), OutboxItem.lease_owner != owner),
        )
        .values(lease_until=None, lease_owner=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def release(session: Session, item_ids: Iterable[int], *, owner: uuid.UUID) -> None:
    """Give back leases ``owner`` took but did not use (a run that stops early)."""
    ids = list(item_ids)
    if ids:
        session.execute(
            sa.update(OutboxItem)
            .where(OutboxItem.id.in_(ids), OutboxItem.lease_owner == owner)
            .values(lease_until=None, lease_owner=None)
            .execution_options(synchronize_session=False)
        )


OUTBOX_STATES = ("pending", "leased", "dead", "quarantined")


def state_counts(session: Session, system: str) -> dict[str, int]:
    """Items of ``system`` by state: ``pending`` (waiting, not leased), ``leased``, ``dead``,
    ``quarantined``. Done items are history, not counted."""
    leased = sa.and_(OutboxItem.status == "pending", OutboxItem.lease_until.is_not(None))
    state = sa.case((leased, "leased"), else_=OutboxItem.status)
    rows = session.execute(
        sa.select(state, sa.func.count())
        .where(OutboxItem.system == system, OutboxItem.status != "done")
        .group_by(state)
    ).all()
    found = {str(name): int(n) for name, n in rows}
    return {name: found.get(name, 0) for name in OUTBOX_STATES}
