"""Every run is on record: a body that dies of its database is ``failed`` with the error's
type, a process killed mid-run leaves a row the next run marks ``abandoned``; both are in
``/api/v1/sync/runs`` and ``/metrics``. Administrators of a root unit see the runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import sync.jobs  # noqa: F401 - registers the jobs
from registry.access.service import create_token
from registry.app import create_app
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.org_units.service import create_org_unit
from registry.runtime import Runtime
from schemas.org_units import OrgUnitCreate
from sync.models import SyncCursor, SyncRun
from sync.runs import JOBS, JobRun, run_job

ROOT = Path(__file__).resolve().parents[2]
# A process that starts a run of `test-sleeps` and waits inside it until it is killed.
SLEEPER = """
import threading
from registry.config import get_settings
from registry.runtime import Runtime
from sync.runs import job, run_job

@job("test-sleeps")
def sleeps(run):
    print("started", flush=True)
    threading.Event().wait()

run_job(Runtime(get_settings()), "test-sleeps")
"""


@pytest.fixture
def rt(committed_engine: Engine, keys: StaticKeyProvider, tmp_path: Path) -> Iterator[Runtime]:
    yield Runtime(Settings(var_dir=tmp_path / "var"), keys=keys, engine_override=committed_engine)
    for name in ("test-locked", "test-sleeps"):
        JOBS.pop(name, None)


def _client(rt: Runtime, *, role: str = "admin", org: str | None = None) -> TestClient:
    app = create_app(rt.settings, sessions=rt.sessions, keys=rt.key_provider)
    with rt.sessions() as session:
        rt.system_ctx(session, reason="tokens")
        token = create_token(session, role=role, org_code=org, name=f"{role} {org}")
        session.commit()
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _metric(client: TestClient, job: str, status: str) -> float:
    line = f'cadre_sync_runs_total{{job="{job}",status="{status}"}} '
    found = [row for row in client.get("/metrics").text.splitlines() if row.startswith(line)]
    return float(found[0].removeprefix(line)) if found else 0.0


def _locked_write(rt: Runtime) -> None:
    """A job body whose write meets a lock another connection holds, as a busy database
    does: SQLite says ``database is locked``, PostgreSQL that the lock was not available.
    The waits are cut to nothing so the test does not sit out the 30-second busy timeout."""
    sqlite = rt.engine.dialect.name == "sqlite"
    blocker = rt.engine.connect()
    blocker.begin()  # SQLite: BEGIN IMMEDIATE takes the write lock
    if not sqlite:
        blocker.exec_driver_sql("LOCK TABLE sync_cursors IN ACCESS EXCLUSIVE MODE")
    try:
        with rt.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            if sqlite:
                raw.execute("PRAGMA busy_timeout = 0")
            else:
                conn.exec_driver_sql("SET lock_timeout = '50ms'")
                conn.commit()
            try:
                with Session(bind=conn) as session:
                    session.add(SyncCursor(name="test-locked", value="1"))
                    session.commit()
            finally:
                if sqlite:
                    raw.execute("PRAGMA busy_timeout = 30000")
    finally:
        blocker.rollback()
        blocker.close()


def test_a_run_that_dies_of_a_locked_database_is_failed_in_the_runs_and_the_metrics(
    rt: Runtime,
) -> None:
    def body(run: JobRun) -> None:
        run.counts["before_the_crash"] += 1
        _locked_write(run.rt)

    JOBS["test-locked"] = body
    client = _client(rt)
    before = _metric(client, "test-locked", "failed")
    run = run_job(rt, "test-locked")
    assert run is not None and run.status == "failed"
    assert run.errors and run.errors[0].startswith("OperationalError: "), run.errors
    assert "INSERT" not in run.errors[0]  # the statement (and its values) are not kept
    listed = client.get("/api/v1/sync/runs", params={"job": "test-locked"}).json()["items"]
    assert [(r["status"], r["counts"]["before_the_crash"]) for r in listed] == [("failed", 1)]
    assert listed[0]["finished_at"] is not None and listed[0]["errors"] == run.errors
    assert _metric(client, "test-locked", "failed") == before + 1


def test_a_killed_run_is_abandoned_when_the_next_run_of_its_job_starts(
    rt: Runtime, committed_engine: Engine, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CADRE_DATABASE_URL": committed_engine.url.render_as_string(hide_password=False),
        "CADRE_VAR_DIR": str(tmp_path / "var-sleeper"),
        "CADRE_LOG_LEVEL": "WARNING",
    }
    sleeper = subprocess.Popen(
        [sys.executable, "-c", SLEEPER], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert sleeper.stdout is not None and sleeper.stdout.readline().strip() == "started"
    sleeper.send_signal(signal.SIGKILL)
    sleeper.wait()
    sleeper.stdout.close()
    with rt.sessions() as session:
        [killed] = session.scalars(sa.select(SyncRun).where(SyncRun.job == "test-sleeps"))
        assert killed.status == "running" and killed.finished_at is None
    client = _client(rt)
    before = _metric(client, "test-sleeps", "abandoned")
    JOBS["test-sleeps"] = lambda run: None  # the job, in a process that lives
    run = run_job(rt, "test-sleeps")
    assert run is not None and run.status == "ok"
    listed = client.get("/api/v1/sync/runs", params={"job": "test-sleeps"}).json()["items"]
    by_id = {r["id"]: r for r in listed}
    assert by_id[str(killed.id)]["status"] == "abandoned"
    assert by_id[str(killed.id)]["finished_at"] is None  # nobody knows when it died
    assert any(str(run.id) in e for e in by_id[str(killed.id)]["errors"])
    assert by_id[str(run.id)]["status"] == "ok"
    assert _metric(client, "test-sleeps", "abandoned") == before + 1
    assert run_job(rt, "test-sleeps") is not None  # found once, counted once
    assert _metric(client, "test-sleeps", "abandoned") == before + 1


def test_the_administrator_of_a_root_unit_sees_sync_runs_and_the_outbox(rt: Runtime) -> None:
    with rt.sessions() as session:
        ctx = rt.system_ctx(session, reason="units")
        root = create_org_unit(
            session,
            ctx,
            OrgUnitCreate(code="UBND-T", name="Ủy ban nhân dân phường", kind="peoples_committee"),
        )
        create_org_unit(
            session,
            ctx,
            OrgUnitCreate(
                code="VP-T",
                name="Văn phòng HĐND và UBND",
                kind="specialised_office",
                parent_id=root.id,
            ),
        )
        session.commit()
    assert run_job(rt, "audit-checkpoint") is not None
    root_admin = _client(rt, org="UBND-T")
    runs = root_admin.get("/api/v1/sync/runs")
    assert runs.status_code == 200 and runs.json()["items"][0]["job"] == "audit-checkpoint"
    assert root_admin.get("/api/v1/sync/outbox", params={"status": "quarantined"}).json() == {
        "items": [],
        "next_cursor": None,
    }
    assert _client(rt, org="VP-T").get("/api/v1/sync/runs").status_code == 403
    assert _client(rt, role="officer", org="UBND-T").get("/api/v1/sync/runs").status_code == 403
    assert _client(rt).get("/api/v1/sync/runs").status_code == 200
