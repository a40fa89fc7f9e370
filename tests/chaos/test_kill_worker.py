"""A worker killed with SIGKILL at random points, again and again, while both sides change:
nothing is lost, nothing is applied twice on either side, no cursor runs ahead of its data.

CADRE_CHAOS_KILLS sets the number of kills (20 by default; more for a longer run).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.engine import Engine

import sync.jobs  # noqa: F401 - registers the jobs
from adapters.serve import running_simulator
from registry.config import Settings
from registry.persons.models import Person
from registry.persons.service import decrypt_field
from registry.qualifications.service import create_qualification
from registry.runtime import Runtime
from schemas.qualifications import QualificationCreate
from sync import cursors
from sync.clients import POLICY_KEY
from sync.jobs.civil_service_pull import OVERLAP, WATERMARK
from sync.models import OutboxItem, SyncRun
from sync.runs import run_job, runner_id
from tests.sync.conftest import FAST, Ward, build_registry
from tests.sync.test_jobs_converge import _agree_with_civil_service

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("CADRE_CHAOS_KILLS", "20"))
LEVELS = ["so_cap", "trung_cap", "cao_cap", "cu_nhan"]


@pytest.fixture
def chaos_ward(committed_engine: Engine, tmp_path: Path) -> Iterator[tuple[Ward, dict[str, str]]]:
    url = committed_engine.url.render_as_string(hide_password=False)
    settings = Settings(var_dir=tmp_path / "var", database_url=url, sync_lease_seconds=1)
    rt = Runtime(settings)  # keys in var/keys, shared with the worker processes
    ward = build_registry(rt, officials=10, others=2)
    rt.extras[POLICY_KEY] = FAST
    for sim in (ward.pop, ward.cs):
        sim.knobs.error_rate, sim.knobs.rate_429, sim.knobs.retry_after = 0.1, 0.05, 0
    with running_simulator(ward.pop.app) as pop_url, running_simulator(ward.cs.app) as cs_url:
        settings.population_url, settings.civil_service_url = pop_url, cs_url
        settings.population_client_id = ward.pop.core.client_id
        settings.population_client_secret = SecretStr(ward.pop.core.client_secret)
        settings.population_public_key = ward.pop.public_key_b64
        settings.civil_service_client_id = ward.cs.core.client_id
        settings.civil_service_client_secret = SecretStr(ward.cs.core.client_secret)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CADRE_DATABASE_URL": url,
            "CADRE_VAR_DIR": str(settings.var_dir),
            "CADRE_SYNC_LEASE_SECONDS": "1",
            "CADRE_LOG_LEVEL": "WARNING",
            "CADRE_POPULATION_URL": pop_url,
            "CADRE_POPULATION_CLIENT_ID": ward.pop.core.client_id,
            "CADRE_POPULATION_CLIENT_SECRET": ward.pop.core.client_secret,
            "CADRE_POPULATION_PUBLIC_KEY": ward.pop.public_key_b64,
            "CADRE_CIVIL_SERVICE_URL": cs_url,
            "CADRE_CIVIL_SERVICE_CLIENT_ID": ward.cs.core.client_id,
            "CADRE_CIVIL_SERVICE_CLIENT_SECRET": ward.cs.core.client_secret,
        }
        yield ward, env
    rt.close()


def _track_applied_writes(ward: Ward) -> list[tuple[str, str]]:
    """Every write the civil-servant database applied, as (number, body digest)."""
    applied: list[tuple[str, str]] = []
    original = ward.cs.store._write

    def recording(req: Any) -> Any:
        answer = original(req)
        if answer.status in (200, 201):
            applied.append((req.nid, hashlib.sha256(req.raw).hexdigest()))
        return answer

    ward.cs.store._write = recording  # type: ignore[method-assign]
    return applied


def _nids(ward: Ward) -> list[str]:
    with ward.rt.sessions() as session:
        ctx = ward.rt.system_ctx(session, reason="read numbers")
        out = []
        for p in ward.officials:
            person = session.get(Person, p.id)
            assert person is not None
            nid = decrypt_field(ctx, person, "nid")
            assert nid is not None
            out.append(nid)
        return out


def _local_edit(ward: Ward, rng: random.Random, n: int) -> None:
    with ward.rt.sessions() as session:
        ctx = ward.rt.system_ctx(session, reason=f"chaos local edit {n}")
        person = rng.choice(ward.officials)
        create_qualification(
            session,
            ctx,
            QualificationCreate(
                person_id=person.id,
                kind="it",
                level="co_ban",
                major=f"Khóa {n}",
                awarded_on=dt.date(2020, 1, 1) + dt.timedelta(days=n),
            ),
        )
        session.commit()


def _cursor_not_ahead(ward: Ward, nids: list[str]) -> None:
    """Officials unchanged since the stored watermark (less the overlap every pull re-reads)
    must already be in the registry."""
    with ward.rt.sessions() as session:
        mark = cursors.read(session, WATERMARK)
        if not mark:
            return
        # The feed's times have whole seconds, so a change made in the second of the newest
        # item pulled can sit at the watermark unseen: the next pull re-reads OVERLAP before
        # it. What the watermark vouches for is what is older than that.
        watermark = dt.datetime.fromisoformat(mark) - OVERLAP
        ctx = ward.rt.system_ctx(session, reason="check")
        by_nid = {}
        for p in ward.officials:
            person = session.get(Person, p.id)
            assert person is not None
            by_nid[decrypt_field(ctx, person, "nid")] = person
        for nid in nids:
            doc = ward.cs.store.officials[nid]
            if dt.datetime.fromisoformat(doc["updated_at"]) <= watermark:
                assert by_nid[nid].salary_step == doc["salary_step"], "cursor ahead of data"


def test_sigkilled_worker_loses_nothing_and_applies_nothing_twice(
    chaos_ward: tuple[Ward, dict[str, str]],
) -> None:
    ward, env = chaos_ward
    applied = _track_applied_writes(ward)
    rng = random.Random(1126)
    nids = _nids(ward)
    for n in range(KILLS):
        _local_edit(ward, rng, n)
        ward.cs.store.touch(rng.choice(nids), salary_step=rng.randint(1, 12))
        log = Path(env["CADRE_VAR_DIR"]) / f"worker-{n}.log"
        with log.open("wb") as err:
            worker = subprocess.Popen(
                [sys.executable, "-m", "tests.chaos.worker"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
            time.sleep(rng.uniform(1.2, 2.8))  # past start-up, somewhere inside the jobs
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        assert worker.returncode == -signal.SIGKILL, log.read_text(errors="replace")[-2000:]
        _cursor_not_ahead(ward, nids)
    with ward.rt.sessions() as session:
        by_workers = session.scalar(
            sa.select(sa.func.count()).select_from(SyncRun).where(SyncRun.runner != runner_id())
        )
        interrupted = session.scalar(
            sa.select(sa.func.count()).select_from(SyncRun).where(SyncRun.finished_at.is_(None))
        )
    # Most kills must land after start-up (a slow machine may lose a few to imports).
    assert by_workers and by_workers >= KILLS // 2, "the workers were killed before working"
    assert interrupted, "no kill landed inside a run"
    time.sleep(1.1)  # leases held by the last killed worker run out
    for sim in (ward.pop, ward.cs):
        sim.knobs.error_rate = sim.knobs.rate_429 = 0.0
    for job in ("civil-service-pull", "civil-service-push", "civil-service-pull"):
        run = run_job(ward.rt, job)
        assert run is not None and run.status == "ok", run.errors if run else None
    _agree_with_civil_service(ward)
    assert len(applied) == len(set(applied)), "a payload was applied twice"
    with ward.rt.sessions() as session:
        left = session.scalar(
            sa.select(sa.func.count()).select_from(OutboxItem).where(OutboxItem.status != "done")
        )
        assert left == 0
