"""Refusals that never block: a refused page request (an officer opening the ward's report, a
form with a stale CSRF token) is recorded in the audit log at once, and a write in another
thread meanwhile proceeds and commits — on a database whose commits are real, both backends.

Before the fix the refusal waited for the request's own transaction (SQLite's write lock,
``BEGIN IMMEDIATE``) for the whole 30 s busy timeout and was then lost."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from registry.alerts.models import Alert
from registry.app import create_app
from registry.audit.models import AuditEvent, AuditPending
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.db import make_sessionmaker
from registry.users.models import SignInFailures
from tests.factories import build_world
from tests.web.conftest import make_alerts, sign_in, users

# Well below SQLite's 30 s busy timeout, and below the 10 s a caller would give up after.
BOUND = 10.0


@pytest.fixture
def real(
    committed_engine: Engine, tmp_path: Path, keys: StaticKeyProvider
) -> Iterator[tuple[sessionmaker[Session], TestClient]]:
    settings = Settings(var_dir=tmp_path / "var", session_cookie_secure=False)
    sessions = make_sessionmaker(committed_engine)
    with sessions() as session:
        world = build_world(session, settings, keys)
        make_alerts(session, settings, keys, world)
        users(session, world)
        session.commit()
    app = create_app(settings, sessions=sessions, keys=keys)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield sessions, client


def denied(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return sum(
            s.scalar(sa.select(sa.func.count()).select_from(t).where(t.outcome == "denied")) or 0
            for t in (AuditEvent, AuditPending)
        )


def concurrently(refuse: Callable[[], Any], sessions: sessionmaker[Session]) -> dict[str, Any]:
    """Run the refused request and a write in another thread at the same moment."""
    key = secrets.token_hex(32)
    out: dict[str, Any] = {}
    go = threading.Barrier(2)

    def write() -> None:
        go.wait()
        start = time.perf_counter()
        with sessions() as s:
            s.add(SignInFailures(address_key=key, window_start=dt.datetime.now(dt.UTC), failures=1))
            s.commit()
        out["write_s"] = time.perf_counter() - start

    writer = threading.Thread(target=write)
    writer.start()
    go.wait()
    start = time.perf_counter()
    out["answer"] = refuse()
    out["refusal_s"] = time.perf_counter() - start
    writer.join(timeout=60)
    with sessions() as s:
        out["written"] = s.get(SignInFailures, key) is not None
    return out


def test_an_officer_refused_the_report_is_recorded_without_blocking_a_write(
    real: tuple[sessionmaker[Session], TestClient],
) -> None:
    sessions, client = real
    assert sign_in(client, "officer.a").status_code == 303
    before = denied(sessions)
    out = concurrently(lambda: client.get("/reports/monthly?month=2026-10"), sessions)
    assert out["answer"].status_code == 403
    assert out["refusal_s"] < BOUND, out
    assert out["written"] and out["write_s"] < BOUND, out
    assert denied(sessions) == before + 1  # recorded, not lost to "database is locked"
    print(f"report refusal {out['refusal_s'] * 1000:.0f} ms, write {out['write_s'] * 1000:.0f} ms")


def test_a_stale_form_is_recorded_without_blocking_a_write(
    real: tuple[sessionmaker[Session], TestClient],
) -> None:
    sessions, client = real
    assert sign_in(client, "officer.a").status_code == 303
    with sessions() as s:
        alert_id = s.scalars(sa.select(Alert.id)).first()
    before = denied(sessions)
    stale = {"csrf": "not-the-token", "note": "đã xem"}
    out = concurrently(lambda: client.post(f"/alerts/{alert_id}/acknowledge", data=stale), sessions)
    assert out["answer"].status_code == 403
    assert out["refusal_s"] < BOUND, out
    assert out["written"] and out["write_s"] < BOUND, out
    assert denied(sessions) == before + 1
    print(f"stale form {out['refusal_s'] * 1000:.0f} ms, write {out['write_s'] * 1000:.0f} ms")
