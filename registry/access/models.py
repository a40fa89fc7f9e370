from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class ApiToken(Entity):
    """A bearer token for an application or a person; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(16))
    org_unit_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("org_units.id"))
    expires_at: Mapped[dt.datetime | None]
