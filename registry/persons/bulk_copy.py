"""PostgreSQL side of the bulk write path: binary COPY of new rows and of their history.

It writes what ``registry.history.append_versions`` writes for an ORM insert — the history
rows, their audit events on the hash chain, and the civil-service outbox items — but sends
the three big row sets (entities, history, audit events) with COPY instead of executemany.
Each event carries the content digest of its history row, as ``append_versions`` gives it.
The events are chained straight onto the head (``registry.audit.bulk_append``: no pending
entries to read back), and the outbox is appended through its own module, so their rules
stay in one place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

import psycopg
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from registry import hooks
from registry.audit import bulk_append
from registry.audit.content import _ENCODER as _CANONICAL  # the digest's own encoding
from registry.audit.content import DIGESTED, content_digest, instant_text
from registry.history import _BOOKKEEPING as BOOKKEEPING  # the hook's list: same event fields
from registry.history import Actor, RecordVersion

if TYPE_CHECKING:
    from registry.persons.bulk import NewRows

# The columns copied are exactly those the content digest covers, in its order.
VERSION_COLUMNS = DIGESTED


def copy_groups(
    session: Session,
    dbapi: psycopg.Connection[Any],
    groups: Sequence[NewRows],
    actor: Actor,
    at: dt.datetime,
) -> None:
    """Entities, then their history, then outbox items and, last (it holds the chain's head
    until commit), the audit events, in one transaction (the session's: ``dbapi`` is its
    connection)."""
    versions_table = cast(sa.Table, RecordVersion.__table__)
    who = (actor.actor_id, actor.role, actor.reason, actor.request_id)
    for group in groups:
        prepare_audit(group, actor, at)  # done already when a checking stage did it
    with dbapi.cursor() as cur:
        for group in groups:
            if group.rows:
                copy_rows(cur, group.table, group.columns, group.rows)
        copy_rows(cur, versions_table, VERSION_COLUMNS, _history(groups, at, who))
    hooks.versions_written(session, _written(groups))
    id_at = [group.columns.index("id") for group in groups]
    bulk_append.append_rendered(
        session,
        [
            group.audit[row[i]][1]
            for group, i in zip(groups, id_at, strict=True)
            for row in group.rows
        ],
    )


def _history(
    groups: Sequence[NewRows], at: dt.datetime, who: tuple[str, str, str, str | None]
) -> Iterator[tuple[Any, ...]]:
    """The rows ``version_row`` builds, as tuples in ``VERSION_COLUMNS`` order."""
    for group in groups:
        name = group.table.name
        for (row_id, data), owner in zip(group.snapshot_texts(), group.owners(), strict=True):
            yield (name, row_id, 1, "insert", data, at, *who, owner)


def _written(groups: Sequence[NewRows]) -> Iterator[dict[str, Any]]:
    """What ``hooks.versions_written`` is told of each history row."""
    for group in groups:
        name = group.table.name
        for owner in group.owners():
            yield {"table_name": name, "person_id": owner}


def prepare_audit(group: NewRows, actor: Actor, at: dt.datetime) -> None:
    """The content digest of each row's history version and its event, rendered to chain
    (``bulk_append.render``), kept on the group by row id: a CPU stage can do this while the
    database is busy with an earlier batch.

    The snapshot (``NewRows._serialise``) is already the canonical JSON the digest encodes,
    so the digest's array is put together around that text instead of parsing and encoding
    it again; the first row of each batch is digested the ordinary way too, and a
    difference stops the import."""
    if group.audit_for != (actor, at):
        group.audit, group.audit_for = {}, (actor, at)
    done = group.audit
    encode = _CANONICAL.encode
    named = [c for c in group.columns if c not in BOOKKEEPING]
    picks = [group.columns.index(c) for c in named]
    head = "[" + encode(group.table.name) + ',"'
    middle = '",1,"insert",'
    tail = "," + encode([instant_text(at), actor.actor_id, actor.role, actor.reason])[1:-1] + ","
    tail += encode(actor.request_id) + ","
    checked = bool(done)
    who = (actor.actor_id, actor.role, actor.reason, actor.request_id)
    event = bulk_append.renderer(
        actor=actor.actor_id,
        role=actor.role,
        org_scope=actor.org_scope,
        action=f"{group.table.name}.insert",
        object_type=group.table.name,
        purpose=actor.purpose,
        request_id=actor.request_id,
    )
    fields_of: dict[tuple[bool, ...], list[str]] = {}
    for row, (row_id, data), owner in zip(
        group.rows, group.snapshot_texts(), group.owners(), strict=True
    ):
        if row_id in done:
            continue
        person = "null]" if owner is None else f'"{owner}"]'
        text_id = str(row_id)
        text = "".join((head, text_id, middle, data, tail, person))
        digest = hashlib.sha256(text.encode()).hexdigest()
        if not checked:
            checked = True
            version = (group.table.name, row_id, 1, "insert", data, at, *who, owner)
            if digest != content_digest(dict(zip(VERSION_COLUMNS, version, strict=True))):
                raise RuntimeError(f"the {group.table.name} snapshot is not in canonical form")
        fields = fields_of.get(pattern := tuple(row[i] is None for i in picks))
        if fields is None:
            # As for an ORM insert: every field that holds a value.
            fields = fields_of[pattern] = [
                n for n, empty in zip(named, pattern, strict=True) if not empty
            ]
        done[row_id] = (digest, event(text_id, fields, digest))


def copy_rows(
    cur: psycopg.Cursor[Any],
    table: sa.Table,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
) -> None:
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    # JSON is sent as its text (its binary wire form is the text itself); a value not yet
    # serialised (a place of an imported person) is serialised here.
    names = pg_type_names(table, tuple(columns))
    types = ["text" if name == "json" else name for name in names]
    as_json = [i for i, name in enumerate(names) if name == "json"]
    with cur.copy(stmt) as copy:
        copy.set_types(types)
        for row in rows:
            if as_json and any(row[i] is not None and not isinstance(row[i], str) for i in as_json):
                row = tuple(
                    json.dumps(v, ensure_ascii=False)
                    if i in as_json and v is not None and not isinstance(v, str)
                    else v
                    for i, v in enumerate(row)
                )
            copy.write_row(row)


@lru_cache(maxsize=64)
def pg_type_names(table: sa.Table, columns: tuple[str, ...]) -> tuple[str, ...]:
    """PostgreSQL type names of ``columns``, as binary COPY needs them declared."""
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    names = []
    for name in columns:
        col = table.c[name]
        col_type = col.type
        if isinstance(col_type, sa.types.NullType) and col.foreign_keys:
            # A foreign-key column takes its type from the column it points at.
            col_type = next(iter(col.foreign_keys)).column.type
        compiled = col_type.compile(dialect=dialect).lower()
        names.append(compiled.split("(")[0].strip())
    return tuple(names)
