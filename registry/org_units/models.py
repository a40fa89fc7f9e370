from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class OrgUnit(Entity):
    """A node of the organisation tree. ``path`` is the chain of ids from the root
    (``/root-id/…/own-id/``) so a subtree is one prefix match; it is set once at creation."""

    __tablename__ = "org_units"

    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(32))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("org_units.id"))
    path: Mapped[str] = mapped_column(sa.String(1000), index=True)
    unit_code: Mapped[str | None] = mapped_column(sa.String(16))  # administrative unit code
