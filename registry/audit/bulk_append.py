"""Appending many audit events at once, chained in the caller's transaction (bulk imports).

``chain.append`` writes unsequenced entries that the sequencer later reads back, chains,
copies to ``audit_events`` and deletes: three extra passes over every entry, which for an
import of a million rows cost more than the rows themselves. ``append_chained`` takes the
sequencer's place for its own entries instead: it holds the sequencer's lock (waiting for
it), first chains whatever is already pending (so the chain keeps its order of arrival),
then numbers its drafts after the head, hashes them exactly as the sequencer would
(``chain.chain_hash``), writes them to ``audit_events`` with binary COPY and moves the head.
The lock and the head row stay held until the caller commits, so callers append last, just
before they commit. Requests meanwhile keep writing pending entries (they never wait for the
lock); the next sequencer run chains them.

The events are those the sequencer would have written from the same entries, except that
``entry_id`` is null (no pending entry existed). On SQLite, where every write transaction
already holds the database's lock, it is ``chain.append``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any, cast

import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.orm import Session

from registry.audit import chain, sequencer
from registry.audit.models import AuditEvent, AuditHead
from registry.dates import utcnow

_EVENTS = cast(sa.Table, AuditEvent.__table__)
_HEAD = cast(sa.Table, AuditHead.__table__)
_COLUMNS = (*chain.CANONICAL_FIELDS, chain.DIGEST_FIELD, "prev_hash", "hash")
_TYPES = (
    "int8",
    "timestamptz",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",  # fields: JSON text (json's binary wire form is its text)
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
)


# An event ready to chain: its columns from ``actor`` to ``content_digest`` (``fields`` as
# JSON text), and the end of its canonical form (``chain.canonical`` after ``seq`` and
# ``occurred_at``), which a bulk path renders ahead, away from the chain's head. A plain
# tuple: batches of them travel between processes.
Rendered = tuple[tuple[Any, ...], bytes]


def render(d: dict[str, Any]) -> Rendered:
    """``d`` (from ``chain.draft``), ready to chain."""
    encode = chain._ENCODER.encode
    values = [d.get(k) for k in chain.CANONICAL_FIELDS[2:]]
    if d.get(chain.DIGEST_FIELD) is not None:
        values.append(d[chain.DIGEST_FIELD])
    columns = [d.get(k) for k in sequencer.ENTRY_FIELDS[1:]]
    columns[sequencer.ENTRY_FIELDS.index("fields") - 1] = encode(d["fields"])
    return tuple(columns), encode(values)[1:].encode()


def renderer(
    *,
    actor: str,
    role: str,
    action: str,
    object_type: str,
    org_scope: str | None = None,
    purpose: str | None = None,
    request_id: str | None = None,
) -> Callable[[str, list[str], str], Rendered]:
    """``render`` for many events that differ only in ``object_id``, ``fields`` and
    ``content_digest`` (one per row of a bulk insert): the shared parts are encoded once.
    Its first rendering is compared with ``render``'s; a difference raises."""
    encode = chain._ENCODER.encode
    head = encode([actor, role, org_scope, action, object_type])[1:-1] + ","
    mid = "," + encode([purpose, request_id, "ok"])[1:-1] + ',"'
    shared = (actor, role, org_scope, action, object_type)
    after = (purpose, request_id, "ok")
    texts: dict[tuple[str, ...], str] = {}
    checked = False

    def one(object_id: str, fields: list[str], digest: str) -> Rendered:
        nonlocal checked
        key = tuple(fields)
        text = texts.get(key)
        if text is None:
            text = texts[key] = encode(sorted(fields))
        tail = "".join((head, encode(object_id), ",", text, mid, digest, '"]')).encode()
        out = ((*shared, object_id, text, *after, digest), tail)
        if not checked:
            checked = True
            plain = chain.draft(
                actor=actor, role=role, action=action, object_type=object_type,
                object_id=object_id, fields=fields, org_scope=org_scope, purpose=purpose,
                request_id=request_id, content_digest=digest,
            )  # fmt: skip
            if render(plain) != out:
                raise RuntimeError("a bulk audit event renders otherwise than chain.draft")
        return out

    return one


def append_chained(session: Session, drafts: list[dict[str, Any]]) -> int:
    """Chain ``drafts`` (from ``chain.draft``) in the caller's transaction; the sequence
    number of the last one (0 when there is none). The caller commits soon after."""
    if not drafts:
        return 0
    if session.connection().dialect.name != "postgresql":
        chain.append(session, drafts)
        return chain.head(session)[0]
    return append_rendered(session, [render(d) for d in drafts])


def append_rendered(session: Session, events: Sequence[Rendered]) -> int:
    """``append_chained`` of events rendered ahead (PostgreSQL)."""
    if not events:
        return 0
    conn = session.connection()
    sequencer.sequence(session, wait=True)  # takes the lock until commit; chains what waits
    head = conn.execute(
        sa.select(_HEAD.c.seq, _HEAD.c.hash, _HEAD.c.checkpoint_seq, _HEAD.c.checkpoint_at)
        .where(_HEAD.c.id == 1)
        .with_for_update()
    ).one()
    seq, prev = int(head.seq), str(head.hash)
    now = utcnow()  # whole microseconds, as ``sequencer.insert_pending`` records them
    at = f',"{now.isoformat()}",'.encode()
    _check(prev, seq + 1, now, events[0])
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(_EVENTS.name), sql.SQL(", ").join(map(sql.Identifier, _COLUMNS))
    )
    sha256 = hashlib.sha256
    dbapi: Any = conn.connection.dbapi_connection
    with dbapi.cursor() as cur, cur.copy(stmt) as copy:
        copy.set_types(list(_TYPES))
        for values, tail in events:
            seq += 1
            this = sha256(b"".join((prev.encode(), b"[", b"%d" % seq, at, tail))).hexdigest()
            copy.write_row((seq, now, *values, prev, this))
            prev = this
    conn.execute(sa.update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))
    chain.maybe_checkpoint(
        session, seq, prev, int(head.checkpoint_seq), head.checkpoint_at, utcnow()
    )
    return seq


def _check(prev: str, seq: int, now: dt.datetime, ev: Rendered) -> None:
    """The first event of a batch hashed the sequencer's way too: a difference (a rendering
    that drifted from ``chain.canonical``) stops the append before anything is chained."""
    values, tail = ev
    full = dict(zip(sequencer.ENTRY_FIELDS[1:], values, strict=True))
    full["fields"] = json.loads(full["fields"])
    full |= {"seq": seq, "occurred_at": now}
    mine = hashlib.sha256(b"".join((prev.encode(), f'[{seq},"{now.isoformat()}",'.encode(), tail)))
    if mine.hexdigest() != chain.chain_hash(prev, full):
        raise RuntimeError("a rendered audit event does not hash as the sequencer hashes it")
