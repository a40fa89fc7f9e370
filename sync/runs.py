"""The job wrapper: one run at a time (lock), one run per scheduled period (unique row),
every run recorded from the moment it starts to the moment it ends.

A run's row is written ``running`` before the body starts and rewritten once at the end:
``ok`` (all work done), ``partial`` (stopped with work left: the body called
``JobRun.stop_partial`` or ``JobRun.error``, or left work with ``JobRun.leave``), ``failed``
(the body raised). A row still ``running`` when the next run of the same job holds the lock
belongs to a process that died: that run marks it ``abandoned``. The end is recorded in a
session of its own, so a body that died of its database (``database is locked``) is still
recorded, and counted in ``/metrics`` even when the database refuses the record too.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pydantic
import sqlalchemy as sa
import structlog
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from registry.dates import utcnow
from registry.metrics import SYNC_FAILURES, SYNC_ITEMS, SYNC_LEFT, SYNC_RUNS
from registry.runtime import Runtime
from sync.locks import job_lock
from sync.models import SyncRun

log = structlog.get_logger("sync.runs")

RUNNING, OK, PARTIAL, FAILED, ABANDONED = "running", "ok", "partial", "failed", "abandoned"
STATUSES = (RUNNING, OK, PARTIAL, FAILED, ABANDONED)
_RECORD_ATTEMPTS = 3


@dataclass
class JobRun:
    """What a job body receives: the runtime, its run's id (the owner of what it leases),
    and where to count what it did and say what it left undone."""

    rt: Runtime
    job: str
    run_id: uuid.UUID = field(default_factory=uuid.uuid4)
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    left: dict[str, int] = field(default_factory=dict)
    stopped: bool = False

    def error(self, message: str) -> None:
        """An error the body handled: the run goes on or stops, but it ends ``partial``."""
        # Messages are built by our code from codes and ids, never from payload values.
        self.errors.append(message[:300])
        self.counts["errors"] += 1

    def stop_partial(self, reason: str) -> None:
        """The body stops with work left (breaker open, deadline, batch limit)."""
        self.errors.append(f"stopped: {reason}"[:300])
        self.stopped = True

    def leave(self, kind: str, count: int) -> None:
        """``count`` items of ``kind`` are still to do when the body returns (0 clears it)."""
        if count > 0:
            self.left[kind] = count
        else:
            self.left.pop(kind, None)

    @property
    def status(self) -> str:
        return PARTIAL if self.stopped or self.errors or self.left else OK


JobBody = Callable[[JobRun], None]
JOBS: dict[str, JobBody] = {}


def job(name: str) -> Callable[[JobBody], JobBody]:
    def register(body: JobBody) -> JobBody:
        JOBS[name] = body
        return body

    return register


def runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def describe(exc: BaseException) -> str:
    """An exception as a run records it: its type and a message that carries no values
    (a driver error without its SQL and parameters, a validation error by location)."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        first = str(exc.orig).splitlines()[0] if str(exc.orig) else ""
        return f"{type(exc).__name__}: {first[:200]}"
    if isinstance(exc, pydantic.ValidationError):
        where = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        return f"ValidationError: {', '.join(where)[:200]}"
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first[:200]}"


def run_job(rt: Runtime, name: str, *, period: str | None = None) -> SyncRun | None:
    """Run ``name`` now unless another process is running it or already ran this period.

    Returns the recorded run, or None when it did not run. A start the database refuses
    is counted as ``failed`` and raised."""
    body = JOBS[name]
    with job_lock(rt.engine, name) as got:
        if not got:
            log.info("sync.run.skipped", job=name, why="running elsewhere", period=period)
            return None
        state = JobRun(rt=rt, job=name)
        with structlog.contextvars.bound_contextvars(job=name, run_id=str(state.run_id)):
            if not _start(rt, state, period):
                return None
            return _finish(rt, state, _run_body(body, state), period)


def _start(rt: Runtime, state: JobRun, period: str | None) -> bool:
    """Write the run's row and mark the job's unfinished runs abandoned (we hold the lock,
    so their processes are gone), in one transaction; False when the period already ran."""
    try:
        with rt.sessions.begin() as session:
            session.add(
                SyncRun(
                    id=state.run_id,
                    job=state.job,
                    period=period,
                    runner=runner_id(),
                    started_at=utcnow(),
                    status=RUNNING,
                )
            )
            session.flush()
            dead = list(
                session.scalars(
                    sa.select(SyncRun).where(
                        SyncRun.job == state.job,
                        SyncRun.status == RUNNING,
                        SyncRun.id != state.run_id,
                    )
                )
            )
            for old in dead:
                old.status = ABANDONED
                note = f"abandoned: still running when run {state.run_id} took the lock"
                old.errors = [*old.errors, note][:100]
    except IntegrityError:
        log.info("sync.run.skipped", why="period already run", period=period)
        return False
    except SQLAlchemyError as exc:
        SYNC_RUNS.labels(job=state.job, status=FAILED).inc()
        SYNC_FAILURES.labels(job=state.job).inc()
        log.error("sync.run.not_started", error=describe(exc))
        raise
    for old in dead:
        SYNC_RUNS.labels(job=state.job, status=ABANDONED).inc()
        log.warning(
            "sync.run.abandoned", abandoned_run=str(old.id), runner=old.runner, period=old.period
        )
    return True


def _run_body(body: JobBody, state: JobRun) -> str:
    try:
        body(state)
    except Exception as exc:  # recorded on the run; the scheduler carries on
        state.error(describe(exc))
        log.error("sync.run.failed", exc_type=type(exc).__name__)
        return FAILED
    except BaseException as exc:  # interrupted: recorded, then let it end the process
        state.error(describe(exc))
        _finish(state.rt, state, FAILED, None)
        raise
    return state.status


def _finish(rt: Runtime, state: JobRun, status: str, period: str | None) -> SyncRun:
    counts: dict[str, object] = dict(state.counts)
    if state.left:
        counts["left"] = dict(state.left)
    finished = utcnow()
    stored: SyncRun | None = None
    for attempt in range(1, _RECORD_ATTEMPTS + 1):
        try:
            with rt.sessions.begin() as session:  # a session of its own: the body's may be dead
                stored = session.get(SyncRun, state.run_id)
                assert stored is not None
                stored.finished_at, stored.status = finished, status
                stored.counts, stored.errors = counts, state.errors[:100]
            break
        except SQLAlchemyError as exc:
            stored = None
            log.error("sync.run.record_failed", attempt=attempt, error=describe(exc))
    _count(state, status)
    log.info("sync.run.finished", status=status, recorded=stored is not None, **dict(state.counts))
    if stored is not None:
        return stored
    # Unrecorded: the row stays ``running`` and the next run marks it abandoned.
    return SyncRun(
        id=state.run_id,
        job=state.job,
        period=period,
        runner=runner_id(),
        status=status,
        finished_at=finished,
        counts=counts,
        errors=state.errors[:100],
    )


def _count(state: JobRun, status: str) -> None:
    SYNC_RUNS.labels(job=state.job, status=status).inc()
    for outcome, count in state.counts.items():
        SYNC_ITEMS.labels(job=state.job, outcome=outcome).inc(count)
    if state.errors:
        SYNC_FAILURES.labels(job=state.job).inc(len(state.errors))
    for kind in {*state.left, *_LEFT_SEEN.get(state.job, set())}:
        SYNC_LEFT.labels(job=state.job, kind=kind).set(state.left.get(kind, 0))
    _LEFT_SEEN.setdefault(state.job, set()).update(state.left)


# Kinds of work each job has left before, so a kind now done is set back to 0.
_LEFT_SEEN: dict[str, set[str]] = {}


def last_runs(
    session: Session, jobs: list[str]
) -> dict[str, tuple[SyncRun | None, SyncRun | None]]:
    """Per job: its latest run and its latest ``ok`` run (None where there is none)."""
    out: dict[str, tuple[SyncRun | None, SyncRun | None]] = {}
    for name in jobs:
        latest = session.scalar(
            sa.select(SyncRun)
            .where(SyncRun.job == name)
            .order_by(SyncRun.started_at.desc())
            .limit(1)
        )
        ok = session.scalar(
            sa.select(SyncRun)
            .where(SyncRun.job == name, SyncRun.status == OK)
            .order_by(SyncRun.started_at.desc())
            .limit(1)
        )
        out[name] = (latest, ok)
    return out
