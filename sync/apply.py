"""Applying what an external system asserts, by the authority matrix.

A value for a field the source owns is applied with provenance when the registry's current
value was itself last asserted by that source (or is empty); otherwise — a local edit made
since — it becomes a conflict for an administrator. Values for fields the source does not own
become conflicts too. Nothing here writes unless a value actually differs.
"""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.alerts.models import Alert
from registry.alerts.service import reevaluate_people
from registry.assignments.models import Assignment
from registry.codes import place_2025 as place_2025  # moved there; jobs import it here
from registry.context import Ctx
from registry.dates import PartialDate
from registry.persons import writer
from registry.persons.models import Person, Provenance
from registry.persons.service import current_state
from registry.planning.models import PlanningEntry
from sync.authority import group_of, owns
from sync.models import Conflict


def provenance_group(field: str) -> str:
    return group_of(field)


def _jsonable(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


OpenConflicts = dict[tuple[uuid.UUID, str], Conflict]


def load_open_conflicts(
    session: Session, person_ids: list[uuid.UUID], system: str
) -> OpenConflicts:
    rows = session.scalars(
        sa.select(Conflict).where(
            Conflict.person_id.in_(person_ids),
            Conflict.system == system,
            Conflict.status == "open",
        )
    )
    return {(c.person_id, c.field): c for c in rows}


def record_conflict(
    session: Session,
    ctx: Ctx,
    person_id: uuid.UUID,
    *,
    system: str,
    field: str,
    reason: str,
    local: Any,
    remote: Any,
    known: OpenConflicts | None = None,
) -> bool:
    """Open a conflict unless the same one is already open (then refresh its remote value).
    True when a new one was opened. ``known``: the open conflicts already loaded (bulk)."""
    if known is None:
        known = {
            (c.person_id, c.field): c
            for c in session.scalars(
                sa.select(Conflict).where(
                    Conflict.person_id == person_id,
                    Conflict.system == system,
                    Conflict.field == field,
                    Conflict.status == "open",
                )
            )
        }
    open_ = known.get((person_id, field))
    cid = uuid.uuid4() if open_ is None else open_.id

    def enc(column: str, value: Any) -> bytes | None:
        if value is None:
            return None
        return ctx.cipher.encrypt(
            _jsonable(value), table="sync_conflicts", column=column, row_id=cid
        )

    if open_ is not None:
        open_.remote_ct = enc("remote_ct", remote)
        return False
    conflict = Conflict(
        id=cid,
        person_id=person_id,
        system=system,
        field=field,
        reason=reason,
        local_ct=enc("local_ct", local),
        remote_ct=enc("remote_ct", remote),
    )
    session.add(conflict)
    known[(person_id, field)] = conflict
    return True


# Names as the registry stores them whatever a peer sends: NFC, single-spaced (the adapters
# already do this; applying it here too means no peer's NFD name becomes a conflict or a write).
NAME_FIELDS = frozenset({"family_name", "middle_name", "given_name", "other_names"})


def normalised(values: dict[str, Any]) -> dict[str, Any]:
    return {
        f: " ".join(unicodedata.normalize("NFC", v).split())
        if f in NAME_FIELDS and isinstance(v, str)
        else v
        for f, v in values.items()
    }


def same(field: str, ours: Any, theirs: Any) -> bool:
    if field == "birth_date" and isinstance(ours, str) and isinstance(theirs, str):
        return PartialDate.parse(ours).agrees_with(PartialDate.parse(theirs))
    return bool(ours == theirs)


def decide(
    session: Session,
    ctx: Ctx,
    person_id: uuid.UUID,
    *,
    system: str,
    current: dict[str, Any],
    values: dict[str, Any],
    source_of: dict[str, str | None],
    known: OpenConflicts | None = None,
) -> tuple[dict[str, Any], int]:
    """Split asserted ``values`` into those to apply and conflicts (opened here).
    ``source_of``: provenance group → who last asserted it."""
    applied: dict[str, Any] = {}
    conflicts = 0
    for field, theirs in normalised(values).items():
        ours = current.get(field)
        if same(field, ours, theirs):
            continue
        source = source_of.get(provenance_group(field))
        if not owns(system, field):
            conflicts += record_conflict(
                session,
                ctx,
                person_id,
                system=system,
                field=field,
                reason="not_owned",
                local=ours,
                remote=theirs,
                known=known,
            )
        elif ours in (None, "") or source in (None, system):
            applied[field] = theirs
        else:
            conflicts += record_conflict(
                session,
                ctx,
                person_id,
                system=system,
                field=field,
                reason="local_edit",
                local=ours,
                remote=theirs,
                known=known,
            )
    return applied, conflicts


def load_sources(session: Session, person_ids: list[uuid.UUID], group: str) -> dict[uuid.UUID, str]:
    """Who last asserted ``group`` for each person, in one query."""
    rows = session.execute(
        sa.select(Provenance.person_id, Provenance.source).where(
            Provenance.person_id.in_(person_ids), Provenance.field_group == group
        )
    )
    return {r[0]: r[1] for r in rows}


def apply_asserted(
    session: Session, ctx: Ctx, person: Person, *, system: str, values: dict[str, Any]
) -> tuple[list[str], int]:
    """Apply ``values`` asserted by ``system`` to one person (ORM path, small volumes)."""
    groups = {provenance_group(f) for f in values}
    sources = {g: load_sources(session, [person.id], g).get(person.id) for g in groups}
    applied, conflicts = decide(
        session,
        ctx,
        person.id,
        system=system,
        current=current_state(ctx, person),
        values=values,
        source_of=sources,
    )
    if applied:
        write_values(session, ctx, person, applied, system)
    return sorted(applied), conflicts


def write_values(
    session: Session, ctx: Ctx, person: Person, values: dict[str, Any], system: str
) -> None:
    writer.write(session, ctx.cipher, person, values, source=system)
    session.flush()


def reevaluate(session: Session, person_ids: Iterable[uuid.UUID], counts: Counter[str]) -> None:
    """Re-judge the alerts of the people a job changed, set-based and in the job's transaction
    (as the API does in-request), so a sync change does not wait for the nightly run."""
    ids = _subjects(session, set(person_ids))
    if not ids:
        return
    outcome = reevaluate_people(session, ids)
    for what in ("opened", "resolved", "reopened"):
        if outcome[what]:
            counts[f"alerts_{what}"] += outcome[what]


def _subjects(session: Session, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Those of ``ids`` an alert can be about. Every finding names a post (held or planned),
    so a person who never held one, is in no plan and has no alert has nothing to re-judge —
    most officials of a page, whose evaluation would otherwise cost a full rule run."""
    if not ids:
        return set()
    held = [
        sa.select(column).where(column.in_(ids))
        for column in (Assignment.person_id, PlanningEntry.person_id, Alert.person_id)
    ]
    return {pid for pid in session.scalars(sa.union(*held)) if pid is not None}


# The places a national database asserts, stored as (unit code, code-list version, text),
# mapped to the 2025 units by ``registry.codes.place_2025`` (the import uses it too).
PLACE_FIELDS = ("origin_place", "permanent_residence")
