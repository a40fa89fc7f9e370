from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class Commendation(Entity):
    __tablename__ = "commendations"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[str | None] = mapped_column(sa.String(64))
    decided_on: Mapped[dt.date]
    decision_no: Mapped[str | None] = mapped_column(sa.String(64))


class Discipline(Entity):
    """Party or state discipline; it bars planning/appointment until ``effective_to``."""

    __tablename__ = "disciplines"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    authority: Mapped[str] = mapped_column(sa.String(8))  # party | state
    form: Mapped[str] = mapped_column(sa.String(32))
    decided_on: Mapped[dt.date]
    effective_from: Mapped[dt.date]
    effective_to: Mapped[dt.date | None]
    decision_no: Mapped[str | None] = mapped_column(sa.String(64))
    reason_text: Mapped[str | None] = mapped_column(sa.String(500))
