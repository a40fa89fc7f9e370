"""PostgreSQL side of the bulk write path: binary COPY of new rows and of their history.

It writes what ``registry.history.append_versions`` writes for an ORM insert — the history
rows, their audit events on the hash chain, and the civil-service outbox items — but sends
the two big row sets (entities, history) with COPY instead of executemany. Each event carries
the content digest of its history row, as ``append_versions`` gives it. The audit chain
and the outbox are appended through their own modules, so their rules stay in one place.
"""

from __future__ import annotations

import datetime as dt
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
from registry.audit import chain as audit_chain
from registry.audit.content import DIGESTED, content_digest
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
    """Entities, then their history, then audit events and outbox items, in one transaction
    (the session's: ``dbapi`` is its connection)."""
    versions_table = cast(sa.Table, RecordVersion.__table__)
    who = (actor.actor_id, actor.role, actor.reason, actor.request_id)
    digests: list[str] = []  # of each history row, in the order the events are drafted
    with dbapi.cursor() as cur:
        for group in groups:
            if group.rows:
                copy_rows(cur, group.table, group.columns, group.rows)
        # The rows ``version_row`` builds, as tuples in ``VERSION_COLUMNS`` order.
        history = (
            (group.table.name, row_id, 1, "insert", data, at, *who, owner)
            for group in groups
            for (row_id, data), owner in zip(group.snapshot_texts(), group.owners(), strict=True)
        )
        copy_rows(cur, versions_table, VERSION_COLUMNS, _digested(history, digests))
    pending = iter(digests)
    audit_chain.append(session, [d for group in groups for d in _drafts(group, actor, pending)])
    hooks.versions_written(
        session,
        (
            {"table_name": group.table.name, "person_id": owner}
            for group in groups
            for owner in group.owners()
        ),
    )


def _digested(rows: Iterable[tuple[Any, ...]], digests: list[str]) -> Iterator[tuple[Any, ...]]:
    """``rows`` unchanged, noting the content digest of each on the way to COPY: taken over
    the JSON text exactly as it is written, so it matches the stored row."""
    for row in rows:
        digests.append(content_digest(dict(zip(VERSION_COLUMNS, row, strict=True))))
        yield row


def _drafts(group: NewRows, actor: Actor, digests: Iterator[str]) -> Iterable[dict[str, Any]]:
    action = f"{group.table.name}.insert"
    named = [c for c in group.columns if c not in BOOKKEEPING]
    id_at = group.columns.index("id")
    picks = [group.columns.index(c) for c in named]
    for row in group.rows:
        yield audit_chain.draft(
            actor=actor.actor_id,
            role=actor.role,
            org_scope=actor.org_scope,
            action=action,
            object_type=group.table.name,
            object_id=str(row[id_at]),
            # As for an ORM insert: every field that holds a value.
            fields=[name for name, i in zip(named, picks, strict=True) if row[i] is not None],
            purpose=actor.purpose,
            request_id=actor.request_id,
            content_digest=next(digests),
        )


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
