from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class PartyMembership(Entity):
    """A person's party membership; status moves only along ``party.rules.TRANSITIONS``."""

    __tablename__ = "party_memberships"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), unique=True)
    party_cell_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    admitted_on: Mapped[dt.date]
    official_on: Mapped[dt.date | None]
    card_no: Mapped[str | None] = mapped_column(sa.String(32))
    party_cv_no: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(20), index=True)


class PartyEvent(Entity):
    """A status transition or a transfer between cells, with its decision."""

    __tablename__ = "party_events"

    membership_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("party_memberships.id"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))  # status | transfer
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    from_cell_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("org_units.id"))
    to_cell_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("org_units.id"))
    effective_on: Mapped[dt.date]
    decision_no: Mapped[str | None] = mapped_column(sa.String(64))


class PartyCommitteeMembership(Entity):
    """A seat on a party committee (cấp ủy) for a term: the level of the committee, whether
    on its Standing Committee, the role held and the area of responsibility assigned
    (form 2C/TCTW-98; the plan's review of the Standing Committee's duty assignment)."""

    __tablename__ = "party_committee_memberships"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    committee_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    level: Mapped[str] = mapped_column(sa.String(20))  # party.committee_levels
    role: Mapped[str] = mapped_column(sa.String(20))  # party.committee_roles
    standing_committee: Mapped[bool] = mapped_column(default=False)
    term: Mapped[str] = mapped_column(sa.String(9))  # e.g. 2025-2030
    area_of_responsibility: Mapped[str | None] = mapped_column(sa.String(500))
    valid_from: Mapped[dt.date]
    valid_to: Mapped[dt.date | None]
    decision_no: Mapped[str | None] = mapped_column(sa.String(64))


class PartyProbation(Entity):
    """The probation of a member (12 months from admission, Regulation 232-QĐ/TW): when it
    started and the decision that ended it (recognised official, or removed from the list).
    A probationary member past the term with no decision is a finding (``probation_overdue``)."""

    __tablename__ = "party_probations"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    membership_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("party_memberships.id"), index=True
    )
    started_on: Mapped[dt.date]
    outcome: Mapped[str | None] = mapped_column(sa.String(20))  # party.probation_outcomes
    decided_on: Mapped[dt.date | None]
    decision_no: Mapped[str | None] = mapped_column(sa.String(64))


class PartyTransferRecord(Entity):
    """Where a member transferred from or to, and the dates the deadlines run from: the
    decision, the introduction letter issued, the letter presented to the receiving cell
    (within 60 and 30 working days, Regulation 232-QĐ/TW, Guidance 01-HD/TW)."""

    __tablename__ = "party_transfers"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    direction: Mapped[str] = mapped_column(sa.String(8))  # in | out
    from_cell_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("org_units.id"))
    from_organisation: Mapped[str | None] = mapped_column(sa.String(200))
    to_cell_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("org_units.id"))
    to_organisation: Mapped[str | None] = mapped_column(sa.String(200))
    decided_on: Mapped[dt.date]
    letter_issued_on: Mapped[dt.date | None]
    presented_on: Mapped[dt.date | None]
    decision_no: Mapped[str | None] = mapped_column(sa.String(64))


class PartyDuesPayment(Entity):
    """Party dues paid for one month (Regulation 01-QĐ/TW). A month exempted for a stated
    reason is recorded with amount 0 and the reason: it is not a month unpaid."""

    __tablename__ = "party_dues_payments"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    month: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM
    amount_vnd: Mapped[int] = mapped_column(sa.Integer)
    paid_on: Mapped[dt.date]
    exempt_reason: Mapped[str | None] = mapped_column(sa.String(200))

    __table_args__ = (sa.Index("ix_party_dues_payments_person_month", "person_id", "month"),)


class PartyRegisterReconciliation(Entity):
    """A six-monthly reconciliation of a cell's member registers with the members' files
    (Guidance 01-HD/TW): when it was done, how many members were on each side, what differed."""

    __tablename__ = "party_register_reconciliations"

    # The party cell (an org unit): scoped like every row of a unit.
    org_unit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    period: Mapped[str] = mapped_column(sa.String(7))  # YYYY-H1 | YYYY-H2
    reconciled_on: Mapped[dt.date]
    members_in_register: Mapped[int] = mapped_column(sa.Integer)
    members_in_files: Mapped[int] = mapped_column(sa.Integer)
    discrepancies: Mapped[str | None] = mapped_column(sa.String(1000))
