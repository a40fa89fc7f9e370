"""Reading the registry as it was recorded at an instant (transaction time), and the
valid-time timeline of a person. Both read ``record_versions``: the latest version of each
row with ``recorded_at`` ≤ the instant, ordered by ``seq``, not by timestamp alone."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.context import Ctx
from registry.errors import NotFound
from registry.history import RecordVersion
from registry.persons.models import Person
from registry.persons.views import arrange, mask_sections, person_fields
from schemas.person_file import PersonFile


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("b64:"):
        return base64.b64decode(value[4:])
    return value


def rows_as_of(
    session: Session, *, person_id: uuid.UUID, as_of: dt.datetime
) -> dict[str, dict[uuid.UUID, dict[str, Any]]]:
    """table → row id → the row's data in its latest version recorded by ``as_of``."""
    stmt = (
        sa.select(RecordVersion.table_name, RecordVersion.row_id, RecordVersion.data)
        .where(RecordVersion.person_id == person_id, RecordVersion.recorded_at <= as_of)
        .order_by(RecordVersion.seq)
    )
    out: dict[str, dict[uuid.UUID, dict[str, Any]]] = {}
    for table, row_id, data in session.execute(stmt):
        out.setdefault(table, {})[row_id] = data
    return out


def file_as_of(session: Session, ctx: Ctx, person_id: uuid.UUID, as_of: dt.datetime) -> PersonFile:
    rows = rows_as_of(session, person_id=person_id, as_of=as_of)
    person_data = rows.get("persons", {}).get(person_id)
    if person_data is None:
        raise NotFound(f"person {person_id} was not yet recorded at {as_of.isoformat()}")
    person = Person(**{k: _decode(v) for k, v in person_data.items()})
    person.id = person_id
    data = person_fields(ctx, person)

    # The same sections as the file now, from the versions recorded by the instant.
    data.update(arrange({table: list(by_id.values()) for table, by_id in rows.items()}))
    mask_sections(ctx, data)
    return PersonFile.model_validate(data)
