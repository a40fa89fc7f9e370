"""A personnel file laid out for reading: sections, headings and cells in words.

Driven by the file and the catalogue, not by page code per section: every section of
``PersonFile`` that holds records (a list, or one record) becomes a table whose columns are
the declared fields of its record kind, labelled from the catalogue (``label_vi``) or
``words.FIELDS``; a section added to the file (family relations, military
service, salary history …) appears without a change here. Ids are shown by what they name (a
post by its title and unit, a unit by its name); a masked value or section reads "(ẩn)".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from registry import catalogue
from registry.codes import QUALIFICATION_LADDERS
from registry.org_units.models import OrgUnit
from registry.positions.models import Position
from registry.web.form_specs import FORMS
from registry.web.words import SECTION_TABLES, field_label, section_label, shown
from schemas.person_file import PersonFile
from schemas.persons import PersonRead

# Not sections: the person's own fields, and bookkeeping of the sync.
NOT_SECTIONS = {*PersonRead.model_fields, "provenance", "identity_verification"}
# Columns never worth a cell: links, digests, bookkeeping.
HIDDEN = {
    *("person_id", "membership_id", "owner_id", "sha256", "components", "id", "version"),
    *("created_at", "updated_at", "retired_at", "masked_fields"),
}
FIRST = ("work_history", "qualifications", "trainings", "evaluations", "party_membership")
LADDER_ORDER = {kind: n for n, kind in enumerate(QUALIFICATION_LADDERS)}


@dataclass
class Section:
    name: str
    heading: str
    columns: list[tuple[str, str]]  # (field, label)
    rows: list[list[str]] = field(default_factory=list)
    masked: bool = False
    record_ids: list[str] = field(default_factory=list)  # one per row, for its edit form
    form: str | None = None  # the record form that corrects a row, if the kind has one


def _as_dict(record: Any) -> dict[str, Any]:
    if isinstance(record, BaseModel):
        return record.model_dump()
    return dict(record)


def _ids_in(records: list[dict[str, Any]]) -> set[uuid.UUID]:
    return {v for r in records for v in r.values() if isinstance(v, uuid.UUID)}


def id_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """A post as "title — unit", a unit by its name; one query each."""
    if not ids:
        return {}
    names: dict[uuid.UUID, str] = dict(
        session.execute(sa.select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids)))
        .tuples()
        .all()
    )
    posts = session.execute(
        sa.select(Position.id, Position.title, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == Position.org_unit_id)
        .where(Position.id.in_(ids))
    ).all()
    for pid, title, unit in posts:
        names[pid] = f"{title} — {unit}"
    return names


def _columns(table: str, records: list[dict[str, Any]], lang: str) -> list[tuple[str, str]]:
    kind = catalogue.kind(table)
    if kind is not None:
        names = [f.name for f in kind.fields if not f.derived_from]
    else:  # a section without a kind yet: the record's own keys
        names = list(records[0]) if records else []
    return [(n, field_label(table, n, lang)) for n in names if n not in HIDDEN]


def _sorted(section: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if section == "qualifications":  # by ladder: the kinds in their order, highest first
        return sorted(records, key=lambda r: (LADDER_ORDER.get(r.get("kind", ""), 99),))
    return records


def sections(session: Session, file: PersonFile, lang: str, masked_text: str) -> list[Section]:
    data = {name: getattr(file, name) for name in type(file).model_fields}
    names = [n for n in data if n not in NOT_SECTIONS]
    names.sort(key=lambda n: (FIRST.index(n) if n in FIRST else len(FIRST), n))
    raw: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        value = data[name]
        items = value if isinstance(value, list) else ([] if value is None else [value])
        raw[name] = [_as_dict(r) for r in items if isinstance(r, BaseModel | dict)]
    lookup = id_names(session, _ids_in([r for rs in raw.values() for r in rs]))
    out = []
    for name in names:
        table = SECTION_TABLES.get(name, name)
        records = _sorted(name, raw[name])
        sec = Section(name, section_label(name, lang), _columns(table, records, lang))
        sec.masked = name in file.masked_fields
        sec.form = table if table in FORMS else None
        for r in records:
            sec.record_ids.append(str(r.get("id") or ""))
            hidden = set(r.get("masked_fields") or ())
            sec.rows.append(
                [
                    masked_text
                    if col in hidden
                    else shown(col, r.get(col), lang, names=lookup, table=table)
                    for col, _ in sec.columns
                ]
            )
        # Empty columns of a table are noise; headings stay for a section without rows.
        if sec.rows:
            keep = [i for i in range(len(sec.columns)) if any(row[i] for row in sec.rows)]
            sec.columns = [sec.columns[i] for i in keep]
            sec.rows = [[row[i] for i in keep] for row in sec.rows]
        out.append(sec)
    return out
