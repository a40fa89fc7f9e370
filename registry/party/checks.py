"""Checks of party organisation that concern a cell, not a post: the six-monthly
reconciliation of a cell's registers with the members' files (Guidance 01-HD/TW). A cell with
current members whose last reconciliation is older than the period (a rule parameter) — or
that was never reconciled — is overdue. Shown by ``cadre standards party-checks``."""

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
from registry.standards.inputs import months_before


@dataclass(frozen=True)
class ReconciliationOverdue:
    org_unit_id: uuid.UUID
    code: str
    name: str
    members: int
    last_reconciled_on: dt.date | None
    months: int


def reconciliation_overdue(session: Session, *, on: dt.date) -> list[ReconciliationOverdue]:
    months = parameters.in_force(session, on).number("party.register_reconciliation_months")
    r, m = PartyRegisterReconciliation, PartyMembership
    last = (
        sa.select(sa.func.max(r.reconciled_on))
        .where(r.org_unit_id == OrgUnit.id, r.retired_at.is_(None), r.reconciled_on <= on)
        .scalar_subquery()
    )
    members = (
        sa.select(sa.func.count())
        .where(m.party_cell_id == OrgUnit.id, m.status.in_(sorted(CURRENT)), m.retired_at.is_(None))
        .scalar_subquery()
    )
    stmt = (
        sa.select(OrgUnit.id, OrgUnit.code, OrgUnit.name, members.label("n"), last.label("last"))
        .where(OrgUnit.retired_at.is_(None), OrgUnit.kind.in_(("party_cell", "party_committee")))
        .order_by(OrgUnit.code)
    )
    limit = months_before(on, months)
    return [
        ReconciliationOverdue(row.id, row.code, row.name, row.n, row.last, months)
        for row in session.execute(stmt)
        if row.n and (row.last is None or row.last < limit)
    ]
