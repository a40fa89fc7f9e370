"""Contract drift, kept: every field an external system's answers carry that its contract
does not list, once per system, with when it was first seen and how often since.

The adapters accept such answers and report the field paths (never values) to a
``DriftObserver``; ``DriftRecorder`` is the one the jobs' clients get (``sync.clients``). A
sighting is counted in ``/metrics`` at once; the rows are written when the client is closed
(the end of a job run), in a transaction of their own, so a sighting never takes a lock
inside a job's transaction. The first time a (system, path) is stored, a warning is logged;
later sightings only add to its count. ``cadre sync status`` lists them (``fields_seen``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
import structlog
from prometheus_client import Counter as Metric
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from registry.dates import utcnow
from registry.db import Base
from registry.metrics import REGISTRY

log = structlog.get_logger("sync.drift")

DRIFT_SIGHTINGS = Metric(
    "cadre_sync_contract_drift_sightings_total",
    "Fields an external system sent that its contract does not list, per answer seen",
    ["system"],
    registry=REGISTRY,
)
DRIFT_FIELDS = Metric(
    "cadre_sync_contract_drift_fields_total",
    "Fields not in an external system's contract, counted when first recorded",
    ["system"],
    registry=REGISTRY,
)
_ATTEMPTS = 2  # a concurrent first insert of the same field loses once, then updates


class ContractDrift(Base):
    """One field path (``operation:dotted.path``, lists as ``[]``) an external system sent
    outside its contract. Operational machinery: holds no personal data, is not versioned."""

    __tablename__ = "sync_contract_drift"

    system: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    path: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    count: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class DriftRecorder:
    """A ``DriftObserver`` (``adapters.drift``) that counts sightings and stores them on
    ``flush``. Thread-safe; what a failed flush could not store is kept for the next one."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._lock = threading.Lock()
        self._pending: Counter[tuple[str, str]] = Counter()

    def saw(self, system: str, paths: Sequence[str]) -> None:
        with self._lock:
            for path in paths:
                self._pending[(system, path)] += 1
        DRIFT_SIGHTINGS.labels(system=system).inc(len(paths))

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, Counter()
        if not pending:
            return
        for _attempt in range(_ATTEMPTS):
            try:
                new = _store(self._sessions, pending)
                break
            except IntegrityError:
                continue
            except SQLAlchemyError as exc:
                log.error("sync.contract_drift.not_recorded", error=type(exc).__name__)
                new = None
                break
        else:
            new = None
        if new is None:
            with self._lock:
                self._pending.update(pending)
            return
        for system, path in new:
            DRIFT_FIELDS.labels(system=system).inc()
            log.warning("sync.contract_drift.new_field", system=system, field=path)


def _store(
    sessions: sessionmaker[Session], pending: Counter[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Add ``pending`` to the stored counts; the (system, path) pairs stored for the first
    time, in order."""
    now = utcnow()
    new: list[tuple[str, str]] = []
    with sessions.begin() as session:
        for (system, path), seen in sorted(pending.items()):
            row = session.get(ContractDrift, (system, path))
            if row is None:
                session.add(
                    ContractDrift(
                        system=system, path=path, first_seen_at=now, last_seen_at=now, count=seen
                    )
                )
                new.append((system, path))
            else:
                row.count += seen
                row.last_seen_at = now
    return new


def drift_rows(session: Session, system: str | None = None) -> list[ContractDrift]:
    """The recorded drift, per system then path (for ``cadre sync status``)."""
    stmt = sa.select(ContractDrift).order_by(ContractDrift.system, ContractDrift.path)
    if system is not None:
        stmt = stmt.where(ContractDrift.system == system)
    return list(session.scalars(stmt))


def fields_seen(session: Session, system: str) -> dict[str, int]:
    """Field path → times seen, for one system (what ``cadre sync status`` prints)."""
    rows = session.execute(
        sa.select(ContractDrift.path, ContractDrift.count).where(ContractDrift.system == system)
    )
    return dict(rows.tuples().all())
