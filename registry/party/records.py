"""Services of the party records beyond membership: committee seats, probation, transfers,
dues, register reconciliations. Each checks its references and dates; the edge commits and
the history keeps every version."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.scope import in_scope, require_org_writable, require_person_writable
from registry.context import Ctx
from registry.dates import today
from registry.errors import Conflict, Invalid
from registry.org_units.models import OrgUnit
from registry.party.models import (
    PartyCommitteeMembership,
    PartyDuesPayment,
    PartyMembership,
    PartyProbation,
    PartyRegisterReconciliation,
    PartyTransferRecord,
)
from registry.records import apply_changes, check_interval, check_not_future
from schemas import party as s

PARTY_UNITS = ("party_cell", "party_committee")


def _party_unit(
    session: Session, ctx: Ctx, unit_id: uuid.UUID | None, field: str, *, ours: bool = True
) -> None:
    """A party cell or committee; ``ours``: one the caller keeps. A unit outside the scope
    answers like an unknown one, so a write can neither land there nor confirm it exists."""
    if unit_id is None:
        return
    unit = session.get(OrgUnit, unit_id)
    if (
        unit is None
        or unit.kind not in PARTY_UNITS
        or (ours and not in_scope(session, OrgUnit, unit_id, ctx.principal))
    ):
        raise Invalid.field(f"body.{field}", "is not a party cell or party committee")


def _membership(session: Session, person_id: uuid.UUID) -> PartyMembership:
    m = session.scalar(sa.select(PartyMembership).where(PartyMembership.person_id == person_id))
    if m is None:
        raise Invalid.field("body.person_id", "has no party membership record")
    return m


def _term(term: str) -> None:
    start, end = (int(x) for x in term.split("-"))
    if end <= start:
        raise Invalid.field("body.term", "must run from an earlier to a later year")


# --- committee membership ------------------------------------------------------------------


def _check_seat(c: PartyCommitteeMembership) -> None:
    check_not_future(c.valid_from, field="valid_from", today=today())
    check_interval(c.valid_from, c.valid_to, start_field="valid_from", end_field="valid_to")
    if c.role == "uy_vien_thuong_vu" and not c.standing_committee:
        raise Invalid.field("body.standing_committee", "a Standing Committee member sits on it")


def create_committee_membership(
    session: Session, ctx: Ctx, data: s.PartyCommitteeMembershipCreate
) -> PartyCommitteeMembership:
    require_person_writable(session, data.person_id, ctx.principal)
    _party_unit(session, ctx, data.committee_id, "committee_id")
    _term(data.term)
    _membership(session, data.person_id)  # a committee seat is a party member's
    c = PartyCommitteeMembership(**data.model_dump())
    _check_seat(c)
    session.add(c)
    session.flush()
    return c


def update_committee_membership(
    session: Session, ctx: Ctx, c: PartyCommitteeMembership, data: Any
) -> None:
    apply_changes(
        c, data.model_dump(exclude_unset=True), required=("valid_from", "standing_committee")
    )
    _check_seat(c)
    session.flush()


# --- probation -------------------------------------------------------------------------------


def _check_probation(p: PartyProbation) -> None:
    now = today()
    check_not_future(p.started_on, field="started_on", today=now)
    check_not_future(p.decided_on, field="decided_on", today=now)
    check_interval(p.started_on, p.decided_on, start_field="started_on", end_field="decided_on")
    if (p.outcome is None) != (p.decided_on is None):
        raise Invalid.field("body.decided_on", "an outcome needs its decision date, and only then")


def create_probation(session: Session, ctx: Ctx, data: s.PartyProbationCreate) -> PartyProbation:
    require_person_writable(session, data.person_id, ctx.principal)
    m = _membership(session, data.person_id)
    if session.scalar(
        sa.select(PartyProbation.id).where(
            PartyProbation.membership_id == m.id, PartyProbation.retired_at.is_(None)
        )
    ):
        raise Conflict("this membership already has a probation record")
    values = data.model_dump()
    values["started_on"] = values["started_on"] or m.admitted_on
    p = PartyProbation(**values, membership_id=m.id)
    _check_probation(p)
    session.add(p)
    session.flush()
    return p


def update_probation(session: Session, ctx: Ctx, p: PartyProbation, data: Any) -> None:
    apply_changes(p, data.model_dump(exclude_unset=True))
    _check_probation(p)
    session.flush()


# --- transfers -------------------------------------------------------------------------------


def _check_transfer(session: Session, ctx: Ctx, t: PartyTransferRecord) -> None:
    now = today()
    for name in ("decided_on", "letter_issued_on", "presented_on"):
        check_not_future(getattr(t, name), field=name, today=now)
    check_interval(
        t.decided_on, t.letter_issued_on, start_field="decided_on", end_field="letter_issued_on"
    )
    check_interval(
        t.letter_issued_on or t.decided_on,
        t.presented_on,
        start_field="letter_issued_on",
        end_field="presented_on",
    )
    if t.from_cell_id is None and t.from_organisation is None:
        raise Invalid.field("body.from_organisation", "say where the member transferred from")
    if t.to_cell_id is None and t.to_organisation is None:
        raise Invalid.field("body.to_organisation", "say where the member transferred to")
    if t.from_cell_id is not None and t.from_cell_id == t.to_cell_id:
        raise Invalid.field("body.to_cell_id", "is the cell the member transferred from")


def create_transfer_record(
    session: Session, ctx: Ctx, data: s.PartyTransferRecordCreate
) -> PartyTransferRecord:
    require_person_writable(session, data.person_id, ctx.principal)
    # Our side of the transfer is a cell the caller keeps; the other may be any party unit
    # of the registry, or one outside it named in text.
    ours = "to_cell_id" if data.direction == "in" else "from_cell_id"
    if getattr(data, ours) is None:
        raise Invalid.field(f"body.{ours}", "is not a party cell or party committee")
    for field in ("from_cell_id", "to_cell_id"):
        _party_unit(session, ctx, getattr(data, field), field, ours=field == ours)
    _membership(session, data.person_id)
    t = PartyTransferRecord(**data.model_dump())
    _check_transfer(session, ctx, t)
    session.add(t)
    session.flush()
    return t


def update_transfer_record(session: Session, ctx: Ctx, t: PartyTransferRecord, data: Any) -> None:
    apply_changes(t, data.model_dump(exclude_unset=True))
    _check_transfer(session, ctx, t)
    session.flush()


# --- dues ------------------------------------------------------------------------------------


def _check_dues(p: PartyDuesPayment) -> None:
    check_not_future(p.paid_on, field="paid_on", today=today())
    if p.amount_vnd == 0 and not p.exempt_reason:
        raise Invalid.field("body.exempt_reason", "a month paid with 0 needs the exemption reason")


def create_dues_payment(
    session: Session, ctx: Ctx, data: s.PartyDuesPaymentCreate
) -> PartyDuesPayment:
    require_person_writable(session, data.person_id, ctx.principal)
    m = _membership(session, data.person_id)
    if data.month < m.admitted_on.strftime("%Y-%m"):
        raise Invalid.field("body.month", "is before the member's admission")
    if data.month > today().strftime("%Y-%m"):
        raise Invalid.field("body.month", "is in the future")
    p = PartyDuesPayment(**data.model_dump())
    _check_dues(p)
    session.add(p)
    session.flush()
    return p


def update_dues_payment(session: Session, ctx: Ctx, p: PartyDuesPayment, data: Any) -> None:
    apply_changes(p, data.model_dump(exclude_unset=True), required=("amount_vnd", "paid_on"))
    _check_dues(p)
    session.flush()


# --- register reconciliation -----------------------------------------------------------------


def _period_end(period: str) -> dt.date:
    year, half = int(period[:4]), period[-1]
    return dt.date(year, 6, 30) if half == "1" else dt.date(year, 12, 31)


def _check_reconciliation(r: PartyRegisterReconciliation) -> None:
    check_not_future(r.reconciled_on, field="reconciled_on", today=today())
    start = _period_end(r.period).replace(day=1, month=1 if r.period.endswith("1") else 7)
    if r.reconciled_on < start:
        raise Invalid.field("body.reconciled_on", f"is before the period {r.period} began")


def create_reconciliation(
    session: Session, ctx: Ctx, data: s.PartyRegisterReconciliationCreate
) -> PartyRegisterReconciliation:
    require_org_writable(session, data.org_unit_id, ctx.principal)
    _party_unit(session, ctx, data.org_unit_id, "org_unit_id")
    r = PartyRegisterReconciliation(**data.model_dump())
    _check_reconciliation(r)
    session.add(r)
    session.flush()
    _reevaluate_unit(session, r)
    return r


def update_reconciliation(
    session: Session, ctx: Ctx, r: PartyRegisterReconciliation, data: Any
) -> None:
    apply_changes(
        r,
        data.model_dump(exclude_unset=True),
        required=("reconciled_on", "members_in_register", "members_in_files"),
    )
    _check_reconciliation(r)
    session.flush()
    _reevaluate_unit(session, r)


def _reevaluate_unit(session: Session, r: PartyRegisterReconciliation) -> None:
    """The cell's reconciliation alert follows the record in the same request."""
    from registry.alerts.service import reevaluate_units  # the engine reads party records

    reevaluate_units(session, {r.org_unit_id})
