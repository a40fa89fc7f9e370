"""Person answers: decryption, masking by role, the whole file and its ETag.

The file's sections are found, not listed: every field of ``schemas.person_file.PersonFile``
whose name is the table of a catalogued record kind linked to its person by ``person_id`` is
filled with that person's current rows of the table (a list section) or its one row (a
section typed ``X | None``). A new kind appears in the file, its ETag, the as-of view and the
export bundle as soon as it is declared in the catalogue and given a section of its name.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import types
import typing
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry import catalogue
from registry.access import policy
from registry.access.principal import Principal
from registry.context import Ctx
from registry.db import Base
from registry.persons.models import Person
from registry.persons.service import ENCRYPTED, decrypt_stored
from registry.text import full_name
from schemas.person_file import PersonFile
from schemas.persons import PersonRead

# Sections named before the rule "a section is named after its table"; new ones follow it.
ALIASES: dict[str, str] = {
    "work_history": "assignments",
    "planning": "planning_entries",
    "party_membership": "party_memberships",
}
# How each section is ordered (then by id); a section not named here by the first of
# DEFAULT_ORDER its table has.
ORDER: dict[str, str] = {
    "work_history": "valid_from",
    "qualifications": "kind",
    "trainings": "valid_from",
    "evaluations": "period",
    "commendations": "decided_on",
    "disciplines": "decided_on",
    "planning": "term",
    "documents": "created_at",
    "provenance": "field_group",
    "party_events": "effective_on",
}
DEFAULT_ORDER = ("valid_from", "decided_on", "effective_on", "awarded_on", "created_at")
# A section linked through another (events belong to a membership, not to the person).
EVENTS = "party_events"
VERIFICATION = "identity_verification"  # the population database's last answer (sync's)


@dataclass(frozen=True)
class Section:
    name: str
    table: sa.Table
    many: bool
    order: str

    @property
    def kind(self) -> str:
        return self.table.name


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_list(a) for a in typing.get_args(annotation))
    return False


_SECTIONS: dict[int, tuple[Section, ...]] = {}


def sections() -> tuple[Section, ...]:
    """The file's sections of rows linked by ``person_id`` (computed once the models are
    imported; recomputed if a model is imported later)."""
    import registry.models  # noqa: F401 - every model of the core, whoever calls first

    tables = Base.metadata.tables
    known = _SECTIONS.get(len(tables))
    if known is not None:
        return known
    out = []
    for name, info in PersonFile.model_fields.items():
        table_name = ALIASES.get(name, name)
        kind = catalogue.kind(table_name)
        table = tables.get(table_name)
        if kind is None or table is None or kind.person_link != "person_id":
            continue
        if "person_id" not in table.c or table_name == "persons":
            continue
        order = ORDER.get(name) or next((c for c in DEFAULT_ORDER if c in table.c), "id")
        out.append(Section(name, table, _is_list(info.annotation), order))
    found = tuple(out)
    _SECTIONS.clear()
    _SECTIONS[len(tables)] = found
    return found


def section_tables() -> dict[str, str]:
    """Section name → its table, the linked-through sections included."""
    names = {s.name: s.kind for s in sections()}
    if EVENTS in PersonFile.model_fields:
        names[EVENTS] = EVENTS
    return names


_PERSON_KEYS = tuple(c.key for c in Person.__table__.columns)


def person_fields(ctx: Ctx, person: Person | sa.Row[Any]) -> dict[str, Any]:
    """A person's answer fields, masked and decrypted for the caller, from the loaded person
    or from a row of the ``persons`` table's columns (a list page selects rows, not
    entities)."""
    if isinstance(person, sa.Row):
        data = person._asdict()
    else:
        data = {key: getattr(person, key) for key in _PERSON_KEYS}
    data["full_name"] = full_name(data["family_name"], data["middle_name"], data["given_name"])
    masked = list(policy.hidden_fields(ctx.principal, "persons"))
    for name in masked:
        data[name] = None
    for name, column in ENCRYPTED.items():  # decrypt only what the caller may see
        if name not in masked:
            data[name] = decrypt_stored(ctx, data[column], name, data["id"])
    data["masked_fields"] = masked
    return data


def person_read(ctx: Ctx, person: Person | sa.Row[Any]) -> PersonRead:
    return PersonRead.model_validate(person_fields(ctx, person))


def mask_sections(ctx: Ctx, data: dict[str, Any]) -> None:
    """Special-category kinds (party membership and its events, discipline: political views,
    sanctions) are withheld, and said so, in every view of a file (as it is now, as recorded
    at an instant, its timeline) for principals the read policy closes them to; so is a
    document attached to one of them."""
    p = ctx.principal
    tables = section_tables()
    closed = [s for s, table in tables.items() if not policy.sees_kind(p, table)]
    singles = {s.name for s in sections() if not s.many}
    for section in closed:
        data[section] = None if section in singles else []
    data["documents"] = [
        doc for doc in data.get("documents", []) if policy.sees_document(p, _owner_table(doc))
    ]
    data["masked_fields"] = [*data["masked_fields"], *closed]
    # Within an open section, a value the policy closes (an evaluation's caps, made of
    # disciplines) is withheld and named in the record's masked_fields.
    for section, table in tables.items():
        if section in closed or not policy.maskable(table):
            continue
        value = data.get(section)
        if value is None:
            continue
        if isinstance(value, list):
            data[section] = [_masked_record(ctx, table, r) for r in value]
        else:
            data[section] = _masked_record(ctx, table, value)


def _masked_record(ctx: Ctx, table: str, record: Any) -> Any:
    masked = policy.mask_record(ctx.principal, table, record)
    return record if masked is None else masked


def _owner_table(doc: Any) -> str:
    return str(doc.get("owner_table") if isinstance(doc, Mapping) else doc.owner_table)


def _sort_key(order: str) -> Any:
    def key(row: Mapping[str, Any]) -> tuple[bool, Any, str]:
        value = row.get(order)
        return (value is None, value if value is not None else "", str(row.get("id")))

    return key


def arrange(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Current rows of each table (retired ones left out) → the file's sections, ordered."""
    out: dict[str, Any] = {}
    for s in sections():
        current = [r for r in rows.get(s.kind, ()) if r.get("retired_at") is None]
        current.sort(key=_sort_key(s.order))
        out[s.name] = current if s.many else (current[0] if current else None)
    if EVENTS in PersonFile.model_fields:
        events = [r for r in rows.get(EVENTS, ()) if r.get("retired_at") is None]
        events.sort(key=lambda r: (str(r.get("effective_on")), str(r.get("created_at"))))
        out[EVENTS] = events
    return out


def _linked(dialect: str) -> list[tuple[str, sa.Table, sa.Select[Any]]]:
    """(key, table, the rows' select) of every table of a file: the sections, the events
    (through the membership), the identity verification."""
    pid = sa.bindparam("pid", type_=sa.Uuid())
    out: list[tuple[str, sa.Table, sa.Select[Any]]] = []
    for n, s in enumerate(sections()):
        t = s.table.alias(f"s{n}")
        out.append((s.kind, s.table, _as_json(dialect, t, t.c.person_id == pid)))
    tables = Base.metadata.tables
    if EVENTS in PersonFile.model_fields:
        ev, ms = tables[EVENTS].alias("ev"), tables["party_memberships"].alias("evm")
        stmt = _as_json(dialect, ev, ms.c.person_id == pid)
        out.append((EVENTS, tables[EVENTS], stmt.join_from(ev, ms, ms.c.id == ev.c.membership_id)))
    iv = tables.get("identity_verifications")
    if iv is not None and VERIFICATION in PersonFile.model_fields:
        t = iv.alias("iv")
        out.append((VERIFICATION, iv, _as_json(dialect, t, t.c.person_id == pid)))
    return out


def _as_json(dialect: str, t: Any, where: Any) -> sa.Select[Any]:
    """One row as JSON text: ``row_to_json`` on PostgreSQL, ``json_object`` on SQLite."""
    if dialect == "postgresql":
        row: Any = sa.func.row_to_json(sa.literal_column(t.name))
    else:
        pairs: list[Any] = []
        for c in t.columns:
            pairs += [sa.literal(c.name), sa.func.json(c) if isinstance(c.type, sa.JSON) else c]
        row = sa.func.json_object(*pairs)
    return sa.select(sa.cast(row, sa.Text).label("r")).select_from(t).where(where)


def _convert(column: sa.Column[Any]) -> Any:
    """JSON value → what the ORM would have loaded (None: the value as it is)."""
    kind = column.type
    if isinstance(kind, sa.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.Uuid):
        return lambda v: v if isinstance(v, uuid.UUID) else uuid.UUID(str(v))
    if isinstance(kind, sa.DateTime):
        return _instant
    if isinstance(kind, sa.Date):
        return lambda v: dt.date.fromisoformat(v[:10])
    if isinstance(kind, sa.Boolean):
        return bool
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return lambda v: decimal.Decimal(str(v))
    if isinstance(kind, sa.Float):
        return float
    if isinstance(kind, sa.String | sa.Integer | sa.JSON | sa.Enum):
        return None
    raise TypeError(f"{column} has no JSON reading")  # a new type: teach it here


def _instant(value: str) -> dt.datetime:
    at = dt.datetime.fromisoformat(value)
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


_READERS: dict[tuple[str, int], tuple[sa.CompoundSelect[Any], dict[str, Any]]] = {}


def _reader(dialect: str) -> tuple[sa.CompoundSelect[Any], dict[str, Any]]:
    """The one statement of a file (UNION ALL of every table's rows as JSON, each tagged
    with its table) and, per table, its columns' converters; built once per dialect."""
    key = (dialect, len(Base.metadata.tables))
    known = _READERS.get(key)
    if known is not None:
        return known
    parts, converters = [], {}
    for name, table, stmt in _linked(dialect):
        parts.append(stmt.add_columns(sa.literal_column(f"'{name}'").label("k")))
        converters[name] = [(c.name, c.key, _convert(c)) for c in table.columns]
    built = (sa.union_all(*parts), converters)
    _READERS[key] = built
    return built


def load_rows(session: Session, person_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """Table → every row of the person's file in it (retired included: the ETag counts
    them), and the identity verification under ``VERIFICATION``: one statement."""
    stmt, converters = _reader(session.get_bind().dialect.name)
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in converters}
    loads = orjson.loads
    for text, name in session.execute(stmt, {"pid": person_id}):
        raw = loads(text)
        row = {}
        for column, key, convert in converters[name]:
            value = raw.get(column)
            row[key] = value if value is None or convert is None else convert(value)
        out[name].append(row)
    return out


_CACHE = "cadre.file_rows"


def file_rows(session: Session, person_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """``load_rows``, loaded once per unit of work: the ETag and the file of one request
    come from the same load. Forgotten at every flush, commit and rollback of the session,
    so a write between them is always seen."""
    hit = session.info.get(_CACHE)
    if hit is not None and hit[0] == person_id:
        return hit[1]  # type: ignore[no-any-return]
    rows = load_rows(session, person_id)
    session.info[_CACHE] = (person_id, rows)
    return rows


def _forget(session: Session, *_: Any) -> None:
    if session.info.get(_CACHE) is not None:
        session.info[_CACHE] = None


# Listened to on every session once, not per session: adding listeners to each request's
# session cost more than the lookup they guard.
for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    sa.event.listen(Session, _name, _forget)


def load_file(session: Session, ctx: Ctx, person: Person) -> PersonFile:
    rows = file_rows(session, person.id)
    data = person_fields(ctx, person)
    data.update(arrange(rows))
    mask_sections(ctx, data)
    verification = rows.get(VERIFICATION)
    data[VERIFICATION] = verification[0] if verification else None
    return PersonFile.model_validate(data)


def etag_of(person: Person, rows: Mapping[str, Sequence[Mapping[str, Any]]], who: Principal) -> str:
    """Changes whenever the person or any record of their file the principal may see
    changes. Kinds the read policy closes to the principal (a discipline, a party membership
    and its events, a document attached to one) are left out: polling the ETag must not
    tell them a sanction was recorded. A write compares If-Match with the ETag computed for
    the same principal."""
    digest = hashlib.sha256(f"{person.id}:{person.version}".encode())
    closed = policy.closed_tables(who)
    for table in sorted({s.kind for s in sections()}):
        if not policy.sees_kind(who, table):
            continue
        kept = rows.get(table, ())
        if table == "documents":
            kept = [r for r in kept if r.get("owner_table") not in closed]
        for r in sorted(kept, key=lambda r: str(r["id"])):
            digest.update(f"|{table}:{r['id']}:{r['version']}".encode())
    if policy.sees_kind(who, EVENTS):
        for r in sorted(rows.get(EVENTS, ()), key=lambda r: str(r["id"])):
            digest.update(f"|e:{r['id']}".encode())
    return f'"{digest.hexdigest()[:32]}"'


def file_etag(session: Session, person: Person, principal: Principal) -> str:
    return etag_of(person, file_rows(session, person.id), principal)
