from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, Entity


class ApiToken(Entity):
    """A bearer token for an application or a person; only its SHA-256 is stored.

    ``lookups_per_minute`` is the token's own quota of exact identification-number lookups
    (``cadre token create --lookups-per-minute N``); null means the default for API tokens
    (``CADRE_API_LOOKUPS_PER_MINUTE``)."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(16))
    org_unit_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("org_units.id"))
    expires_at: Mapped[dt.datetime | None]
    lookups_per_minute: Mapped[int | None] = mapped_column(sa.Integer)


class LookupWindow(Base):
    """How many exact lookups a caller made in one clock minute: one counter row per
    (caller, minute), updated in place by every serving process, so a quota holds across
    ``cadre serve --workers N``. Rows of past minutes are dead weight, removed as new
    windows open."""

    __tablename__ = "lookup_windows"

    subject: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    minute: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)  # Unix time // 60
    lookups: Mapped[int] = mapped_column(sa.Integer)
