"""Keyset (cursor) pagination over the primary key."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from fastapi import Query
from sqlalchemy.orm import Session

from registry.db import Entity
from registry.errors import Invalid

E = TypeVar("E", bound=Entity)


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> uuid.UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (binascii.Error, ValueError):
        raise Invalid.field("query.cursor", "is not a cursor this API issued") from None


def page(
    session: Session, stmt: sa.Select[Any], model: type[E], *, cursor: str | None, limit: int
) -> tuple[Sequence[E], str | None]:
    if cursor:
        stmt = stmt.where(model.id > decode_cursor(cursor))
    rows = session.scalars(stmt.order_by(model.id).limit(limit + 1)).all()
    if len(rows) > limit:
        return rows[:limit], encode_cursor(rows[limit - 1].id)
    return rows, None


def page_rows(
    session: Session, stmt: sa.Select[Any], model: type[Entity], *, cursor: str | None, limit: int
) -> tuple[Sequence[sa.Row[Any]], str | None]:
    """``page`` for a select of columns (rows, not entities: a long page of plain values
    without the ORM's identity map and instance state per row)."""
    if cursor:
        stmt = stmt.where(model.id > decode_cursor(cursor))
    rows = session.execute(stmt.order_by(model.id).limit(limit + 1)).all()
    if len(rows) > limit:
        return rows[:limit], encode_cursor(rows[limit - 1].id)
    return rows, None


def encode_key(*parts: str) -> str:
    """An opaque cursor for lists ordered on more than the primary key (a time, then the id)
    or on a key that is not a UUID: the last row's sort key, as text."""
    return base64.urlsafe_b64encode("\x1f".join(parts).encode()).decode("ascii").rstrip("=")


def decode_key(cursor: str, arity: int) -> list[str]:
    """The parts :func:`encode_key` wrote; ``422 query.cursor`` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError):
        raw = None
    parts = raw.split("\x1f") if raw is not None else []
    if len(parts) != arity:
        raise Invalid.field("query.cursor", "is not a cursor this API issued")
    return parts


KeyCursorQuery = Annotated[
    str | None,
    Query(pattern=r"^[A-Za-z0-9_-]{1,400}$", description="`next_cursor` of the previous page"),
]
