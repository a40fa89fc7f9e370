"""Checks of party organisation that concern a cell, not a post: the six-monthly
reconciliation of a cell's registers with the members' files (Guidance 01-HD/TW). A party cell
or committee with current members whose last reconciliation is older than the period (a rule
parameter) is overdue; one never reconciled is overdue once its earliest current member was
admitted longer ago than the period (a cell formed last month is not yet late). Shown by
``cadre standards party-checks``, and judged by the standards engine
(``register_reconciliation_overdue``, subject the org unit)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.org_units.models import OrgUnit
from registry.party.models import PartyMembership, PartyRegisterReconciliation
from registry.party.rules import CURRENT
from registry.standards import parameters
from registry.standards.inputs import add_months, months_before

PARTY_UNITS = ("party_cell", "party_committee")


@dataclass(frozen=True)
class ReconciliationOverdue:
    org_unit_id: uuid.UUID
    code: str
    name: str
    members: int
    last_reconciled_on: dt.date | None
    months: int
    due_on: dt.date  # the last reconciliation (or the earliest admission) plus the period
    last_id: uuid.UUID | None = None  # the last reconciliation's record


def reconciliation_overdue(session: Session, *, on: dt.date) -> list[ReconciliationOverdue]:
    months = parameters.in_force(session, on).number("party.register_reconciliation_months")
    r, m = PartyRegisterReconciliation, PartyMembership
    done = sa.and_(r.org_unit_id == OrgUnit.id, r.retired_at.is_(None), r.reconciled_on <= on)
    last = sa.select(sa.func.max(r.reconciled_on)).where(done).scalar_subquery()
    last_id = (
        sa.select(r.id)
        .where(done)
        .order_by(r.reconciled_on.desc(), r.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    current = sa.and_(
        m.party_cell_id == OrgUnit.id,
        m.status.in_(sorted(CURRENT)),
        m.retired_at.is_(None),
        m.admitted_on <= on,
    )
    members = sa.select(sa.func.count()).where(current).scalar_subquery()
    earliest = sa.select(sa.func.min(m.admitted_on)).where(current).scalar_subquery()
    stmt = (
        sa.select(
            OrgUnit.id,
            OrgUnit.code,
            OrgUnit.name,
            members.label("n"),
            last.label("last"),
            last_id.label("last_id"),
            earliest.label("earliest"),
        )
        .where(OrgUnit.retired_at.is_(None), OrgUnit.kind.in_(PARTY_UNITS))
        .order_by(OrgUnit.code)
    )
    limit = months_before(on, months)
    out = []
    for row in session.execute(stmt):
        start = row.earliest if row.last is None else row.last
        if row.n and start is not None and start < limit:
            out.append(
                ReconciliationOverdue(
                    row.id,
                    row.code,
                    row.name,
                    row.n,
                    row.last,
                    months,
                    add_months(start, months),
                    row.last_id if row.last is not None else None,
                )
            )
    return out
