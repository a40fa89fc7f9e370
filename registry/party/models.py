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
