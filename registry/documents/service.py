from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy.orm import Session

from registry.access.scope import require_person_writable
from registry.context import Ctx
from registry.documents.models import Document
from registry.documents.store import DocumentStore
from registry.errors import Invalid, NotFound
from registry.models import Base

# Records a document may be attached to; each resolves to the person whose file it joins.
OWNER_TABLES = (
    "persons",
    "assignments",
    "qualifications",
    "trainings",
    "evaluations",
    "commendations",
    "disciplines",
    "planning_entries",
    "party_memberships",
)
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+\-]+$")
_FILENAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


def attach_document(
    session: Session,
    ctx: Ctx,
    store: DocumentStore,
    *,
    owner_table: str,
    owner_id: uuid.UUID,
    filename: str,
    media_type: str,
    content: bytes,
) -> Document:
    if owner_table not in OWNER_TABLES:
        raise Invalid.field("query.owner_table", f"must be one of {', '.join(OWNER_TABLES)}")
    if not _FILENAME.fullmatch(filename):
        raise Invalid.field("query.filename", "must be a plain file name of 1..200 characters")
    if not _MEDIA_TYPE.fullmatch(media_type):
        raise Invalid.field("header.content-type", "is not a media type")
    if not content:
        raise Invalid.field("body", "is empty")
    table = Base.metadata.tables[owner_table]
    row: Any = session.execute(table.select().where(table.c.id == owner_id)).first()
    if row is None:
        raise NotFound(f"{owner_table} record {owner_id} not found")
    person_id = owner_id if owner_table == "persons" else row.person_id
    require_person_writable(session, person_id, ctx.principal)
    sha = store.put(content)
    doc = Document(
        person_id=person_id,
        owner_table=owner_table,
        owner_id=owner_id,
        filename=filename,
        media_type=media_type,
        size=len(content),
        sha256=sha,
    )
    session.add(doc)
    session.flush()
    return doc
