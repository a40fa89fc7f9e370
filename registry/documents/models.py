from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class Document(Entity):
    """Metadata of a file attached to a record; the encrypted content lives content-addressed
    (by the sha256 of the plaintext) in the document store."""

    __tablename__ = "documents"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    owner_table: Mapped[str] = mapped_column(sa.String(64))
    owner_id: Mapped[uuid.UUID]
    filename: Mapped[str] = mapped_column(sa.String(200))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
