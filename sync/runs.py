"""The job wrapper: one run at a time (lock), one run per scheduled period (unique row),
every run recorded with start, end, counts and errors."""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog
from sqlalchemy.exc import IntegrityError

from registry.dates import utcnow
from registry.metrics import SYNC_FAILURES, SYNC_ITEMS, SYNC_RUNS
from registry.runtime import Runtime
from sync.locks import job_lock
from sync.models import SyncRun

log = structlog.get_logger("sync.runs")


@dataclass
class JobRun:
    """What a job body receives: the runtime, and where to count what it did."""

    rt: Runtime
    job: str
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        # Messages are built by our code from codes and ids, never from payload values.
        self.errors.append(message[:300])
        self.counts["errors"] += 1


JobBody = Callable[[JobRun], None]
JOBS: dict[str, JobBody] = {}


def job(name: str) -> Callable[[JobBody], JobBody]:
    def register(body: JobBody) -> JobBody:
        JOBS[name] = body
        return body

    return register


def runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_job(rt: Runtime, name: str, *, period: str | None = None) -> SyncRun | None:
    """Run ``name`` now unless another process is running it or already ran this period."""
    body = JOBS[name]
    with job_lock(rt.engine, name) as got:
        if not got:
            log.info("sync.run.skipped", job=name, why="running elsewhere", period=period)
            return None
        run = SyncRun(job=name, period=period, runner=runner_id(), started_at=utcnow())
        try:
            with rt.sessions.begin() as session:
                session.add(run)
        except IntegrityError:
            log.info("sync.run.skipped", job=name, why="period already run", period=period)
            return None
        state = JobRun(rt=rt, job=name)
        status = "ok"
        try:
            body(state)
        except Exception as exc:  # recorded on the run; the scheduler carries on
            status = "failed"
            state.error(f"{type(exc).__name__}: {str(exc)[:200]}")
            log.error("sync.run.failed", job=name, exc_type=type(exc).__name__)
        with rt.sessions.begin() as session:
            stored = session.get(SyncRun, run.id)
            assert stored is not None
            stored.finished_at = utcnow()
            stored.status = "ok" if status == "ok" and not state.errors else status
            stored.counts = dict(state.counts)
            stored.errors = state.errors[:100]
        SYNC_RUNS.labels(job=name, status=stored.status).inc()
        for outcome, count in state.counts.items():
            SYNC_ITEMS.labels(job=name, outcome=outcome).inc(count)
        if state.errors:
            SYNC_FAILURES.labels(job=name).inc(len(state.errors))
        log.info("sync.run.finished", job=name, status=stored.status, **dict(state.counts))
        return stored
