"""The one writer of a person's values.

Every path that sets a person's fields — the API's services, the CSV import and the demo (set-based,
through ``stored_row``), sync applying what a national database asserts — goes through here, so
encryption, blind indexes, the accent-free search key, the birth year and provenance are done
one way. What a field needs is read from the catalogue, never listed here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry import catalogue
from registry.bulk import bulk_insert, bulk_update
from registry.crypto import FieldCipher
from registry.dates import PartialDate, utcnow
from registry.errors import Conflict, FieldIssue
from registry.keys.lookup import index_matches
from registry.persons.models import Person, Provenance
from registry.text import search_key

TABLE = "persons"
_NAMES = ("family_name", "middle_name", "given_name", "other_names")


def encode(cipher: FieldCipher, person_id: uuid.UUID, values: Mapping[str, Any]) -> dict[str, Any]:
    """Field values → the columns that store them (ciphertext bound to the row, blind index)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        declared = catalogue.field(TABLE, name)
        if declared is None or declared.derived_from:
            raise ValueError(f"persons has no writable field {name!r}")
        if declared.encrypted:
            out[declared.column] = (
                None
                if value is None
                else cipher.encrypt(value, table=TABLE, column=declared.column, row_id=person_id)
            )
            if declared.index_column is not None:
                out[declared.index_column] = (
                    None if value is None else cipher.blind_index(value, purpose=name)
                )
        elif isinstance(value, Mapping):
            out[name] = dict(value)  # places are stored as JSON objects
        else:
            out[name] = value
    return out


def derived(state: Mapping[str, Any]) -> dict[str, Any]:
    """The columns computed from others (``search_key``, ``birth_year``), for a whole row."""
    return {
        "search_key": search_key(*(state.get(n) or "" for n in _NAMES)),
        "birth_year": PartialDate.parse(state["birth_date"]).year,
    }


def touched_groups(names: Iterable[str]) -> set[str]:
    return {g for n in names if (f := catalogue.field(TABLE, n)) is not None and (g := f.group)}


def write(
    session: Session,
    cipher: FieldCipher,
    person: Person,
    values: Mapping[str, Any],
    *,
    source: str,
) -> None:
    """Set ``values`` on ``person`` (new or stored) and record ``source`` as the provenance of
    every group they touch. A blind-indexed value another person holds is a 409."""
    stored = encode(cipher, person.id, values)
    for name in values:
        index_column = catalogue.blind_indexed(TABLE).get(name)
        if index_column is not None and stored[index_column] is not None:
            _check_unique(session, cipher, person.id, name, index_column, values[name])
    for column, value in stored.items():
        setattr(person, column, value)
    state = {n: getattr(person, n) for n in (*_NAMES, "birth_date")}
    for column, value in derived(state).items():
        setattr(person, column, value)
    record_provenance(session, person.id, touched_groups(values), source=source)


def find_by(cipher: FieldCipher, name: str, value: str) -> sa.ColumnElement[bool]:
    """Persons whose blind-indexed ``name`` is ``value``, under any index key in use."""
    column = getattr(Person, catalogue.blind_indexed(TABLE)[name])
    return index_matches(column, cipher, value, purpose=name)


def _check_unique(
    session: Session,
    cipher: FieldCipher,
    person_id: uuid.UUID,
    name: str,
    column: str,
    value: str,
) -> None:
    other = session.scalar(
        sa.select(Person.id).where(find_by(cipher, name, value), Person.id != person_id)
    )
    if other is not None:
        raise Conflict(
            f"another person already has this {name}",
            issues=[FieldIssue(f"body.{name}", "already recorded for another person")],
        )


def record_provenance(
    session: Session, person_id: uuid.UUID, group_names: Iterable[str], *, source: str
) -> None:
    groups = sorted(set(group_names))
    if not groups:
        return
    now = utcnow()
    with session.no_autoflush:
        rows = {
            r.field_group: r
            for r in session.scalars(
                sa.select(Provenance).where(
                    Provenance.person_id == person_id, Provenance.field_group.in_(groups)
                )
            )
        }
    for group in groups:
        row = rows.get(group)
        if row is None:
            session.add(
                Provenance(person_id=person_id, field_group=group, source=source, asserted_at=now)
            )
        elif (row.source, row.asserted_at) != (source, now):
            row.source, row.asserted_at = source, now


def provenance_rows(
    person_id: uuid.UUID, names: Iterable[str], *, source: str, at: Any
) -> list[tuple[uuid.UUID, int, Any, Any, uuid.UUID, str, str, Any]]:
    """The provenance rows of a brand-new person, for the set-based path (``PROVENANCE_COLUMNS``
    order of ``registry.persons.bulk``)."""
    return [
        (uuid.uuid4(), 1, at, at, person_id, group, source, at)
        for group in sorted(touched_groups(names))
    ]


def write_many(
    session: Session,
    cipher: FieldCipher,
    changes: Mapping[uuid.UUID, Mapping[str, Any]],
    *,
    source: str,
    provenance_ids: Mapping[str, Mapping[uuid.UUID, uuid.UUID]] | None = None,
) -> None:
    """The set-based form of ``write`` for stored persons (a page of a national database):
    one bulk update and one provenance statement per group, the same history as ``write``.
    Values that feed a derived column (names, birth date) go through ``write`` instead.
    ``provenance_ids``: group → person → provenance row id, for groups whose rows the caller
    has already read (every row of those persons; absent = none yet), so they are not read
    again."""
    if not changes:
        return
    feeding = {n for f in catalogue.KINDS[TABLE].fields for n in f.derived_from}
    for values in changes.values():
        if feeding & set(values) or set(values) & set(catalogue.blind_indexed(TABLE)):
            raise ValueError("names, birth dates and indexed numbers are written one by one")
    bulk_update(
        session, Person, {pid: encode(cipher, pid, values) for pid, values in changes.items()}
    )
    now = utcnow()
    by_group: dict[str, list[uuid.UUID]] = {}
    for pid, values in changes.items():
        for group in touched_groups(values):
            by_group.setdefault(group, []).append(pid)
    for group, ids in sorted(by_group.items()):
        existing: Mapping[uuid.UUID, uuid.UUID]
        if provenance_ids is not None and group in provenance_ids:
            existing = provenance_ids[group]
        else:
            found = session.execute(
                sa.select(Provenance.person_id, Provenance.id).where(
                    Provenance.person_id.in_(ids), Provenance.field_group == group
                )
            )
            existing = {r[0]: r[1] for r in found}
        bulk_update(
            session,
            Provenance,
            {existing[p]: {"source": source, "asserted_at": now} for p in ids if p in existing},
        )
        bulk_insert(
            session,
            Provenance,
            [
                {"person_id": p, "field_group": group, "source": source, "asserted_at": now}
                for p in ids
                if p not in existing
            ],
        )
