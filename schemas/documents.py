from __future__ import annotations

import uuid

from schemas.common import EntityRead


class DocumentRead(EntityRead):
    person_id: uuid.UUID
    owner_table: str
    owner_id: uuid.UUID
    filename: str
    media_type: str
    size: int
    sha256: str
