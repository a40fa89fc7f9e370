"""Feed positions, read and written in the caller's transaction (never ahead of the data)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.dates import utcnow
from sync.models import SyncCursor


def read(session: Session, name: str) -> str | None:
    row = session.get(SyncCursor, name)
    return None if row is None else row.value


def write(session: Session, name: str, value: str) -> None:
    """Upsert; the caller commits it together with the changes the cursor covers."""
    row = session.get(SyncCursor, name)
    if row is None:
        session.add(SyncCursor(name=name, value=value, updated_at=utcnow()))
    else:
        row.value = value
    session.flush()


def clear(session: Session, name: str) -> None:
    session.execute(sa.update(SyncCursor).where(SyncCursor.name == name).values(value=""))
