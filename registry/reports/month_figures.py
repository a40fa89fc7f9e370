"""The figures of one month's report, each as the records stood at the month's end.

"At the month's end" is the last day of the month in Vietnam (or today, for the running
month). Facts with dates of their own (posts held, party membership and its decisions,
evaluation periods) are taken by those dates — a 2020 appointment keyed in this year counts
in 2020 — and records that are retired are left out. Alerts have no dates of their own but
their history: they are read as their recorded versions stood at the month's last instant.
A past month's report thus differs from the current month's where the data does.
Nothing here counts the registry's internal tables or when the demo ward was written: changes
are the posts and party decisions that took effect in the month.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.alerts.models import Alert
from registry.assignments.models import Assignment
from registry.evaluations.models import Evaluation
from registry.history import RecordVersion
from registry.org_units.models import OrgUnit
from registry.party.models import PartyEvent, PartyMembership
from registry.persons.models import Person
from registry.positions.models import Position
from registry.text import full_name

MEMBER = ("probationary", "official")


@dataclass(frozen=True)
class Window:
    """The month reported: its first and last day, and the instants they bound (Vietnam)."""

    first: dt.date
    last: dt.date  # the month's last day, or today for the running month
    start: dt.datetime  # first instant of ``first``
    end: dt.datetime  # first instant after ``last``


def _held_on(on: dt.date) -> Any:
    return sa.and_(
        Assignment.retired_at.is_(None),
        Assignment.valid_from <= on,
        sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to >= on),
    )


def cadres_by_unit(session: Session, w: Window) -> list[tuple[str, int, int]]:
    """Per unit (not party cells): people holding a post there on the last day, leaders
    apart. Cadres and civil servants by their posts, not party-cell members."""
    rows = session.execute(
        sa.select(
            OrgUnit.name,
            OrgUnit.path,
            sa.func.count(sa.distinct(Assignment.person_id)),
            sa.func.count(sa.distinct(sa.case((Position.is_leadership, Assignment.person_id)))),
        )
        .join(Position, Position.id == Assignment.position_id)
        .join(OrgUnit, OrgUnit.id == Position.org_unit_id)
        .where(_held_on(w.last))
        .group_by(OrgUnit.name, OrgUnit.path)
        .order_by(OrgUnit.path)
    ).all()
    return [(name, int(n), int(leaders)) for name, _path, n, leaders in rows]


def cadres_total(session: Session, w: Window) -> tuple[int, int]:
    """People holding a post on the last day, and leaders among them: each once, whatever
    number of posts or units they hold."""
    row = session.execute(
        sa.select(
            sa.func.count(sa.distinct(Assignment.person_id)),
            sa.func.count(sa.distinct(sa.case((Position.is_leadership, Assignment.person_id)))),
        )
        .join(Position, Position.id == Assignment.position_id)
        .where(_held_on(w.last))
    ).one()
    return int(row[0]), int(row[1])


def vacancies(session: Session, w: Window) -> list[tuple[str, str, int, int]]:
    """Posts (existing by the month's end) with fewer holders than their headcount."""
    held = (
        sa.select(Assignment.position_id, sa.func.count(Assignment.id).label("n"))
        .where(_held_on(w.last))
        .group_by(Assignment.position_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(OrgUnit.name, Position.title, Position.headcount, held.c.n)
        .join(OrgUnit, OrgUnit.id == Position.org_unit_id)
        .outerjoin(held, held.c.position_id == Position.id)
        .where(sa.or_(Position.retired_at.is_(None), Position.retired_at >= w.end))
        .order_by(OrgUnit.path, Position.title)
    ).all()
    return [(u, t, h, int(n or 0)) for u, t, h, n in rows if h > (n or 0)]


def _status_on(m: Any, events: list[Any], on: dt.date) -> str | None:
    if m.admitted_on > on:
        return None
    changes = [e for e in events if e.kind == "status" and e.effective_on <= on and e.to_status]
    if changes:
        return str(changes[-1].to_status)
    return "official" if m.official_on is not None and m.official_on <= on else "probationary"


def _cell_on(m: Any, events: list[Any], on: dt.date) -> uuid.UUID:
    moves = [e for e in events if e.kind == "transfer"]
    before = [e for e in moves if e.effective_on <= on and e.to_cell_id]
    if before:
        return uuid.UUID(str(before[-1].to_cell_id))
    after = [e for e in moves if e.effective_on > on and e.from_cell_id]
    return uuid.UUID(str(after[0].from_cell_id)) if after else uuid.UUID(str(m.party_cell_id))


def members_by_cell(session: Session, w: Window) -> list[tuple[str, int, int]]:
    """Per party cell: official and probationary members on the last day, from each
    membership's own dates and its status and transfer decisions up to that day."""
    memberships = session.execute(
        sa.select(
            PartyMembership.id,
            PartyMembership.party_cell_id,
            PartyMembership.admitted_on,
            PartyMembership.official_on,
        ).where(PartyMembership.retired_at.is_(None))
    ).all()
    events: dict[uuid.UUID, list[Any]] = {}
    for e in session.execute(
        sa.select(
            PartyEvent.membership_id,
            PartyEvent.kind,
            PartyEvent.to_status,
            PartyEvent.from_cell_id,
            PartyEvent.to_cell_id,
            PartyEvent.effective_on,
        )
        .where(PartyEvent.retired_at.is_(None))
        .order_by(PartyEvent.effective_on, PartyEvent.created_at)
    ):
        events.setdefault(e.membership_id, []).append(e)
    counts: Counter[tuple[uuid.UUID, str]] = Counter()
    for m in memberships:
        mine = events.get(m.id, [])
        status = _status_on(m, mine, w.last)
        if status in MEMBER:
            counts[(_cell_on(m, mine, w.last), status)] += 1
    cells = dict(
        session.execute(sa.select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "party_cell"))
        .tuples()
        .all()
    )
    order = sorted({cell for cell, _ in counts}, key=lambda c: cells.get(c, ""))
    return [
        (cells.get(c, "?"), counts[(c, "official")], counts[(c, "probationary")]) for c in order
    ]


def _alert_states(session: Session, w: Window) -> dict[uuid.UUID, list[tuple[dt.datetime, Any]]]:
    rows = session.execute(
        sa.select(RecordVersion.row_id, RecordVersion.recorded_at, RecordVersion.data)
        .where(RecordVersion.table_name == Alert.__tablename__, RecordVersion.recorded_at < w.end)
        .order_by(RecordVersion.seq)
    )
    out: dict[uuid.UUID, list[tuple[dt.datetime, Any]]] = {}
    for row_id, at, data in rows:
        out.setdefault(row_id, []).append((at, data))
    return out


@dataclass(frozen=True)
class RuleCounts:
    open_at_end: int = 0
    opened: int = 0
    resolved: int = 0
    waived: int = 0


def shortfalls_by_rule(session: Session, w: Window) -> dict[str, RuleCounts]:
    """Per rule: alerts open (or acknowledged) at the month's end, and those opened (or
    reopened), resolved and waived during the month — read from the alerts' versions."""
    tally: dict[str, Counter[str]] = {}
    for versions in _alert_states(session, w).values():
        rule = str(versions[-1][1].get("rule"))
        c = tally.setdefault(rule, Counter())
        if versions[-1][1].get("status") in ("open", "acknowledged"):
            c["open_at_end"] += 1
        before: str | None = None
        for at, data in versions:
            status = data.get("status")
            if at >= w.start and status != before:
                if status == "open" and before in (None, "resolved", "waived"):
                    c["opened"] += 1
                elif status in ("resolved", "waived"):
                    c[str(status)] += 1
            before = status
    return {
        rule: RuleCounts(c["open_at_end"], c["opened"], c["resolved"], c["waived"])
        for rule, c in sorted(tally.items())
    }


def evaluations_by_period(session: Session, w: Window) -> dict[str, Counter[str]]:
    """Classifications of the periods of the month's year (and the year before), as recorded
    by the month's end."""
    years = (str(w.last.year), str(w.last.year - 1))
    rows = session.execute(
        sa.select(Evaluation.period, Evaluation.classification, sa.func.count(Evaluation.id))
        .where(
            Evaluation.retired_at.is_(None),
            sa.or_(*(Evaluation.period.startswith(y) for y in years)),
        )
        .group_by(Evaluation.period, Evaluation.classification)
    ).all()
    out: dict[str, Counter[str]] = {}
    for period, cls, n in rows:
        out.setdefault(period, Counter())[cls] = int(n)
    return dict(sorted(out.items(), reverse=True))


@dataclass(frozen=True)
class PostChange:
    day: dt.date
    name: str
    post: str
    kind: str  # the assignment's kind, or "ended"


def post_changes(session: Session, w: Window) -> list[PostChange]:
    """Posts taken up or left during the month (by the decision's own dates)."""
    rows = session.execute(
        sa.select(
            Assignment.valid_from,
            Assignment.valid_to,
            Assignment.kind,
            Assignment.external_post,
            Position.title,
            Person.family_name,
            Person.middle_name,
            Person.given_name,
        )
        .join(Person, Person.id == Assignment.person_id)
        .outerjoin(Position, Position.id == Assignment.position_id)
        .where(
            Assignment.retired_at.is_(None),
            sa.or_(
                Assignment.valid_from.between(w.first, w.last),
                Assignment.valid_to.between(w.first, w.last),
            ),
        )
    ).all()
    out: list[PostChange] = []
    for start, stop, kind, external, title, fam, mid, given in rows:
        name, post = full_name(fam, mid, given), title or external or ""
        if w.first <= start <= w.last:
            out.append(PostChange(start, name, post, kind))
        if stop is not None and w.first <= stop <= w.last:
            out.append(PostChange(stop, name, post, "ended"))
    return sorted(out, key=lambda c: (c.day, c.name))


@dataclass(frozen=True)
class PartyChange:
    day: dt.date
    name: str
    what: str  # admitted | official | to_status:<status> | transfer


def party_changes(session: Session, w: Window) -> list[PartyChange]:
    """Admissions, official recognitions, status decisions and transfers in the month."""
    people = (
        sa.select(PartyMembership, Person.family_name, Person.middle_name, Person.given_name)
        .join(Person, Person.id == PartyMembership.person_id)
        .where(PartyMembership.retired_at.is_(None))
    )
    out: list[PartyChange] = []
    names: dict[uuid.UUID, str] = {}
    for m, fam, mid, given in session.execute(people):
        names[m.id] = full_name(fam, mid, given)
        if w.first <= m.admitted_on <= w.last:
            out.append(PartyChange(m.admitted_on, names[m.id], "admitted"))
        if m.official_on is not None and w.first <= m.official_on <= w.last:
            out.append(PartyChange(m.official_on, names[m.id], "official"))
    events = session.execute(
        sa.select(PartyEvent).where(
            PartyEvent.effective_on.between(w.first, w.last),
            PartyEvent.retired_at.is_(None),
        )
    ).scalars()
    for e in events:
        if e.kind == "status" and e.to_status == "official":
            continue  # the membership's official date says it already
        what = f"to_status:{e.to_status}" if e.kind == "status" else "transfer"
        out.append(PartyChange(e.effective_on, names.get(e.membership_id, ""), what))
    return sorted(out, key=lambda c: (c.day, c.name))
