"""The bulk write path: brand-new entity rows plus their first recorded version, set-based.

The ORM flush hook (``registry.history``) records a version of every row the services write.
Bulk paths (the CSV import, the large demo) skip the ORM for speed, so they must write exactly
the rows the hook would have written: one ``record_versions`` row per inserted entity, op
``insert``, version 1, the full row as ``data``, the session's actor, in the same transaction
as the entities. ``insert_new`` does both behind a small dialect seam: binary COPY on
PostgreSQL (psycopg), Core executemany elsewhere (SQLite).

Nothing else may insert entities around the hook; callers validate their rows first, exactly
as the services would.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from psycopg import sql
from psycopg.types.json import Json
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from registry.crypto import FieldCipher
from registry.dates import PartialDate
from registry.db import Entity
from registry.history import (
    Actor,
    RecordVersion,
    append_versions,
    get_actor,
    to_jsonable,
    version_row,
)
from registry.persons.models import Person, Provenance
from registry.text import search_key
from schemas.persons import PersonCreate

# Values ``to_jsonable`` would return unchanged: skipping the call keeps snapshots cheap.
_JSON_AS_IS = frozenset({str, int, float, bool, type(None)})
_VERSION_COLUMNS = (
    "table_name",
    "row_id",
    "version",
    "op",
    "data",
    "recorded_at",
    "actor",
    "actor_role",
    "reason",
    "request_id",
)


@dataclass
class NewRows:
    """New rows of one entity table. ``columns`` name the tuple fields (``id`` among them);
    the table's other columns are NULL, as they are after an ORM insert that leaves them unset.
    """

    model: type[Entity]
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def table(self) -> sa.Table:
        return cast(sa.Table, self.model.__table__)

    def snapshots(self) -> Iterator[tuple[uuid.UUID, dict[str, Any]]]:
        """(row id, the row as ``registry.history.snapshot`` renders it after an insert)."""
        template = dict.fromkeys(c.key for c in self.table.columns)
        id_at = self.columns.index("id")
        # Batches share their timestamps: render each distinct object once.
        rendered: dict[int, Any] = {}
        for row in self.rows:
            data = template.copy()
            for key, value in zip(self.columns, row, strict=True):
                kind = type(value)
                if kind in _JSON_AS_IS:
                    data[key] = value
                elif kind is uuid.UUID:
                    data[key] = str(value)
                else:
                    data[key] = rendered.get(id(value)) or rendered.setdefault(
                        id(value), to_jsonable(value)
                    )
            yield row[id_at], data


def insert_new(session: Session, groups: Sequence[NewRows], *, at: dt.datetime) -> None:
    """Insert ``groups`` (parents before children) and one history version per row, inside
    the session's current transaction, attributed to the session's actor."""
    actor = get_actor(session)
    conn = session.connection()
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql" and isinstance(dbapi, psycopg.Connection):
        _copy_groups(dbapi, groups, actor, at)
    else:
        _core_groups(session, groups, actor, at)


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


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _copy_groups(
    dbapi: psycopg.Connection[Any], groups: Sequence[NewRows], actor: Actor, at: dt.datetime
) -> None:
    versions_table = cast(sa.Table, RecordVersion.__table__)
    with dbapi.cursor() as cur:
        for group in groups:
            if group.rows:
                _copy(cur, group.table, group.columns, group.rows)
        history = (
            tuple(
                Json(v[c], dumps=_compact_json) if c == "data" else v[c] for c in _VERSION_COLUMNS
            )
            for group in groups
            for v in _versions(group, actor, at)
        )
        _copy(cur, versions_table, _VERSION_COLUMNS, history)


def _copy(
    cur: psycopg.Cursor[Any],
    table: sa.Table,
    columns: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]] | Iterator[tuple[Any, ...]],
) -> None:
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cur.copy(stmt) as copy:
        copy.set_types(list(pg_type_names(table, columns)))
        for row in rows:
            copy.write_row(row)


@lru_cache(maxsize=64)
def pg_type_names(table: sa.Table, columns: tuple[str, ...]) -> tuple[str, ...]:
    """PostgreSQL type names of ``columns``, as binary COPY needs them declared."""
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    names = []
    for name in columns:
        col = table.c[name]
        col_type = col.type
        if isinstance(col_type, sa.types.NullType) and col.foreign_keys:
            # A foreign-key column takes its type from the column it points at.
            col_type = next(iter(col.foreign_keys)).column.type
        compiled = col_type.compile(dialect=dialect).lower()
        names.append(compiled.split("(")[0].strip())
    return tuple(names)


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
# The only fields a bulk person may carry: the identity group of ``persons.service``.
BULK_PERSON_FIELDS = frozenset(
    {
        "org_unit_id",
        "nid",
        "family_name",
        "middle_name",
        "given_name",
        "birth_date",
        "sex",
        "ethnicity_code",
        "religion_code",
    }
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

    def add(self, data: PersonCreate, *, nid: str, nid_bidx: str) -> uuid.UUID:
        """Add one person that passed ``PersonCreate`` and ``identity_issues``."""
        extra = data.model_fields_set - BULK_PERSON_FIELDS
        if extra:
            raise ValueError(f"the bulk path carries identity fields only, not {sorted(extra)}")
        person_id = uuid.uuid4()
        middle = data.middle_name or ""
        at = self.at
        self.persons.rows.append(
            (
                person_id,
                1,
                at,
                at,
                data.org_unit_id,
                self.cipher.encrypt(nid, table="persons", column="nid_ct", row_id=person_id),
                nid_bidx,
                data.family_name,
                middle,
                data.given_name,
                search_key(data.family_name, middle, data.given_name, ""),
                "",
                data.birth_date,
                PartialDate.parse(data.birth_date).year,
                data.sex,
                data.ethnicity_code,
                data.religion_code,
                "alive",
            )
        )
        self.provenance.rows.append(
            (uuid.uuid4(), 1, at, at, person_id, "identity", self.source, at)
        )
        return person_id
