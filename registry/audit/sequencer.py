"""The sequencer: moves committed audit entries onto the chain, in batches.

A request inserts its entries unsequenced (``audit_pending``: content, who, what, when — no
``seq``, no hash) and commits them before it answers, so the evidence exists before the
acknowledgement and no request waits on the chain's head. The sequencer, one at a time across
every process (``pg_try_advisory_xact_lock`` on PostgreSQL; on SQLite every write transaction
begins ``IMMEDIATE`` and so already holds the database's write lock), takes the pending
entries it can see in ``id`` order, numbers them after the head, chains their hashes, writes
them to ``audit_events``, deletes them from ``audit_pending`` (the PostgreSQL trigger lets an
entry go only once its event exists) and moves the head — one transaction, so an entry is
either pending or on the chain, never both, never neither. Checkpoints are signed over the
batches as they fall due (``chain._maybe_checkpoint``), as a transparency log's sequencer
signs tree heads (Trillian, immudb).

An entry whose transaction commits after the sequencer read the pending rows is simply left
for the next run: nothing is ever skipped, because the sequencer reads what is pending, not
what follows a cursor.

Who runs it: the request itself when the lock is free (``AuditConfig.sequence_in_request``,
the default — it never waits for the lock, it skips), the serving process that runs the
scheduler every ``audit_sequence_every_seconds``, and ``verify``, ``checkpoint`` and
``export`` before they read the chain (waiting for the lock).
"""

from __future__ import annotations

from typing import Any, Final, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from registry.audit import chain
from registry.audit.models import AuditEvent, AuditHead, AuditPending
from registry.copyrows import insert_rows
from registry.dates import utcnow

# One advisory lock key for the sequencer in every process (an arbitrary constant: "cadr").
LOCK_KEY: Final = 0x63616472
BATCH: Final = 5000
_EVENTS = cast(sa.Table, AuditEvent.__table__)
_HEAD = cast(sa.Table, AuditHead.__table__)
_PENDING = cast(sa.Table, AuditPending.__table__)
ENTRY_FIELDS: Final = (
    "occurred_at",
    "actor",
    "role",
    "org_scope",
    "action",
    "object_type",
    "object_id",
    "fields",
    "purpose",
    "request_id",
    "outcome",
    chain.DIGEST_FIELD,
)


def take_lock(conn: sa.Connection, *, wait: bool) -> bool:
    """The sequencer's lock for the rest of the transaction; False when another holds it
    and ``wait`` is off."""
    if conn.dialect.name != "postgresql":
        return True  # SQLite: this transaction began IMMEDIATE and holds the write lock
    if wait:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        return True
    got = conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    return bool(got.scalar())


def insert_pending(session: Session, drafts: list[dict[str, Any]]) -> None:
    """The request's part: its entries, unsequenced, in its own transaction."""
    now = utcnow()  # whole microseconds survive both backends: the hash recomputes
    rows = [{**{k: d.get(k) for k in ENTRY_FIELDS}, "occurred_at": now} for d in drafts]
    insert_rows(session.connection(), _PENDING, rows)


def sequence(session: Session, *, wait: bool = False, batch: int = BATCH) -> int:
    """Chain every entry pending and visible now; how many were chained (0 when another
    sequencer holds the lock and ``wait`` is off). The caller commits."""
    conn = session.connection()
    if not take_lock(conn, wait=wait):
        return 0
    head = conn.execute(
        sa.select(_HEAD.c.seq, _HEAD.c.hash, _HEAD.c.checkpoint_seq, _HEAD.c.checkpoint_at)
        .where(_HEAD.c.id == 1)
        .with_for_update()
    ).one()
    seq, prev = int(head.seq), str(head.hash)
    moved = 0
    while True:
        entries = conn.execute(sa.select(_PENDING).order_by(_PENDING.c.id).limit(batch)).mappings()
        events = []
        for entry in entries:
            seq += 1
            ev = {k: entry[k] for k in ENTRY_FIELDS}
            ev["seq"], ev["entry_id"], ev["prev_hash"] = seq, entry["id"], prev
            ev["hash"] = prev = chain.chain_hash(prev, ev)
            events.append(ev)
        if not events:
            break
        insert_rows(conn, _EVENTS, events)
        _delete_moved(conn, [ev["entry_id"] for ev in events])
        moved += len(events)
        if len(events) < batch:
            break
    if moved:
        conn.execute(sa.update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))
        chain.maybe_checkpoint(
            session, seq, prev, int(head.checkpoint_seq), head.checkpoint_at, utcnow()
        )
    return moved


def _delete_moved(conn: sa.Connection, ids: list[int]) -> None:
    """Exactly the entries just chained (never a range: an entry of a transaction that
    commits meanwhile may fall inside one, unchained)."""
    if conn.dialect.name == "postgresql":  # one array parameter, not thousands
        any_id = sa.func.any(sa.bindparam("ids", ids, type_=ARRAY(sa.BigInteger())))
        conn.execute(sa.delete(_PENDING).where(_PENDING.c.id == any_id))
    else:
        conn.execute(sa.delete(_PENDING).where(_PENDING.c.id.in_(ids)))


def pending_count(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(_PENDING)).scalar() or 0)


def sequence_all(sessions: Any, config: chain.AuditConfig | None = None) -> int:
    """Chain everything pending now, waiting for the lock (``verify``, ``export``, tests),
    in a transaction of its own from the session factory ``sessions``."""
    with sessions() as session:
        if config is not None:
            chain.set_audit_config(session, config)
        moved = sequence(session, wait=True)
        session.commit()
    return moved
