"""Which data key each stored value is under: live values (set-based SQL), recorded versions,
ciphertext the catalogue does not declare (other binary columns), and document files.

A ciphertext starts with ``FieldCipher.header(kid)``; counting is one ``count(CASE …)`` per key
id over each column, portable between SQLite and PostgreSQL (``substr`` of a blob / bytea).
"""

from __future__ import annotations

import base64
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry import catalogue
from registry.crypto import FieldCipher
from registry.documents.store import DocumentStore
from registry.history import RecordVersion

UNKNOWN = "?"  # a value under a key id the keyring does not hold


@dataclass(frozen=True)
class Usage:
    table: str
    column: str
    key_id: str
    values: int


def under_key(column: sa.ColumnElement[bytes], key_id: str) -> sa.ColumnElement[bool]:
    header = FieldCipher.header(key_id)
    return sa.func.substr(column, 1, len(header)) == sa.literal(header, sa.LargeBinary)


def _column_usage(
    session: Session, table: sa.Table, column: str, key_ids: Iterable[str]
) -> list[Usage]:
    col = table.c[column]
    kids = sorted(set(key_ids))
    counts = [sa.func.count(sa.case((under_key(col, k), 1))) for k in kids]
    row = session.execute(sa.select(sa.func.count(col), *counts).select_from(table)).one()
    total, per_key = row[0], row[1:]
    out = [Usage(table.name, column, k, n) for k, n in zip(kids, per_key, strict=True) if n]
    if total - sum(per_key):
        out.append(Usage(table.name, column, UNKNOWN, total - sum(per_key)))
    return out


def live_usage(session: Session, metadata: sa.MetaData, key_ids: Iterable[str]) -> list[Usage]:
    """Values of every column the catalogue marks encrypted, per key id."""
    kids = list(key_ids)
    out: list[Usage] = []
    for table, _field, column in catalogue.encrypted_columns():
        out += _column_usage(session, metadata.tables[table], column, kids)
    return out


def other_usage(session: Session, metadata: sa.MetaData, key_ids: Iterable[str]) -> list[Usage]:
    """Binary columns outside the catalogue that hold ciphertext under one of ``key_ids``
    (they are not re-encrypted, and a key they use cannot be retired)."""
    declared = {(t, c) for t, _f, c in catalogue.encrypted_columns()}
    kids = list(key_ids)
    out: list[Usage] = []
    for table in metadata.sorted_tables:
        for col in table.columns:
            if isinstance(col.type, sa.LargeBinary) and (table.name, col.name) not in declared:
                out += [
                    u
                    for u in _column_usage(session, table, col.name, kids)
                    if u.key_id != UNKNOWN  # other bytes, not field ciphertext
                ]
    return out


def _key_id_of_recorded(value: str) -> str | None:
    """The key id of a ciphertext as the history records it (``b64:…``), decoding only its
    header."""
    if not value.startswith("b64:"):
        return None
    head = base64.b64decode(value[4:12])
    if len(head) < 2 or head[0] != 1:
        return None
    need = 4 * math.ceil((2 + head[1]) / 3)
    raw = base64.b64decode(value[4 : 4 + need])
    return raw[2 : 2 + head[1]].decode("ascii", errors="replace")


def history_usage(session: Session, *, batch: int = 2000) -> list[Usage]:
    """Ciphertext kept in ``record_versions`` (versions are never rewritten: an as-of read
    decrypts them with the key they were written under)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for table in {t for t, _f, _c in catalogue.encrypted_columns()}:
        columns = catalogue.encrypted(table).values()
        stmt = (
            sa.select(RecordVersion.data)
            .where(RecordVersion.table_name == table)
            .execution_options(yield_per=batch)
        )
        for data in session.scalars(stmt):
            for column in columns:
                value = data.get(column)
                kid = _key_id_of_recorded(value) if isinstance(value, str) else None
                if kid is not None:
                    counts[(table, column, kid)] += 1
    return [Usage(t, c, k, n) for (t, c, k), n in sorted(counts.items())]


def document_usage(store: DocumentStore, key_ids: Iterable[str]) -> list[Usage]:
    """Document files (``registry.documents.store``) per key id, by the header of each; files
    under any other key id, or not ciphertext at all, count as ``UNKNOWN``."""
    kids = set(key_ids)
    counts: Counter[str] = Counter()
    for sha in store.addresses():
        try:
            kid = store.key_id(sha)
        except FileNotFoundError:  # removed since it was listed
            continue
        counts[kid if kid in kids else UNKNOWN] += 1
    return [Usage("documents", "content", k, n) for k, n in sorted(counts.items())]
