"""Counts behind the dashboard and the monthly report, each scoped to the caller."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.principal import Principal
from registry.access.scope import visible
from registry.alerts.models import Alert
from registry.assignments.models import Assignment
from registry.evaluations.models import Evaluation
from registry.history import RecordVersion
from registry.org_units.models import OrgUnit
from registry.persons.models import Person
from registry.positions.models import Position

UNRESOLVED = ("open", "acknowledged")


def _pairs(session: Session, stmt: sa.Select[Any]) -> list[tuple[str, int]]:
    return [(str(k), int(n)) for k, n in session.execute(stmt)]


def open_by_rule(session: Session, who: Principal) -> list[tuple[str, int]]:
    n = sa.func.count(Alert.id)
    stmt = sa.select(Alert.rule, n).where(Alert.status.in_(UNRESOLVED)).group_by(Alert.rule)
    return _pairs(session, visible(stmt, Alert, who).order_by(n.desc(), Alert.rule))


def active_by_rule_and_status(session: Session, who: Principal) -> dict[str, Counter[str]]:
    stmt = visible(
        sa.select(Alert.rule, Alert.status, sa.func.count(Alert.id))
        .where(Alert.status.in_(("open", "acknowledged", "waived")))
        .group_by(Alert.rule, Alert.status),
        Alert,
        who,
    )
    out: dict[str, Counter[str]] = {}
    for rule, status, n in session.execute(stmt):
        out.setdefault(rule, Counter())[status] = n
    return dict(sorted(out.items()))


def open_by_org(session: Session, who: Principal) -> list[tuple[str, int]]:
    n = sa.func.count(Alert.id)
    stmt = (
        sa.select(OrgUnit.code, n)
        .join(OrgUnit, OrgUnit.id == Alert.org_unit_id)
        .where(Alert.status.in_(UNRESOLVED))
        .group_by(OrgUnit.code)
    )
    return _pairs(session, visible(stmt, Alert, who).order_by(n.desc(), OrgUnit.code))


def months_back(last: dt.date, count: int) -> list[str]:
    year, month = last.year, last.month
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def new_alerts_by_month(
    session: Session, who: Principal, *, last: dt.date, count: int = 12
) -> list[tuple[str, int]]:
    months = months_back(last, count)
    start = dt.datetime.fromisoformat(months[0] + "-01").replace(tzinfo=dt.UTC)
    stmt = visible(sa.select(Alert.first_seen_at).where(Alert.first_seen_at >= start), Alert, who)
    # Grouped here rather than in SQL: month extraction differs between the two backends.
    seen = Counter(t.strftime("%Y-%m") for t in session.scalars(stmt))
    return [(m, seen[m]) for m in months]


@dataclass(frozen=True)
class Vacancy:
    org_code: str
    title: str
    headcount: int
    holders: int

    @property
    def vacant(self) -> int:
        return max(self.headcount - self.holders, 0)


def vacancies(session: Session, who: Principal, *, on: dt.date) -> list[Vacancy]:
    held = (
        sa.select(Assignment.position_id, sa.func.count(Assignment.id).label("n"))
        .where(
            Assignment.retired_at.is_(None),
            Assignment.valid_from <= on,
            sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to >= on),
        )
        .group_by(Assignment.position_id)
        .subquery()
    )
    stmt = (
        sa.select(OrgUnit.code, Position.title, Position.headcount, held.c.n)
        .join(OrgUnit, OrgUnit.id == Position.org_unit_id)
        .outerjoin(held, held.c.position_id == Position.id)
        .where(Position.retired_at.is_(None))
    )
    stmt = visible(stmt, Position, who).order_by(OrgUnit.code, Position.title)
    found = [Vacancy(c, t, h, n or 0) for c, t, h, n in session.execute(stmt)]
    return [v for v in found if v.vacant > 0]


def vacancies_by_org(session: Session, who: Principal, *, on: dt.date) -> list[tuple[str, int]]:
    totals: Counter[str] = Counter()
    for v in vacancies(session, who, on=on):
        totals[v.org_code] += v.vacant
    return sorted(totals.items())


def headcount_by_org(session: Session, who: Principal) -> list[tuple[str, str, int]]:
    n = sa.func.count(Person.id)
    stmt = (
        sa.select(OrgUnit.code, OrgUnit.name, n)
        .outerjoin(Person, sa.and_(Person.org_unit_id == OrgUnit.id, Person.retired_at.is_(None)))
        .where(OrgUnit.retired_at.is_(None))
        .group_by(OrgUnit.code, OrgUnit.name)
    )
    stmt = visible(stmt, OrgUnit, who).order_by(OrgUnit.code)
    return [(c, name, int(k)) for c, name, k in session.execute(stmt)]


def changes_between(
    session: Session, start: dt.datetime, end: dt.datetime
) -> list[tuple[str, str, int]]:
    """Recorded versions per table and operation (registry-wide: history has no org scope)."""
    n = sa.func.count(RecordVersion.seq)
    stmt = (
        sa.select(RecordVersion.table_name, RecordVersion.op, n)
        .where(RecordVersion.recorded_at >= start, RecordVersion.recorded_at < end)
        .group_by(RecordVersion.table_name, RecordVersion.op)
        .order_by(RecordVersion.table_name, RecordVersion.op)
    )
    return [(t, op, int(k)) for t, op, k in session.execute(stmt)]


def classifications(session: Session, who: Principal, *, year: int) -> list[tuple[str, str, int]]:
    """Current evaluations of periods in ``year`` by period kind and classification."""
    n = sa.func.count(Evaluation.id)
    stmt = (
        sa.select(Evaluation.period_kind, Evaluation.classification, n)
        .where(Evaluation.retired_at.is_(None), Evaluation.period.startswith(str(year)))
        .group_by(Evaluation.period_kind, Evaluation.classification)
    )
    stmt = visible(stmt, Evaluation, who).order_by(
        Evaluation.period_kind, Evaluation.classification
    )
    return [(k, c, int(x)) for k, c, x in session.execute(stmt)]
