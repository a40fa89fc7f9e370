"""Fit for a post: who meets its standard today, and what the near-misses lack; and what an
appointment would raise before anyone signs it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.principal import Principal
from registry.access.rows import is_withheld
from registry.access.scope import visible
from registry.alerts.privacy import shown_details
from registry.assignments.models import Assignment
from registry.dates import today
from registry.persons.models import Person
from registry.planning.models import PlanningEntry
from registry.positions.models import Position
from registry.standards.engine import evaluate
from registry.standards.findings import Finding
from registry.standards.inputs import would_be_holders


def _pool(principal: Principal, position: Position) -> Any:
    on = today()
    holding = sa.select(Assignment.person_id).where(
        Assignment.position_id == position.id,
        Assignment.retired_at.is_(None),
        Assignment.valid_from <= on,
        sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to >= on),
    )
    return visible(sa.select(Person.id), Person, principal).where(
        Person.retired_at.is_(None), Person.life_status == "alive", Person.id.not_in(holding)
    )


def candidates(
    session: Session,
    principal: Principal,
    position: Position,
    *,
    near_miss: int = 2,
    limit: int = 50,
) -> dict[str, Any]:
    pool = _pool(principal, position)
    findings = evaluate(session, on=today(), would_be=would_be_holders(position, today(), pool))
    lacking: dict[uuid.UUID, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.person_id is not None:
            lacking[f.person_id].append(f)
    meets = (
        session.scalars(
            pool.where(Person.id.not_in(list(lacking))).order_by(Person.id).limit(limit)
        ).all()
        if lacking
        else session.scalars(pool.order_by(Person.id).limit(limit)).all()
    )
    near = sorted(
        ((pid, fs) for pid, fs in lacking.items() if len(fs) <= near_miss),
        key=lambda item: (len(item[1]), str(item[0])),
    )[:limit]
    # What a person lacks under a rule made of a closed kind (a discipline, a party status) is
    # that kind's fact: withheld, and so is a near miss that lacks nothing else.
    near = [
        (pid, shown)
        for pid, fs in near
        if (shown := [f for f in fs if not is_withheld(principal, "alerts", "rule", f.rule)])
    ]
    return {
        "position_id": str(position.id),
        "meets": [str(pid) for pid in meets],
        "near_misses": [
            {
                "person_id": str(pid),
                "lacks": [
                    {"rule": f.rule, **shown_details(f.rule, f.details(), principal)} for f in fs
                ],
            }
            for pid, fs in near
        ],
    }


def appointment_findings(session: Session, assignment: Assignment) -> list[Finding]:
    """The findings the appointment (already flushed in a savepoint) would raise."""
    return evaluate(
        session, on=max(today(), assignment.valid_from), person_ids={assignment.person_id}
    )


def planning_findings(session: Session, entry: PlanningEntry) -> list[Finding]:
    """The findings a planning decision (already flushed in a savepoint) would raise about
    the post it plans for."""
    on = max(today(), entry.decided_on)
    return [
        f
        for f in evaluate(session, on=on, person_ids={entry.person_id})
        if f.position_id == entry.position_id
    ]
