"""At most one run of a job at a time across every process.

PostgreSQL: a session-level advisory lock keyed by the job name, held on a dedicated
connection for the run (released by the server if the process dies). SQLite: the embedded
default runs one process, so an in-process lock is the whole story.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

_LOCAL: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


def lock_key(job: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"cadre.job.{job}".encode()).digest()[:8], "big", signed=True
    )


@contextmanager
def job_lock(engine: Engine, job: str) -> Iterator[bool]:
    """Yield True when this process holds the job's lock, False when another run has it."""
    if engine.dialect.name != "postgresql":
        with _GUARD:
            lock = _LOCAL.setdefault(job, threading.Lock())
        got = lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                lock.release()
        return
    with engine.connect() as conn:
        got = bool(
            conn.exec_driver_sql(
                "SELECT pg_try_advisory_lock(%(k)s)", {"k": lock_key(job)}
            ).scalar()
        )
        try:
            yield got
        finally:
            if got:
                conn.exec_driver_sql("SELECT pg_advisory_unlock(%(k)s)", {"k": lock_key(job)})
            conn.rollback()
