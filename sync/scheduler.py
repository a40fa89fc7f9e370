"""APScheduler inside ``cadre serve`` and in ``cadre worker``.

Every process may start a scheduler; the job lock and the one-row-per-period claim in
``sync.runs`` make each job run once per period across all of them. Intervals are aligned to
a fixed epoch so every process computes the same period for the same firing.
"""

from __future__ import annotations

import datetime as dt

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from registry.dates import LOCAL
from registry.runtime import Runtime
from sync import systems
from sync.runs import JOBS, run_job

log = structlog.get_logger("sync.scheduler")
# The two-level local government's first day, at midnight in Vietnam: daily jobs fire at
# local midnight, whatever the server's clock zone.
EPOCH = dt.datetime(2025, 7, 1, tzinfo=LOCAL)

# Every job's interval, from the declarations in ``sync.systems``.
DEFAULT_INTERVALS: dict[str, int] = systems.intervals()


def period_of(now: dt.datetime, seconds: int) -> str:
    index = int((now - EPOCH).total_seconds()) // seconds
    return (EPOCH + dt.timedelta(seconds=index * seconds)).isoformat()


def _fire(rt: Runtime, name: str, seconds: int) -> None:
    period = period_of(dt.datetime.now(dt.UTC), seconds)
    try:
        run_job(rt, name, period=period)
    except SQLAlchemyError:
        # The run could not be recorded as started (counted as failed in /metrics and logged
        # by ``run_job``); the next period tries again.
        log.warning("sync.scheduler.fire_failed", job=name, period=period)


def build_scheduler(
    rt: Runtime, intervals: dict[str, int] | None = None, *, grace_seconds: int = 120
) -> BackgroundScheduler:
    """Schedule every registered job; ``intervals`` (``CADRE_SYNC_INTERVALS``) override the
    defaults job by job, and a job given 0 seconds is not scheduled."""
    scheduler = BackgroundScheduler(timezone=dt.UTC)
    for name, seconds in {**DEFAULT_INTERVALS, **(intervals or {})}.items():
        if name not in JOBS or seconds <= 0:
            continue
        scheduler.add_job(
            _fire,
            IntervalTrigger(seconds=seconds, start_date=EPOCH, timezone=dt.UTC),
            args=(rt, name, seconds),
            id=name,
            name=name,
            # A run late by less than the grace time still happens; late runs that piled up
            # while the process was down collapse into one; never two of the same at once.
            misfire_grace_time=grace_seconds,
            coalesce=True,
            max_instances=1,
        )
    return scheduler
