"""What ``cadre sync status`` reports, per external system (walking ``sync.systems``) and for
the registry's own jobs: each job's latest run and last ``ok`` run, the outbox by state,
conflicts open, refused answers kept, and the contract drift recorded (``sync.drift``).

Counts only: no person, no value. Reads the database, so it answers for every process."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry import catalogue
from sync import drift, outbox, systems
from sync.models import Conflict, Quarantined
from sync.runs import last_runs

REGISTRY_JOBS = "registry"  # the heading of the registry's own jobs


@dataclass(frozen=True)
class JobStatus:
    job: str
    latest_status: str | None
    latest_started_at: dt.datetime | None
    last_ok_at: dt.datetime | None  # when the last ``ok`` run finished


@dataclass(frozen=True)
class SystemStatus:
    name: str
    jobs: tuple[JobStatus, ...]
    external: bool = True  # False for the registry's own jobs
    outbox: dict[str, int] = field(default_factory=dict)
    conflicts_open: int = 0
    refused_answers: int = 0
    contract_drift: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "system": self.name,
            "jobs": [
                {
                    "job": j.job,
                    "latest_status": j.latest_status,
                    "latest_started_at": _iso(j.latest_started_at),
                    "last_ok_at": _iso(j.last_ok_at),
                }
                for j in self.jobs
            ],
            "outbox": self.outbox,
            "conflicts_open": self.conflicts_open,
            "refused_answers": self.refused_answers,
            "contract_drift": self.contract_drift,
        }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def contract_drift(session: Session, system: str) -> dict[str, int]:
    """Unknown answer fields recorded for ``system`` (field path → times seen)."""
    return drift.fields_seen(session, system)


def _jobs(session: Session, names: list[str]) -> tuple[JobStatus, ...]:
    found = last_runs(session, names)
    out = []
    for name in names:
        latest, ok = found[name]
        out.append(
            JobStatus(
                job=name,
                latest_status=latest.status if latest else None,
                latest_started_at=latest.started_at if latest else None,
                last_ok_at=ok.finished_at if ok else None,
            )
        )
    return tuple(out)


def _count(session: Session, stmt: sa.Select[Any]) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0)


def system_status(session: Session) -> list[SystemStatus]:
    out = [
        SystemStatus(
            name=REGISTRY_JOBS,
            jobs=_jobs(session, [s.job for s in systems.INTERNAL_JOBS]),
            external=False,
        )
    ]
    for system in systems.SYSTEMS:
        name = system.name
        out.append(
            SystemStatus(
                name=name,
                jobs=_jobs(session, [s.job for s in system.jobs]),
                # a system we push to (the catalogue says which) has an outbox
                outbox=outbox.state_counts(session, name) if catalogue.pushed_tables(name) else {},
                conflicts_open=_count(
                    session,
                    sa.select(Conflict.id).where(
                        Conflict.system == name, Conflict.status == "open"
                    ),
                ),
                refused_answers=_count(
                    session, sa.select(Quarantined.id).where(Quarantined.system == name)
                ),
                contract_drift=contract_drift(session, name),
            )
        )
    return out
