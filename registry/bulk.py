"""Set-based writes for bulk paths (sync pulls), with the same recorded history and audit
events as the ORM flush hook: every changed row gets its full new version, who, when, why.

Updates go out as one executemany per set of changed columns and the new versions are read
back in chunks; inserts need no read-back. Rows written here must not also be held as ORM
objects in the same session (their version counters would be stale): callers read with Core.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.dates import utcnow
from registry.db import Entity
from registry.history import append_versions, get_actor, to_jsonable, version_row

_CHUNK = 1000


def _table(model: type[Entity]) -> sa.Table:
    return cast(sa.Table, model.__table__)


def _versions(
    session: Session,
    t: sa.Table,
    rows: Iterable[Any],
    op: str,
    fields: dict[uuid.UUID, list[str]] | None,
) -> list[dict[str, Any]]:
    actor = get_actor(session)
    now = utcnow()
    keys = [c.key for c in t.columns]
    out = []
    for row in rows:
        m = row if isinstance(row, dict) else row._mapping
        data = {k: to_jsonable(m[k]) for k in keys}
        out.append(
            version_row(
                table=t.name,
                row_id=m["id"],
                version=m["version"],
                op=op,
                data=data,
                actor=actor,
                at=now,
                fields=None if fields is None else fields[m["id"]],
            )
        )
    return out


def bulk_update(
    session: Session, model: type[Entity], changes: dict[uuid.UUID, dict[str, Any]]
) -> None:
    """``changes``: row id → {column: new value}. Bumps versions, records history."""
    if not changes:
        return
    t = _table(model)
    now = utcnow()
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row_id, values in changes.items():
        groups[tuple(sorted(values))].append(
            {"b_id": row_id, **{f"b_{k}": v for k, v in values.items()}}
        )
    conn = session.connection()
    for cols, params in groups.items():
        stmt = (
            sa.update(t)
            .where(t.c.id == sa.bindparam("b_id"))
            .values(
                {
                    **{c: sa.bindparam(f"b_{c}") for c in cols},
                    "version": t.c.version + 1,
                    "updated_at": now,
                }
            )
        )
        conn.execute(stmt, params)
    ids = list(changes)
    versions: list[dict[str, Any]] = []
    for start in range(0, len(ids), _CHUNK):
        rows = conn.execute(sa.select(t).where(t.c.id.in_(ids[start : start + _CHUNK])))
        versions += _versions(
            session, t, rows, "update", {k: sorted(v) for k, v in changes.items()}
        )
    append_versions(session, versions)


def bulk_insert(
    session: Session, model: type[Entity], rows: list[dict[str, Any]]
) -> list[uuid.UUID]:
    if not rows:
        return []
    t = _table(model)
    now = utcnow()
    full = [
        {
            "id": uuid.uuid4(),
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "retired_at": None,
            **r,
        }
        for r in rows
    ]
    session.connection().execute(sa.insert(t), full)
    append_versions(session, _versions(session, t, full, "insert", None))
    return [r["id"] for r in full]
