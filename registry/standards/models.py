from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class StandardProfile(Entity):
    """A versioned set of requirements for a post; evaluated by the standards engine."""

    __tablename__ = "standard_profiles"

    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    effective_from: Mapped[dt.date]
    effective_to: Mapped[dt.date | None]
    requirements: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    __table_args__ = (sa.UniqueConstraint("code", "effective_from"),)
