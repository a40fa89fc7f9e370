"""``civil-service-push`` killed with SIGKILL at random points, again and again, while officials
change: right after the last kill one clean run pushes every change, exactly once, without
waiting for any lease to expire (leases last five minutes here).

CADRE_CHAOS_KILLS sets the number of kills (20 by default; more for a longer run).
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

import sync.jobs  # noqa: F401 - registers the jobs
from adapters.civil_service.wire import Official
from registry.persons.models import Person
from registry.persons.service import decrypt_field
from sync.models import OutboxItem, SyncRun
from sync.official import build_push, owned_digest, push_digest
from sync.runs import run_job, runner_id
from tests.chaos.test_kill_worker import (
    KILLS,
    ROOT,
    _local_edit,
    _track_applied_writes,
    chaos_ward,  # noqa: F401 - the fixture
)
from tests.sync.conftest import Ward

LEASE_SECONDS = 300


def _pushed_content_agrees(ward: Ward) -> None:
    with ward.rt.sessions() as session:
        ctx = ward.rt.system_ctx(session, reason="compare")
        for p in ward.officials:
            person = session.get(Person, p.id)
            assert person is not None
            nid = decrypt_field(ctx, person, "nid")
            assert nid is not None
            theirs = owned_digest(
                Official.model_validate(ward.cs.store.officials[nid]).model_dump(
                    mode="json", by_alias=True
                )
            )
            ours = push_digest(build_push(session, ctx, person, agency="H31.11311"))
            assert theirs == ours, f"a change to {p.id} was not pushed"


def test_killed_pushes_then_one_clean_run_pushes_every_change_once(
    chaos_ward: tuple[Ward, dict[str, str]],  # noqa: F811 - the fixture imported above
) -> None:
    ward, env = chaos_ward
    env = {**env, "CADRE_SYNC_LEASE_SECONDS": str(LEASE_SECONDS)}
    ward.rt.settings.sync_lease_seconds = LEASE_SECONDS
    # No transient faults: a backed-off item rightly waits, and this is about leases. Slow
    # answers make the kills land between a write there and its outcome here.
    ward.cs.knobs.error_rate = ward.cs.knobs.rate_429 = 0.0
    ward.cs.knobs.latency = 0.03
    applied = _track_applied_writes(ward)
    rng = random.Random(1202)
    edits = 0
    for n in range(KILLS):
        for _ in range(rng.randint(2, 6)):
            _local_edit(ward, rng, edits)
            edits += 1
        log = Path(env["CADRE_VAR_DIR"]) / f"push-worker-{n}.log"
        with log.open("wb") as err:
            worker = subprocess.Popen(
                [sys.executable, "-m", "tests.chaos.worker", "civil-service-push"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
            time.sleep(rng.uniform(1.2, 2.8))  # past start-up, somewhere inside a run
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        assert worker.returncode == -signal.SIGKILL, log.read_text(errors="replace")[-2000:]
    with ward.rt.sessions() as session:
        runs = session.execute(
            sa.select(SyncRun.status, sa.func.count())
            .where(SyncRun.job == "civil-service-push", SyncRun.runner != runner_id())
            .group_by(SyncRun.status)
        ).all()
    by_status = dict(runs)
    # Most kills must land after start-up (a slow machine may lose a few to imports).
    assert sum(by_status.values()) >= KILLS // 2, "the workers were killed before working"
    assert by_status.get("running", 0) + by_status.get("abandoned", 0), "no kill landed in a run"
    ward.cs.knobs.latency = 0.0
    clean = run_job(ward.rt, "civil-service-push")  # at once: no lease has run out
    assert clean is not None and clean.status == "ok", (clean.status, clean.errors, clean.counts)
    with ward.rt.sessions() as session:
        left = session.scalar(
            sa.select(sa.func.count()).select_from(OutboxItem).where(OutboxItem.status != "done")
        )
        abandoned = session.scalar(
            sa.select(sa.func.count())
            .select_from(SyncRun)
            .where(SyncRun.job == "civil-service-push", SyncRun.status == "abandoned")
        )
    assert left == 0, f"{left} items were not pushed"
    assert abandoned, "no killed run was found unfinished"
    _pushed_content_agrees(ward)
    assert len(applied) == len(set(applied)), "a payload was applied twice"
