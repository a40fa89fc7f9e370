from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.scope import in_scope, require_person_writable
from registry.context import Ctx
from registry.dates import today
from registry.errors import Conflict, Invalid, NotFound
from registry.org_units.models import OrgUnit
from registry.party.models import PartyEvent, PartyMembership
from registry.party.rules import CURRENT, can_transition
from registry.persons.models import Person
from registry.records import apply_changes, check_interval, check_not_future
from schemas.party import (
    PartyMembershipCreate,
    PartyMembershipUpdate,
    PartyStatusChange,
    PartyTransfer,
)


def _cell(session: Session, ctx: Ctx, cell_id: object, field: str) -> OrgUnit:
    cell = session.get(OrgUnit, cell_id)
    if cell is None or cell.kind not in ("party_cell", "party_committee"):
        raise Invalid.field(f"body.{field}", "is not a party cell or party committee")
    return cell


def _check_dates(ctx: Ctx, person: Person, m: PartyMembership) -> None:
    now = today()
    check_not_future(m.admitted_on, field="admitted_on", today=now)
    check_not_future(m.official_on, field="official_on", today=now)
    check_interval(m.admitted_on, m.official_on, start_field="admitted_on", end_field="official_on")
    age = m.admitted_on.year - person.birth_year
    lo, hi = ctx.settings.party_admission_min_age, ctx.settings.party_admission_max_age
    if not lo - 1 <= age <= hi:  # birth may be known by year only: allow the boundary year
        raise Invalid.field("body.admitted_on", f"admission age {age} is outside {lo}–{hi}")
    if m.status == "official" and m.official_on is None:
        raise Invalid.field("body.official_on", "an official member needs the official date")
    if m.status == "probationary" and m.official_on is not None:
        raise Invalid.field("body.official_on", "a probationary member has no official date yet")
    if m.card_no and m.status == "probationary":
        raise Invalid.field("body.card_no", "cards are issued only to official members")


def create_membership(session: Session, ctx: Ctx, data: PartyMembershipCreate) -> PartyMembership:
    person = require_person_writable(session, data.person_id, ctx.principal)
    # Admission is into a cell the caller keeps; moving elsewhere is a transfer.
    if not in_scope(session, OrgUnit, data.party_cell_id, ctx.principal):
        raise Invalid.field("body.party_cell_id", "is not a party cell or party committee")
    _cell(session, ctx, data.party_cell_id, "party_cell_id")
    existing = session.scalar(
        sa.select(PartyMembership.id).where(PartyMembership.person_id == person.id)
    )
    if existing is not None:
        raise Conflict("this person already has a party membership record")
    m = PartyMembership(**data.model_dump())
    _check_dates(ctx, person, m)
    session.add(m)
    session.flush()
    return m


def update_membership(
    session: Session, ctx: Ctx, m: PartyMembership, data: PartyMembershipUpdate
) -> None:
    apply_changes(m, data.model_dump(exclude_unset=True), required=("admitted_on",))
    # The caller may change this membership (checked by the edge); after a transfer the person
    # may be outside its scope, yet the dates still have to be checked against the birth year.
    person = session.get(Person, m.person_id)
    if person is None:
        raise NotFound(f"person {m.person_id} not found")
    _check_dates(ctx, person, m)
    session.flush()


def change_status(
    session: Session, ctx: Ctx, m: PartyMembership, data: PartyStatusChange
) -> PartyEvent:
    if not can_transition(m.status, data.to_status):
        raise Conflict(f"party status cannot move from {m.status} to {data.to_status}")
    check_not_future(data.effective_on, field="effective_on", today=today())
    if data.effective_on < m.admitted_on:
        raise Invalid.field("body.effective_on", "is before admission")
    event = PartyEvent(
        membership_id=m.id,
        kind="status",
        from_status=m.status,
        to_status=data.to_status,
        effective_on=data.effective_on,
        decision_no=data.decision_no,
    )
    if data.to_status == "official" and m.status == "probationary":
        m.official_on = data.effective_on
    m.status = data.to_status
    session.add(event)
    session.flush()
    return event


def transfer(session: Session, ctx: Ctx, m: PartyMembership, data: PartyTransfer) -> PartyEvent:
    if m.status not in CURRENT:
        raise Conflict(f"a member with status {m.status} cannot be transferred")
    if data.to_cell_id == m.party_cell_id:
        raise Invalid.field("body.to_cell_id", "is the member's current cell")
    _cell(session, ctx, data.to_cell_id, "to_cell_id")
    check_not_future(data.effective_on, field="effective_on", today=today())
    event = PartyEvent(
        membership_id=m.id,
        kind="transfer",
        from_cell_id=m.party_cell_id,
        to_cell_id=data.to_cell_id,
        effective_on=data.effective_on,
        decision_no=data.decision_no,
    )
    m.party_cell_id = data.to_cell_id
    session.add(event)
    session.flush()
    return event
