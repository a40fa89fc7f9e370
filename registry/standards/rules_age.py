"""Rules of age and working time left: headroom before retirement at a first appointment
(Guidance 06-HD/BTCTW), ten years left for a rotated cadre (Regulation 65-QĐ/TW), and
retirements with nobody planned.

Retirement dates follow a schedule (``retirement.py``) that SQL cannot express portably; this
reads only the holders these rules concern (leadership posts, posts whose standard asks for
headroom, rotations), not every person."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from registry.assignments.models import Assignment
from registry.persons.models import Person
from registry.planning.models import PlanningEntry
from registry.standards.inputs import RunInputs, add_months
from registry.standards.profiles import InForce
from registry.standards.retirement import retirement_date

# A first appointment, election or rotation into a post is judged for headroom; a
# re-appointment to the same post, an acting or concurrent holding is not.
FIRST_TAKING_UP = ("appointment", "election", "rotation")


def _earlier_in_same_post(ev: RunInputs) -> Any:
    """Whether the holder held this very post before this stretch (a re-appointment)."""
    h, a = ev.h, aliased(Assignment)
    return sa.exists(
        sa.select(a.id).where(
            a.person_id == h.c.person_id,
            a.position_id == h.c.position_id,
            a.retired_at.is_(None),
            a.valid_from < h.c.valid_from,
        )
    ).label("reappointed")


def age_rules(ev: RunInputs) -> None:
    h = ev.h
    headroom = {
        f.linked_id: f for f in ev.forces.values() if f.requirements.retirement_headroom_years
    }
    stmt = (
        sa.select(h, Person.sex, Person.birth_date, _earlier_in_same_post(ev))
        .join(Person, Person.id == h.c.person_id)
        .where(
            sa.or_(
                h.c.is_leadership.is_(True),
                h.c.standard_profile_id.in_(list(headroom)),
                h.c.kind == "rotation",
            )
        )
    )
    for row in ev.rows(stmt):
        retires = retirement_date(row.sex, row.birth_date)
        force = headroom.get(row.standard_profile_id)
        if force is not None and row.kind in FIRST_TAKING_UP and not row.reappointed:
            _headroom(ev, row, force, retires)
        if row.kind == "rotation":
            _rotation_headroom(ev, row, retires)
        if not ev.hypothetical and row.is_leadership:
            _unplanned(ev, row, force, retires)


def _headroom(ev: RunInputs, row: Any, force: InForce, retires: Any) -> None:
    """Guidance 06-HD/BTCTW: at the first appointment to a post the cadre has at least the
    standard's years (5 for a five-year post) left before retirement age."""
    years = force.requirements.retirement_headroom_years or 0
    if retires < add_months(row.valid_from, years * 12):
        ev.add(
            ev.finding(
                "retirement_headroom",
                row,
                force,
                requirement={"years_before_retirement_at_appointment": years},
                found={
                    "appointed_on": row.valid_from.isoformat(),
                    "retires_on": retires.isoformat(),
                },
            )
        )


def _rotation_headroom(ev: RunInputs, row: Any, retires: Any) -> None:
    """Regulation 65-QĐ/TW: a rotated cadre has at least 10 years of working time left."""
    years = ev.params.number("rotation.min_years_left")
    if retires < add_months(row.valid_from, years * 12):
        ev.add(
            ev.finding(
                "rotation_headroom",
                row,
                None,  # a rule of every rotation, whatever the post's standard
                requirement={"years_of_working_time_left_at_rotation": years},
                found={
                    "rotated_on": row.valid_from.isoformat(),
                    "retires_on": retires.isoformat(),
                },
                since=row.valid_from,
            )
        )


def _unplanned(ev: RunInputs, row: Any, force: InForce | None, retires: Any) -> None:
    months = ev.params.number("retirement.warning_months")
    if retires <= add_months(ev.on, months) and not _someone_planned(
        ev.session, row.position_id, row.person_id
    ):
        ev.add(
            ev.finding(
                "retirement_unplanned",
                row,
                force,
                requirement={"months_ahead": months},
                found={"retires_on": retires.isoformat()},
                since=add_months(retires, -months),
            )
        )


def _someone_planned(session: Session, position_id: Any, holder: Any) -> bool:
    return (
        session.scalar(
            sa.select(
                sa.exists(
                    sa.select(PlanningEntry.id).where(
                        PlanningEntry.position_id == position_id,
                        PlanningEntry.person_id != holder,
                        PlanningEntry.retired_at.is_(None),
                    )
                )
            )
        )
        is True
    )
