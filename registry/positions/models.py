from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class Position(Entity):
    """A post in an org unit with a headcount that concurrent holders never exceed."""

    __tablename__ = "positions"

    org_unit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    job_position_code: Mapped[str | None] = mapped_column(sa.String(32))
    is_leadership: Mapped[bool] = mapped_column(default=False)
    required_rank: Mapped[str | None] = mapped_column(sa.String(16))
    headcount: Mapped[int] = mapped_column(sa.Integer, default=1)
    standard_profile_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("standard_profiles.id")
    )
    rotation_period_months: Mapped[int | None]
