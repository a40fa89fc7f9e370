"""The content digest of a history version: what ties a ``record_versions`` row to its event.

The audit chain hashes each event; an event that records a history version also carries the
SHA-256 of that version (``audit_events.content_digest``), so the chain commits to the values
of every change, not only to the names of the fields that changed.

The digest is taken over this JSON array, encoded with sorted keys, no spaces and UTF-8 as is
(``ensure_ascii=False``)::

    [table_name, row_id, version, op, data, recorded_at, actor, actor_role, reason,
     request_id, person_id]

``row_id`` and ``person_id`` are canonical UUID text (or null), ``recorded_at`` is the UTC
instant in ISO 8601 with ``+00:00``. ``data`` is the JSON document exactly as the database
gives it back: it only ever holds strings, integers, floats, booleans, nulls, lists and
objects (``registry.history.to_jsonable`` turns decimals, dates and instants into text), and
each of those round-trips unchanged through SQLite's JSON text and PostgreSQL's ``json``, so
the digest recomputes from stored rows on both backends. The store's own ``seq`` is not part
of it: it is assigned by the database after the digest is taken.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

# Order of the digested array; changing it invalidates every stored digest.
DIGESTED = (
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
    "person_id",
)

# One encoder reused: json.dumps with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_values(values: list[Any]) -> str:
    """``values`` in DIGESTED order, already canonical (UUIDs and the instant as text)."""
    return hashlib.sha256(_ENCODER.encode(values).encode()).hexdigest()


def instant_text(value: dt.datetime) -> str:
    if value.tzinfo is None:  # SQLite keeps naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def uuid_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(uuid.UUID(str(value)))  # SQLite keeps 32 hex digits


def content_digest(row: dict[str, Any]) -> str:
    """Digest of a history row as ``registry.history.version_row`` builds it; ``data`` may
    be the JSON text the COPY path writes."""
    data = row["data"]
    return digest_values(
        [
            row["table_name"],
            uuid_text(row["row_id"]),
            row["version"],
            row["op"],
            json.loads(data) if isinstance(data, str) else data,
            instant_text(row["recorded_at"]),
            row["actor"],
            row["actor_role"],
            row["reason"],
            row.get("request_id"),
            uuid_text(row.get("person_id")),
        ]
    )
