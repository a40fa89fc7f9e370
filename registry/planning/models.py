from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class PlanningEntry(Entity):
    """A person in the planning (quy hoạch) for a post for a term; ≤ 3 per post, ≤ 3 per person."""

    __tablename__ = "planning_entries"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    position_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("positions.id"), index=True)
    term: Mapped[str] = mapped_column(sa.String(9))  # e.g. 2025-2030
    decided_on: Mapped[dt.date]
    decision_no: Mapped[str | None] = mapped_column(sa.String(64))
