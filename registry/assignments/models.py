from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class Assignment(Entity):
    """A stretch of work history: a post in this registry, or a free-text post elsewhere.

    Valid time is ``[valid_from, valid_to]`` inclusive; ``valid_to`` None means still held."""

    __tablename__ = "assignments"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    position_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("positions.id"), index=True)
    external_post: Mapped[str | None] = mapped_column(sa.String(200))
    external_unit: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20))
    valid_from: Mapped[dt.date]
    valid_to: Mapped[dt.date | None]
    decision_no: Mapped[str | None] = mapped_column(sa.String(64))
    decision_date: Mapped[dt.date | None]
    decision_signer: Mapped[str | None] = mapped_column(sa.String(120))
    # How the stretch ended (dismissal, resignation, retirement, …: ``END_KINDS``).
    end_kind: Mapped[str | None] = mapped_column(sa.String(20))
    # The appointment term and the date re-appointment is due (its end when not given).
    term_years: Mapped[int | None]
    reappointment_due_on: Mapped[dt.date | None]
