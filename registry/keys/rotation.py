"""Rewriting stored values under the current keys, in batches, resumably.

A batch is one transaction: select up to ``limit`` rows after the last id seen (keyset, by
primary key), locked (``FOR UPDATE`` on PostgreSQL; SQLite's writer lock is taken at BEGIN),
re-encrypt each ciphertext not under the target data key and, during an index rebuild,
recompute each blind index under the current index key; then flush. The ORM's flush hook
records a full version of every row rewritten, with its audit event, as for any change
(``registry.history``): one executemany UPDATE (version-checked) and one set-based append of
versions per batch. Rows already right are left alone, so a run restarted after a kill redoes
nothing: the progress is in the data, not in a cursor. A pass walks every table once; passes
repeat until one rewrites nothing (rows written meanwhile by a process that still had old keys
are caught by the next pass).

Document files (``registry.documents.store``) are walked after the tables, in address order:
each file not under the target data key is decrypted, checked against its address and written
again under that key (a temporary file, then ``os.replace``), keeping its name and associated
data. The key id in a file's header is its progress, as for a column. A file that does not
decrypt is reported and left alone; it keeps the rotation from finishing.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from registry import catalogue
from registry.crypto import FieldCipher
from registry.db import Base, Entity
from registry.documents.store import DocumentStore
from registry.errors import DecryptionError
from registry.history import Actor
from registry.keys.usage import under_key

ACTOR = Actor(actor_id="system:keys-rotate", role="admin", reason="key rotation")
_RETRIES = 5


@dataclass(frozen=True)
class Plan:
    """``data_key``: every value not under it is re-encrypted under it (None: leave data keys
    alone). ``rebuild_index``: every blind index is recomputed under the current index key."""

    data_key: str | None
    rebuild_index: bool


@dataclass
class Batch:
    last_id: uuid.UUID | None
    seen: int
    rewritten: int
    duplicates: list[uuid.UUID] = field(default_factory=list)


@dataclass
class PassReport:
    """``rewritten``: rows per table; ``files``: document files rewritten; ``unreadable``:
    addresses of files that do not decrypt or do not match their address."""

    rewritten: Counter[str] = field(default_factory=Counter)
    duplicates: set[uuid.UUID] = field(default_factory=set)
    files: int = 0
    unreadable: set[str] = field(default_factory=set)


def tables() -> list[str]:
    """Tables holding values the catalogue marks encrypted, in a stable order."""
    return sorted({t for t, _f, _c in catalogue.encrypted_columns()})


def model_for(table: str) -> type[Any]:
    """The mapped class of ``table``. Versioned kinds are ``Entity`` rows (the flush hook
    records their versions); sync's operational rows are not versioned and are just updated."""
    from registry.wiring import metadata

    metadata()  # every model mapped, the registry's and sync's, whichever edge called
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if getattr(cls, "__tablename__", None) == table:
            kind = catalogue.kind(table)
            if kind is not None and kind.versioned and not issubclass(cls, Entity):
                raise LookupError(f"{table} is versioned but its model is not an Entity")
            return cls
    raise LookupError(f"no mapped model for table {table!r}")


def _selection(model: type[Any], table: str, plan: Plan) -> sa.ColumnElement[bool]:
    conditions: list[sa.ColumnElement[bool]] = []
    columns = catalogue.encrypted(table)
    if plan.data_key is not None:
        for column in columns.values():
            col = getattr(model, column)
            conditions.append(sa.and_(col.is_not(None), sa.not_(under_key(col, plan.data_key))))
    if plan.rebuild_index:
        for name in catalogue.blind_indexed(table):
            conditions.append(getattr(model, columns[name]).is_not(None))
    return sa.or_(*conditions) if conditions else sa.false()


def _rewrite(cipher: FieldCipher, obj: Any, table: str, plan: Plan, *, index: bool) -> bool:
    """Set ``obj``'s ciphertexts and indexes right; True when anything changed."""
    changed = False
    indexed = catalogue.blind_indexed(table) if index else {}
    for name, column in catalogue.encrypted(table).items():
        blob: bytes | None = getattr(obj, column)
        if blob is None:
            continue
        plain: bytes | None = None
        if plan.data_key is not None and cipher.key_id_of(blob) != plan.data_key:
            plain = cipher.decrypt_bytes(blob, table=table, column=column, row_id=obj.id)
            blob = cipher.encrypt_bytes(
                plain, table=table, column=column, row_id=obj.id, key_id=plan.data_key
            )
            setattr(obj, column, blob)
            changed = True
        if name in indexed:
            if plain is None:
                plain = cipher.decrypt_bytes(blob, table=table, column=column, row_id=obj.id)
            bidx = cipher.blind_index(plain.decode("utf-8"), purpose=name)
            if getattr(obj, indexed[name]) != bidx:
                setattr(obj, indexed[name], bidx)
                changed = True
    return changed


def rewrite_batch(
    session: Session,
    cipher: FieldCipher,
    *,
    table: str,
    plan: Plan,
    after: uuid.UUID | None,
    limit: int,
    careful: bool = False,
) -> Batch:
    """One batch (the caller owns the transaction). ``careful``: row by row in savepoints, so
    a blind index another row already holds (a duplicate number) skips only that row's index."""
    model = model_for(table)
    stmt = sa.select(model).where(_selection(model, table, plan)).order_by(model.id).limit(limit)
    if after is not None:
        stmt = stmt.where(model.id > after)
    rows = list(session.scalars(stmt.with_for_update()))
    if not rows:
        return Batch(last_id=None, seen=0, rewritten=0)
    batch = Batch(last_id=rows[-1].id, seen=len(rows), rewritten=0)
    if not careful:
        batch.rewritten = sum(_rewrite(cipher, o, table, plan, index=True) for o in rows)
        session.flush()
        return batch
    for obj in rows:
        try:
            with session.begin_nested():
                batch.rewritten += _rewrite(cipher, obj, table, plan, index=True)
        except IntegrityError:
            batch.duplicates.append(obj.id)
            with session.begin_nested():
                batch.rewritten += _rewrite(cipher, obj, table, plan, index=False)
    return batch


def _one_batch(
    sessions: sessionmaker[Session],
    cipher: FieldCipher,
    prepare: Callable[[Session], None],
    *,
    table: str,
    plan: Plan,
    after: uuid.UUID | None,
    limit: int,
) -> Batch:
    """Run a batch in its own transaction; a duplicate index reruns it carefully; a lost
    race (deadlock, stale version) reruns it."""
    careful = False
    for attempt in range(_RETRIES):
        try:
            with sessions() as session, session.begin():
                prepare(session)
                return rewrite_batch(
                    session,
                    cipher,
                    table=table,
                    plan=plan,
                    after=after,
                    limit=limit,
                    careful=careful,
                )
        except IntegrityError:
            careful = True
        except (OperationalError, StaleDataError):
            time.sleep(0.05 * (attempt + 1))
    raise RuntimeError(f"batch of {table} failed {_RETRIES} times")


def run_pass(
    sessions: sessionmaker[Session],
    cipher: FieldCipher,
    *,
    plan: Plan,
    limit: int,
    prepare: Callable[[Session], None],
    progress: Callable[[str, int], None] | None = None,
    pause: float = 0.0,
    documents: DocumentStore | None = None,
) -> PassReport:
    """``pause``: seconds to wait after each batch that rewrote rows or files (to spare a busy
    database or disk)."""
    report = PassReport()
    for table in tables():
        after: uuid.UUID | None = None
        while True:
            batch = _one_batch(
                sessions, cipher, prepare, table=table, plan=plan, after=after, limit=limit
            )
            if batch.seen == 0:
                break
            after = batch.last_id
            report.rewritten[table] += batch.rewritten
            report.duplicates.update(batch.duplicates)
            if batch.rewritten:
                if progress is not None:
                    progress(table, report.rewritten[table])
                if pause:
                    time.sleep(pause)
    if documents is not None and plan.data_key is not None:
        rewrite_documents(
            documents,
            report,
            key_id=plan.data_key,
            limit=limit,
            progress=progress,
            pause=pause,
        )
    return report


def rewrite_documents(
    store: DocumentStore,
    report: PassReport,
    *,
    key_id: str,
    limit: int,
    progress: Callable[[str, int], None] | None = None,
    pause: float = 0.0,
) -> None:
    """Every document file not under ``key_id`` rewritten under it; ``limit`` files between
    progress reports and pauses."""
    batch = 0
    for sha in store.addresses():
        try:
            if store.key_id(sha) == key_id or not store.reencrypt(sha, key_id=key_id):
                continue
        except FileNotFoundError:  # removed since it was listed
            continue
        except DecryptionError:
            report.unreadable.add(sha)
            continue
        report.files += 1
        batch += 1
        if batch == limit:
            batch = 0
            if progress is not None:
                progress("document files", report.files)
            if pause:
                time.sleep(pause)
    if batch and progress is not None:
        progress("document files", report.files)
    store.remove_stale_temporaries()
