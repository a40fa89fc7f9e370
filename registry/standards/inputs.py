"""Shared inputs of one standards run, and date arithmetic the rules use.

A rule adds to the run either SQL (``ev.emit``: a select of findings over the holders, its
explanation built in the database) or, for the few findings that need Python (the retirement
schedule, vacancies), ready ``Finding`` objects (``ev.add``)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.assignments.models import Assignment
from registry.party.models import PartyMembership
from registry.positions.models import Position
from registry.standards import parameters
from registry.standards.findings import Finding, Statement
from registry.standards.profiles import InForce, in_force
from registry.standards.sqlfn import SqlFn


def months_before(day: dt.date, months: int) -> dt.date:
    return add_months(day, -months)


def add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, min(day.day, 28))


def holders(on: dt.date, person_ids: Iterable[uuid.UUID] | None) -> Any:
    stmt = (
        sa.select(
            Assignment.id.label("assignment_id"),
            Assignment.person_id,
            Assignment.position_id,
            Assignment.valid_from,
            Assignment.kind,
            Position.org_unit_id,
            Position.standard_profile_id,
            Position.rotation_period_months,
            Position.is_leadership,
            Position.required_rank,
            Assignment.reappointment_due_on,
        )
        .join(Position, Position.id == Assignment.position_id)
        .where(
            Assignment.retired_at.is_(None),
            Position.retired_at.is_(None),
            Assignment.valid_from <= on,
            sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to >= on),
        )
    )
    if person_ids is not None:
        stmt = stmt.where(Assignment.person_id.in_(list(person_ids)))
    return stmt.subquery("h")


FOLLOWED = ("official", "probationary", "transferred_out")


def members_without_post(on: dt.date, person_ids: Iterable[uuid.UUID] | None) -> Any:
    """Every party member whose party life the ward follows (a current member, or one
    transferred out whose transfer may still be pending; each party rule says which statuses
    it judges) who holds no post of the ward on ``on``, in the columns of the holders the party
    rules read: no post, the org unit their party cell, ``valid_from`` the admission."""
    m = PartyMembership
    holds = (
        sa.select(Assignment.id)
        .join(Position, Position.id == Assignment.position_id)
        .where(
            Assignment.person_id == m.person_id,
            Assignment.retired_at.is_(None),
            Position.retired_at.is_(None),
            Assignment.valid_from <= on,
            sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to >= on),
        )
    )
    stmt = sa.select(
        m.person_id,
        sa.null().label("position_id"),
        m.party_cell_id.label("org_unit_id"),
        m.admitted_on.label("valid_from"),
    ).where(
        m.retired_at.is_(None),
        m.status.in_(FOLLOWED),
        m.admitted_on <= on,
        ~sa.exists(holds),
    )
    if person_ids is not None:
        stmt = stmt.where(m.person_id.in_(list(person_ids)))
    return stmt


class RunInputs:
    """What every rule of one run shares: the date, the holders subquery and the versions of
    the standards in force. ``h`` may be replaced by would-be holders (candidates for a post,
    an appointment not yet signed); ``hypothetical`` then silences the rules about posts."""

    def __init__(
        self,
        session: Session,
        on: dt.date,
        person_ids: set[uuid.UUID] | None,
        *,
        h: Any = None,
        hypothetical: bool = False,
    ) -> None:
        self.session, self.on, self.person_ids = session, on, person_ids
        self.h = holders(on, person_ids) if h is None else h
        self.hypothetical = hypothetical
        self.forces = in_force(session, on)
        self.params = parameters.in_force(session, on)
        self.fn = SqlFn(session.get_bind().dialect.name)
        self.selects: list[sa.Select[Any]] = []
        self.computed: list[Finding] = []
        self.statements: list[Statement] = []
        self._numbers: dict[Statement, int] = {}
        self._party: Any = None

    @property
    def party(self) -> Any:
        """The subjects of the party obligations: every holder of a post (one row per post
        held, as for every rule of a post) and every party member who holds none (no post,
        their party cell as the org unit): a member is judged once, with their posts or as a
        member."""
        if self._party is None:
            h = self.h
            self._party = sa.union_all(
                sa.select(
                    h.c.person_id,
                    sa.type_coerce(h.c.position_id, sa.Uuid).label("position_id"),
                    h.c.org_unit_id,
                    h.c.valid_from,
                ),
                members_without_post(self.on, self.person_ids),
            ).subquery("party_subjects")
        return self._party

    def groups(self, pick: Callable[[InForce], Any]) -> dict[Any, list[InForce]]:
        out: dict[Any, list[InForce]] = defaultdict(list)
        for f in self.forces.values():
            value = pick(f)
            if value is not None and value is not False:
                out[value].append(f)
        return out

    def statement(self, st: Statement) -> int:
        """The number of a statement in this run (the same statement, the same number)."""
        no = self._numbers.get(st)
        if no is None:
            no = self._numbers[st] = len(self.statements)
            self.statements.append(st)
        return no

    def emit(
        self,
        rule: str,
        forces: list[InForce] | None,
        condition: Any,
        *,
        requirement: dict[str, Any],
        found: Any = None,
        explained: Any = None,
        since: Any = None,
        over: Any = None,
    ) -> None:
        """Findings of ``rule`` for the holders meeting ``condition``, under ``forces`` (the
        standards that carry the rule; None: a rule of every post). ``found`` is a value found
        that is the same for every holder; ``explained`` SQL producing, per holder, the JSON
        text ``{"found": …, "evidence": […]}``; ``since`` defaults to the later of the start
        in post and the start of the version in force. ``over``: the subjects judged when
        not the holders (``party``: every party member)."""
        h, fn = self.h if over is None else over, self.fn
        req = json.dumps(requirement)
        same = None if found is None else json.dumps(found)
        where = [condition]
        if forces is None:
            stmt: Any = sa.literal(self.statement(Statement(rule, req, None, same)))
        else:
            where.append(h.c.standard_profile_id.in_([f.linked_id for f in forces]))
            stmt = self._per_force(
                forces,
                lambda f: sa.literal(
                    self.statement(Statement(rule, req, json.dumps(f.described), same))
                ),
            )
            if since is None:
                since = fn.greatest(h.c.valid_from, self.standard_start(forces))
        self.selects.append(
            sa.select(
                sa.type_coerce(stmt, sa.Integer).label("stmt"),
                h.c.position_id,
                h.c.person_id,
                h.c.person_id.label("subject"),
                h.c.org_unit_id,
                sa.type_coerce(h.c.valid_from if since is None else since, sa.Date).label("since"),
                sa.type_coerce(sa.null() if explained is None else explained, sa.Text).label(
                    "explained"
                ),
            ).where(*where)
        )

    def standard_start(self, forces: list[InForce]) -> Any:
        """The start of the version in force, for each holder's post."""
        return self._per_force(forces, lambda f: sa.literal(f.effective_from, sa.Date))

    def _per_force(self, forces: list[InForce], value: Callable[[InForce], Any]) -> Any:
        if len(forces) == 1:
            return value(forces[0])
        return sa.case(*[(self.h.c.standard_profile_id == f.linked_id, value(f)) for f in forces])

    def add(self, finding: Finding) -> None:
        self.computed.append(finding)

    def rows(self, stmt: Any) -> list[Any]:
        return list(self.session.execute(stmt))

    def finding(
        self,
        rule: str,
        row: Any,
        force: InForce | None,
        *,
        since: dt.date | None = None,
        **kw: Any,
    ) -> Finding:
        if since is None:
            since = row.valid_from if force is None else max(row.valid_from, force.effective_from)
        return Finding(
            rule,
            row.position_id,
            row.org_unit_id,
            since,
            row.person_id,
            standard=None if force is None else force.described,
            **kw,
        )


def would_be_holders(position: Position, on: dt.date, persons: Any) -> Any:
    """The holders subquery as if every person of ``persons`` (a select of ids) held
    ``position`` from ``on``."""
    pool = persons.subquery("pool")
    return sa.select(
        sa.null().label("assignment_id"),
        pool.c.id.label("person_id"),
        sa.literal(position.id, sa.Uuid()).label("position_id"),
        sa.literal(on, sa.Date()).label("valid_from"),
        sa.literal("appointment").label("kind"),
        sa.literal(position.org_unit_id, sa.Uuid()).label("org_unit_id"),
        sa.literal(position.standard_profile_id, sa.Uuid()).label("standard_profile_id"),
        sa.literal(position.rotation_period_months, sa.Integer()).label("rotation_period_months"),
        sa.literal(position.is_leadership, sa.Boolean()).label("is_leadership"),
        sa.literal(position.required_rank, sa.String()).label("required_rank"),
        sa.null().label("reappointment_due_on"),
    ).subquery("h")
