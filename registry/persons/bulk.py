"""The bulk write path: brand-new entity rows plus their first recorded version, set-based.

The ORM flush hook (``registry.history``) records a version of every row the services write.
Bulk paths (the CSV import, the large demo) skip the ORM for speed, so they must write exactly
the rows the hook would have written: one ``record_versions`` row per inserted entity (op
``insert``, version 1, the full row as ``data``, the session's actor), its audit event and any
outbox item, in the same transaction as the entities. ``insert_new`` does that behind a small
dialect seam: binary COPY on PostgreSQL (``bulk_copy``), elsewhere Core executemany and
``registry.history.append_versions`` itself.

Nothing else may insert entities around the hook; callers validate their rows first, exactly
as the services would.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from registry import catalogue
from registry.audit.bulk_append import Rendered
from registry.audit.content import _ENCODER as CANONICAL  # the digest's own encoding
from registry.crypto import FieldCipher
from registry.db import Entity
from registry.history import Actor, append_versions, get_actor, to_jsonable, version_row
from registry.persons import writer
from registry.persons.bulk_copy import copy_groups
from registry.persons.models import Person, Provenance
from schemas.persons import PersonCreate

# Values ``to_jsonable`` would return unchanged: skipping the call keeps snapshots cheap.
_JSON_AS_IS = frozenset({str, int, float, bool, type(None)})


@dataclass
class NewRows:
    """New rows of one entity table. ``columns`` name the tuple fields (``id`` among them);
    the table's other columns are NULL, as they are after an ORM insert that leaves them unset.
    """

    model: type[Entity]
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    _texts: dict[uuid.UUID, str] = field(default_factory=dict, repr=False)
    # Row id → (content digest, event ready to chain), for ``audit_for`` (``bulk_copy``).
    audit: dict[uuid.UUID, tuple[str, Rendered]] = field(default_factory=dict, repr=False)
    audit_for: tuple[Actor, dt.datetime] | None = field(default=None, repr=False)

    @property
    def table(self) -> sa.Table:
        return cast(sa.Table, self.model.__table__)

    def snapshots(self) -> Iterator[tuple[uuid.UUID, dict[str, Any]]]:
        """(row id, the row as ``registry.history.snapshot`` renders it after an insert)."""
        template = dict.fromkeys(c.key for c in self.table.columns)
        id_at = self.columns.index("id")
        # A batch shares its timestamps: render each distinct instant once.
        rendered: dict[int, Any] = {}
        for row in self.rows:
            data = template.copy()
            for key, value in zip(self.columns, row, strict=True):
                kind = type(value)
                if kind in _JSON_AS_IS:
                    data[key] = value
                elif kind is uuid.UUID:
                    data[key] = str(value)
                elif kind is dt.datetime:
                    if id(value) not in rendered:
                        rendered[id(value)] = to_jsonable(value)
                    data[key] = rendered[id(value)]
                else:
                    data[key] = to_jsonable(value)
            yield row[id_at], data

    def snapshot_texts(self) -> Iterator[tuple[uuid.UUID, str]]:
        """``snapshots()`` serialised as JSON (key order aside), for the COPY path."""
        self.render_texts()
        id_at = self.columns.index("id")
        for row in self.rows:
            yield row[id_at], self._texts[row[id_at]]

    def render_texts(self) -> None:
        """Serialise the snapshots of rows not yet serialised. Separate so that a CPU stage
        can do it while the database is busy with an earlier batch."""
        id_at = self.columns.index("id")
        todo = [row for row in self.rows if row[id_at] not in self._texts]
        self._texts.update(self._serialise(todo))

    def _serialise(self, rows: list[tuple[Any, ...]]) -> Iterator[tuple[uuid.UUID, str]]:
        """Each row's snapshot as its canonical JSON (``registry.audit.content``: sorted keys,
        no spaces, UTF-8 as is), at a third of the cost of encoding a dict per row: the
        content digest can then be taken over this very text (``bulk_copy``)."""
        encode = CANONICAL.encode
        at = {name: i for i, name in enumerate(self.columns)}
        plan = [(encode(key) + ":", at.get(key)) for key in sorted(self.table.c.keys())]
        id_at = self.columns.index("id")
        rendered: dict[int, str] = {}  # a batch shares its timestamps: render each once
        for row in rows:
            parts = []
            for key, i in plan:
                if i is None:
                    parts.append(key + "null")
                    continue
                value = row[i]
                kind = type(value)
                if kind is str:
                    parts.append(key + encode_basestring(value))
                elif kind is int:
                    parts.append(key + int.__repr__(value))
                elif kind is uuid.UUID:
                    parts.append(f'{key}"{value}"')
                elif value is None:
                    parts.append(key + "null")
                elif kind is dt.datetime:
                    if id(value) not in rendered:
                        rendered[id(value)] = encode(to_jsonable(value))
                    parts.append(key + rendered[id(value)])
                else:
                    parts.append(key + encode(to_jsonable(value)))
            yield row[id_at], "{" + ",".join(parts) + "}"

    def owners(self) -> Iterator[uuid.UUID | None]:
        """Whose file each row belongs to (``record_versions.person_id``), as the hook says."""
        id_at = self.columns.index("id")
        if self.table.name == "persons":
            return (row[id_at] for row in self.rows)
        if "person_id" in self.columns:
            at = self.columns.index("person_id")
            return (row[at] for row in self.rows)
        return (None for _ in self.rows)


def insert_new(session: Session, groups: Sequence[NewRows], *, at: dt.datetime) -> None:
    """Insert ``groups`` (parents before children) and one history version per row, inside
    the session's current transaction, attributed to the session's actor."""
    if not any(group.rows for group in groups):
        return
    actor = get_actor(session)
    conn = session.connection()
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql" and isinstance(dbapi, psycopg.Connection):
        copy_groups(session, dbapi, groups, actor, at)
    else:
        _core_groups(session, groups, actor, at)


def stored_nid_indexes(
    session: Session, indexes: Sequence[str], *, column_name: str = "nid_bidx"
) -> set[str]:
    """Which of ``indexes`` (of ``column_name``: ``nid_bidx`` or ``cmnd_bidx``) are already
    stored: one array parameter on PostgreSQL (an IN list of thousands of parameters costs
    more to plan than to run), an IN list elsewhere."""
    if not indexes:
        return set()
    column = Person.__table__.c[column_name]
    if session.get_bind().dialect.name == "postgresql":
        param = sa.bindparam("indexes", list(indexes), type_=postgresql.ARRAY(sa.String))
        where = column == sa.any_(param)
    else:
        where = column.in_(list(indexes))
    return {bidx for bidx in session.scalars(sa.select(column).where(where)) if bidx}


def _versions(group: NewRows, actor: Actor, at: dt.datetime) -> Iterator[dict[str, Any]]:
    for row_id, data in group.snapshots():
        yield version_row(
            table=group.table.name,
            row_id=row_id,
            version=1,
            op="insert",
            data=data,
            actor=actor,
            at=at,
        )


def _core_groups(
    session: Session, groups: Sequence[NewRows], actor: Actor, at: dt.datetime
) -> None:
    conn = session.connection()
    for group in groups:
        if group.rows:
            params = [dict(zip(group.columns, row, strict=True)) for row in group.rows]
            conn.execute(sa.insert(group.table), params)
            append_versions(session, _versions(group, actor, at))


PERSON_COLUMNS = (
    "id",
    "version",
    "created_at",
    "updated_at",
    "org_unit_id",
    "nid_ct",
    "nid_bidx",
    "family_name",
    "middle_name",
    "given_name",
    "search_key",
    "other_names",
    "birth_date",
    "birth_year",
    "sex",
    "ethnicity_code",
    "religion_code",
    "life_status",
    # What an import may also carry: the legacy CMND and the places.
    "cmnd_ct",
    "cmnd_bidx",
    "birth_place",
    "origin_place",
    "permanent_residence",
)
PROVENANCE_COLUMNS = (
    "id",
    "version",
    "created_at",
    "updated_at",
    "person_id",
    "field_group",
    "source",
    "asserted_at",
)
# The fields a bulk person may carry: those the catalogue stores in ``PERSON_COLUMNS``.
BULK_PERSON_FIELDS = frozenset(
    f.name
    for f in catalogue.KINDS["persons"].fields
    if not f.derived_from and set(f.stored_columns) <= set(PERSON_COLUMNS)
)


@dataclass
class NewPersons:
    """Validated persons ready for ``insert_new``: the nid encrypted (bound to its row) and
    blind-indexed, the accent-free search key, and one ``identity`` provenance row each."""

    cipher: FieldCipher
    source: str
    at: dt.datetime
    persons: NewRows = field(default_factory=lambda: NewRows(Person, PERSON_COLUMNS))
    provenance: NewRows = field(default_factory=lambda: NewRows(Provenance, PROVENANCE_COLUMNS))

    @property
    def groups(self) -> list[NewRows]:
        return [self.persons, self.provenance]

    def __len__(self) -> int:
        return len(self.persons.rows)

    def __getstate__(self) -> dict[str, Any]:
        """Sent from a checking process to the writer without the cipher: the keys stay in
        the processes that hold them, and a batch needs none of them to be written."""
        return {k: v for k, v in self.__dict__.items() if k != "cipher"}

    def drop(self, person_ids: set[uuid.UUID]) -> None:
        """Leave out persons found to be stored already (and their provenance)."""
        if person_ids:
            own, owner = PERSON_COLUMNS.index("id"), PROVENANCE_COLUMNS.index("person_id")
            self.persons.rows = [r for r in self.persons.rows if r[own] not in person_ids]
            self.provenance.rows = [r for r in self.provenance.rows if r[owner] not in person_ids]

    def add(self, data: PersonCreate, *, nid: str | None, nid_bidx: str | None) -> uuid.UUID:
        """Add one person that passed ``PersonCreate`` and ``identity_issues``. Optional
        fields left empty are not asserted: no value, no provenance for them."""
        extra = data.model_fields_set - BULK_PERSON_FIELDS
        if extra:
            raise ValueError(f"the bulk path carries identity fields only, not {sorted(extra)}")
        person_id = uuid.uuid4()
        at = self.at
        values = {n: getattr(data, n, None) for n in BULK_PERSON_FIELDS} | {"nid": nid}
        values["middle_name"] = values["middle_name"] or ""
        values["life_status"] = values["life_status"] or "alive"
        for name in _OPTIONAL:
            value = values.get(name)
            if not value:
                values.pop(name, None)  # not asserted: the column's default, no provenance
            elif isinstance(value, BaseModel):
                values[name] = value.model_dump(mode="json")
        stored = writer.encode(self.cipher, person_id, values)
        if stored.get("nid_bidx") != nid_bidx:
            raise ValueError("the blind index given is not the nid's")
        row = {"other_names": ""} | stored | writer.derived(values)
        row |= {"id": person_id, "version": 1, "created_at": at, "updated_at": at}
        self.persons.rows.append(tuple(row.get(c) for c in PERSON_COLUMNS))
        # ``writer.provenance_rows``, with the groups of each set of fields looked up once.
        self.provenance.rows.extend(
            (uuid.uuid4(), 1, at, at, person_id, group, self.source, at)
            for group in _groups(frozenset(values))
        )
        return person_id


@lru_cache(maxsize=256)
def _groups(names: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(writer.touched_groups(names)))


# Fields of a bulk person that may be absent (the required ones always have a value).
_OPTIONAL = ("nid", "cmnd", "other_names", "birth_place", "origin_place", "permanent_residence")
