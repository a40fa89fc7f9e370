"""The one-paragraph account of what the demo put in the registry, counted from the tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.assignments.models import Assignment
from registry.conduct.models import Commendation, Discipline
from registry.demo.structure import WARD
from registry.evaluations.models import Evaluation
from registry.history import RecordVersion
from registry.org_units.models import OrgUnit
from registry.party.models import PartyEvent, PartyMembership
from registry.persons.models import Person
from registry.planning.models import PlanningEntry
from registry.positions.models import Position
from registry.qualifications.models import Qualification, Training


def _count(session: Session, model: Any, *where: Any) -> int:
    stmt = sa.select(sa.func.count()).select_from(model).where(*where)
    return int(session.scalar(stmt) or 0)


def _tally(session: Session, column: sa.orm.InstrumentedAttribute[str]) -> dict[str, int]:
    rows = session.execute(sa.select(column, sa.func.count()).group_by(column))
    return {key: int(n) for key, n in rows}


def summarize(session: Session, *, seed: int, as_of: dt.date) -> str:
    kinds = _tally(session, OrgUnit.kind)
    statuses = _tally(session, PartyMembership.status)
    seats = int(session.scalar(sa.select(sa.func.sum(Position.headcount))) or 0)
    in_post = sa.select(sa.func.count(sa.distinct(Assignment.person_id))).where(
        Assignment.position_id.is_not(None), Assignment.valid_to.is_(None)
    )
    cadres = sa.select(sa.func.count(sa.distinct(Assignment.person_id)))
    members = sum(statuses.values())
    return (
        f"Built the demo ward Phường {WARD} (seed {seed}, as of {as_of:%d/%m/%Y}): "
        f"{sum(kinds.values())} org units ({kinds.get('party_cell', 0)} party cells under the "
        f"Party Committee, {kinds.get('specialised_office', 0)} offices and party organs, "
        f"{kinds.get('mass_organisation', 0)} mass organisations under the Fatherland Front), "
        f"{_count(session, Position)} positions with {seats} seats, and "
        f"{_count(session, Person)} persons. {session.scalar(cadres) or 0} cadres "
        f"({session.scalar(in_post) or 0} in a post today) have "
        f"{_count(session, Assignment)} work-history entries, "
        f"{_count(session, Qualification)} qualifications, {_count(session, Training)} "
        f"trainings, {_count(session, Evaluation)} evaluations, "
        f"{_count(session, Commendation)} commendations, {_count(session, Discipline)} "
        f"disciplines and {_count(session, PlanningEntry)} planning entries. "
        f"{members} party memberships: {statuses.get('official', 0)} official, "
        f"{statuses.get('probationary', 0)} probationary, "
        f"{statuses.get('transferred_out', 0)} transferred out, {statuses.get('left', 0)} left, "
        f"{statuses.get('deceased', 0)} deceased; "
        f"{_count(session, PartyEvent, PartyEvent.kind == 'transfer')} transfers between cells. "
        f"History holds {_count(session, RecordVersion)} versions."
    )
