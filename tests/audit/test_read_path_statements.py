"""A personnel file read costs a small fixed number of statements, whatever the file holds:
the caller's token, the person, the whole file (every section and the ETag's versions) in
one statement, and the audit entry as one insert — plus the commit. A structural check (no
timing): counted with SQLAlchemy's ``before_cursor_execute``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.config import Settings
from tests.api.helpers import records_of_every_kind
from tests.factories import World, build_world

# The token, the person, the file, the audit insert.
MOST = 4
# Transaction control the test harness adds (each test runs in a transaction of its own,
# each commit is a savepoint) or the SQLite dialect sends as a statement.
_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Requests only commit their audit entries; the sequencer chains them in batches."""
    return Settings(
        var_dir=tmp_path / "var", database_url="sqlite://", audit_sequence_in_request=False
    )


@contextmanager
def counted(bind: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        if not statement.lstrip().upper().startswith(_CONTROL):
            seen.append(" ".join(statement.split())[:160])

    engine = bind.engine if isinstance(bind, sa.Connection) else bind
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("who", ["officer_a", "admin", "service"])
def test_a_file_read_is_a_few_statements_whatever_it_holds(
    client: TestClient, session: Session, settings: Settings, keys: object, who: str
) -> None:
    world: World = build_world(session, settings, keys)  # type: ignore[arg-type]
    pid = str(world.persons["a"].id)
    url = f"/api/v1/persons/{pid}"
    with counted(session.get_bind()) as empty:
        assert client.get(url, headers=world.auth(who)).status_code == 200
    records_of_every_kind(client, world, "officer_a", pid, str(world.cell_a.id), 1)
    with counted(session.get_bind()) as full:
        r = client.get(url, headers=world.auth(who))
    assert r.status_code == 200, r.text
    assert len(r.json()["work_history"]) == 1  # the file does hold a record of every kind
    assert len(full) <= MOST, full
    assert len(full) == len(empty), (empty, full)  # fixed: not one more per record
