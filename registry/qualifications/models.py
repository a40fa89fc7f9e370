from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class Qualification(Entity):
    """A level on one of the ordered ladders in ``registry.codes.QUALIFICATION_LADDERS``."""

    __tablename__ = "qualifications"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    level: Mapped[str] = mapped_column(sa.String(32))
    major: Mapped[str | None] = mapped_column(sa.String(200))
    institution: Mapped[str | None] = mapped_column(sa.String(200))
    awarded_on: Mapped[dt.date | None]
    expires_on: Mapped[dt.date | None]


class Training(Entity):
    __tablename__ = "trainings"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    course: Mapped[str] = mapped_column(sa.String(200))
    institution: Mapped[str | None] = mapped_column(sa.String(200))
    valid_from: Mapped[dt.date]
    valid_to: Mapped[dt.date | None]
    hours: Mapped[int | None]
    mode: Mapped[str] = mapped_column(sa.String(20))
    certificate: Mapped[str | None] = mapped_column(sa.String(200))
