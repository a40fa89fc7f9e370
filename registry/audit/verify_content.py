"""Verification of content: the history against the chain, the live rows against the history.

Two checks beside the chain walk of ``registry.audit.verify``:

- Every history version (``record_versions``) recorded since digests exist must match, by
  its content digest, exactly one event on the chain, and every event that carries a digest
  must find its version. An edited version matches nothing (and leaves its event without a
  version), a deleted one leaves its event alone, an inserted one has no event. Both sides are
  streamed in ``seq`` order; they are recorded in the same order except where concurrent
  transactions interleave on PostgreSQL, so the unpaired digests held in memory stay few.
- The versions of each row must be numbered 1..n in ``seq`` order, without gaps or repeats
  (``seq`` is not in the digest: versions whose ``seq`` were swapped still pair with their
  events, but no longer count up), and every row that has versions must still exist live
  (nothing deletes: DELETE retires). Both are set-based queries, one per versioned table.
- Every live row of every versioned table must equal its latest recorded version, compared
  as the history snapshots it (``registry.history.snapshot``), columns redacted in history
  left out, its ``version`` that of the latest. A row edited behind the application's back,
  or inserted without history, fails.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa

from registry import catalogue
from registry.audit.content import digest_values, instant_text, uuid_text
from registry.db import Base, Entity
from registry.history import RecordVersion, to_jsonable

_VERSIONS = cast(sa.Table, RecordVersion.__table__)
_VERSION_COLUMNS = (
    "seq, table_name, row_id, version, op, data, recorded_at, actor, actor_role, reason, "
    "request_id, person_id"
)


@dataclass
class Unpaired:
    """Digests seen on one side and not (yet) on the other, by digest."""

    events: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    versions: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


def _take(pool: dict[str, list[tuple[int, str]]], digest: str) -> bool:
    items = pool.get(digest)
    if not items:
        return False
    items.pop()
    if not items:
        del pool[digest]
    return True


class VersionMatcher:
    """Pairs the chain's digest-carrying events (fed in ``seq`` order by the chain walk) with
    the history versions (pulled from their own cursor in ``seq`` order)."""

    def __init__(self, versions: Iterator[tuple[int, str, str]]) -> None:
        self._versions = versions
        self.unpaired = Unpaired()
        self.versions_seen = 0

    def event(self, seq: int, digest: str, label: str) -> None:
        nxt = next(self._versions, None)
        if nxt is not None:
            self.versions_seen += 1
            if nxt[1] == digest:
                return  # the common case: both sides in step
            self._version(nxt)
        if not _take(self.unpaired.versions, digest):
            self.unpaired.events.setdefault(digest, []).append((seq, label))

    def _version(self, item: tuple[int, str, str]) -> None:
        if not _take(self.unpaired.events, item[1]):
            self.unpaired.versions.setdefault(item[1], []).append((item[0], item[2]))

    def finish(self) -> Unpaired:
        for item in self._versions:
            self.versions_seen += 1
            self._version(item)
        return self.unpaired


def stream_versions(conn: sa.Connection, after_seq: int) -> Iterator[tuple[int, str, str]]:
    """(seq, recomputed digest, label) of every version after ``after_seq``, in seq order,
    read with the driver's own cursor (as the chain walk is)."""
    dbapi: Any = conn.connection.dbapi_connection
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        cur = dbapi.cursor(name="cadre_versions_verify")
        cur.itersize = 5000
        param = "%s"
    else:
        cur = dbapi.cursor()
        param = "?"
    loads = json.loads
    try:
        cur.execute(
            f"SELECT {_VERSION_COLUMNS} FROM record_versions "  # noqa: S608 - constants
            f"WHERE seq > {param} ORDER BY seq",
            (after_seq,),
        )
        while rows := cur.fetchmany(5000):
            for seq, table, row_id, version, op, data, at, *who, person in rows:
                row_text = _uuid(row_id)
                digest = digest_values(
                    [
                        table,
                        row_text,
                        version,
                        op,
                        loads(data) if isinstance(data, str) else data,
                        _instant(at),
                        *who,
                        None if person is None else _uuid(person),
                    ]
                )
                yield seq, digest, f"{table} {row_text} version {version}"
    finally:
        cur.close()


def _uuid(value: Any) -> str:
    """``uuid_text`` without building a UUID for SQLite's 32 hex digits (the hot path)."""
    if isinstance(value, str) and len(value) == 32:
        v = value.lower()
        return f"{v[:8]}-{v[8:12]}-{v[12:16]}-{v[16:20]}-{v[20:]}"
    return uuid_text(value) or ""


def _instant(value: Any) -> str:
    """``instant_text`` of SQLite's ``YYYY-MM-DD HH:MM:SS.ffffff`` (naive UTC) without
    parsing it; the same text ``datetime.isoformat`` gives (no fraction when it is zero)."""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            fraction = "" if value[20:] == "000000" else value[19:]
            return f"{value[:10]}T{value[11:19]}{fraction}+00:00"
        value = dt.datetime.fromisoformat(value)
    return instant_text(value)


def versioned_tables() -> list[sa.Table]:
    """Every table whose rows the flush hook versions (the ``Entity`` models)."""
    import registry.models  # noqa: F401 - registers every model of the core

    tables = {
        m.local_table
        for m in Base.registry.mappers
        if issubclass(m.class_, Entity) and isinstance(m.local_table, sa.Table)
    }
    return sorted(tables, key=lambda t: t.name)


@dataclass
class LiveMismatch:
    table: str
    row_id: str
    problem: str


def check_version_order(conn: sa.Connection) -> tuple[LiveMismatch | None, int]:
    """(the first row whose versions are not numbered 1..n in ``seq`` order, how many are
    not): a gap, a repeat or a version out of step with its ``seq`` (swapped ``seq``)."""
    first, bad = None, 0
    for table in versioned_tables():
        numbered = (
            sa.select(
                _VERSIONS.c.row_id,
                _VERSIONS.c.seq,
                _VERSIONS.c.version,
                sa.func.row_number()
                .over(partition_by=_VERSIONS.c.row_id, order_by=_VERSIONS.c.seq)
                .label("n"),
            )
            .where(_VERSIONS.c.table_name == table.name)
            .subquery()
        )
        stmt = (
            sa.select(numbered.c.row_id, sa.func.min(numbered.c.seq))
            .where(numbered.c.version != numbered.c.n)
            .group_by(numbered.c.row_id)
            .order_by(numbered.c.row_id)
        )
        for row_id, seq in conn.execute(stmt.execution_options(yield_per=2000)):
            bad += 1
            if first is None:
                first = LiveMismatch(
                    table.name,
                    str(row_id),
                    f"has versions not numbered 1..n in seq order (from seq {seq})",
                )
    return first, bad


def check_missing_rows(conn: sa.Connection) -> tuple[LiveMismatch | None, int]:
    """(the first row that has recorded versions but no live row, how many have none):
    nothing in the registry deletes a row, so a missing one was deleted behind its back."""
    first, bad = None, 0
    for table in versioned_tables():
        stmt = (
            sa.select(_VERSIONS.c.row_id)
            .where(
                _VERSIONS.c.table_name == table.name,
                ~sa.exists().where(table.c.id == _VERSIONS.c.row_id),
            )
            .group_by(_VERSIONS.c.row_id)
            .order_by(_VERSIONS.c.row_id)
        )
        for (row_id,) in conn.execute(stmt.execution_options(yield_per=2000)):
            bad += 1
            if first is None:
                first = LiveMismatch(
                    table.name, str(row_id), "has recorded versions but no live row: deleted"
                )
    return first, bad


def check_live_rows(conn: sa.Connection) -> tuple[int, LiveMismatch | None, int]:
    """(rows checked, the first row that differs from its latest version, how many differ)."""
    checked, bad, first = 0, 0, None
    for table in versioned_tables():
        for row_id, problem in _table_mismatches(conn, table):
            if problem is None:
                checked += 1
                continue
            checked += 1
            bad += 1
            if first is None:
                first = LiveMismatch(table.name, row_id, problem)
    return checked, first, bad


def _table_mismatches(conn: sa.Connection, table: sa.Table) -> Iterator[tuple[str, str | None]]:
    inner = _VERSIONS.alias("latest")
    latest = (
        sa.select(sa.func.max(inner.c.seq))
        .where(inner.c.table_name == table.name, inner.c.row_id == table.c.id)
        .scalar_subquery()
    )
    stmt = (
        sa.select(
            table,
            _VERSIONS.c.seq.label("_v_seq"),
            _VERSIONS.c.data.label("_v_data"),
            _VERSIONS.c.version.label("_v_version"),
        )
        .select_from(table.outerjoin(_VERSIONS, _VERSIONS.c.seq == latest))
        .order_by(table.c.id)
    )
    redact = catalogue.redacted(table.name)
    names = [c.key for c in table.columns]
    columns = [
        (i, c, c.key, _converter(c)) for i, c in enumerate(table.columns) if c.key not in redact
    ]
    at_id, at_version = names.index("id"), names.index("version")
    at_seq, at_data, at_latest = len(names), len(names) + 1, len(names) + 2
    # On the statement, not the connection: Connection.execution_options changes the caller's
    # connection for good (every later statement would open a server-side cursor).
    result = conn.execute(stmt.execution_options(yield_per=2000))
    for row in result:
        data = row[at_data]
        if data is None:
            yield str(row[at_id]), "has no recorded version"
            continue
        if row[at_version] != row[at_latest]:
            yield (
                str(row[at_id]),
                f"is at version {row[at_version]}, its latest recorded version is "
                f"{row[at_latest]} (seq {row[at_seq]})",
            )
            continue
        get = data.get
        for i, column, key, convert in columns:
            value = row[i]
            stored = get(key)
            live = value if convert is None else convert(value)
            if live != stored and not _same(column, value, stored):
                yield str(row[at_id]), f"{key} differs from its latest version (seq {row[at_seq]})"
                break
        else:
            yield str(row[at_id]), None


_NATIVE = (sa.String, sa.Integer, sa.Boolean, sa.JSON, sa.Float)


def _converter(column: sa.Column[Any]) -> Any:
    """How the history snapshots this column's values: ``None`` where the value is already
    what ``to_jsonable`` would record (text, numbers, booleans, JSON), else ``to_jsonable``."""
    kind = column.type
    if isinstance(kind, sa.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, _NATIVE) and not isinstance(kind, sa.Enum | sa.Numeric | sa.Uuid):
        return None
    return to_jsonable


def _same(column: sa.Column[Any], live: Any, stored: Any) -> bool:
    """Equal once both are read as the column's type: an instant written in another time
    zone, or a decimal written with fewer places than the column keeps, is the same value."""
    if live is None or not isinstance(stored, str):
        return False
    try:
        if isinstance(live, dt.datetime):
            return live == dt.datetime.fromisoformat(stored)
        if isinstance(live, decimal.Decimal):
            return live == decimal.Decimal(stored)
    except (ValueError, decimal.InvalidOperation):
        return False
    return False
