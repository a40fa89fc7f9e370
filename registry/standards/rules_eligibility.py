"""Eligibility after discipline (Regulation 377-QĐ/TW): a cadre is eligible again for
planning and appointment 24 months after a reprimand, 36 after a warning, 60 after removal
from post. A post taken up, or a planning decided, within that wait is a finding."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from registry.conduct.models import Discipline
from registry.planning.models import PlanningEntry
from registry.positions.models import Position
from registry.standards.findings import Finding
from registry.standards.inputs import RunInputs, add_months

# Taking up a post by a decision of cadre work (not a transfer or a secondment).
TAKING_UP = ("appointment", "election", "rotation", "acting", "concurrent")


def _eligibility(ev: RunInputs) -> dict[str, dict[str, int]]:
    return {"months_after_discipline": ev.params.discipline_months()}


def eligibility_rule(ev: RunInputs) -> None:
    """A leadership post taken up (or, in a dry run, about to be) within the waiting period
    after a discipline decision: 24 months after a reprimand, 36 after a warning, 60 after
    removal from post (Regulation 377-QĐ/TW). A rule of every post, whatever its standard."""
    d, h, fn = Discipline, ev.h, ev.fn
    within = sa.or_(
        *[
            sa.and_(d.form == form, d.decided_on > fn.months_before(h.c.valid_from, months))
            for form, months in ev.params.discipline_months().items()
        ]
    )
    waiting = (
        d.person_id == h.c.person_id,
        d.retired_at.is_(None),
        d.decided_on <= h.c.valid_from,
        within,
    )
    hits = sa.select(d.id, d.form, d.decided_on).where(*waiting).correlate(h)
    ev.emit(
        "appointed_while_ineligible",
        None,
        sa.and_(
            h.c.is_leadership.is_(True),
            h.c.kind.in_(TAKING_UP),
            sa.exists(sa.select(d.id).where(*waiting)),
        ),
        requirement=_eligibility(ev),
        explained=fn.records_explained(
            hits,
            "disciplines",
            lambda c: [c.decided_on, c.id],
            lambda c: fn.json_object(form=c.form, decided_on=c.decided_on),
        ),
        since=h.c.valid_from,
    )


def planning_eligibility_rule(ev: RunInputs) -> None:
    """A person put in the planning for a post within the waiting period after a discipline
    decision. Planning entries of disciplined people are few: judged in Python."""
    if ev.hypothetical:
        return
    p, d = PlanningEntry, Discipline
    stmt = (
        sa.select(
            p.id,
            p.person_id,
            p.position_id,
            p.decided_on,
            Position.org_unit_id,
            d.id.label("discipline_id"),
            d.form,
            d.decided_on.label("disciplined_on"),
        )
        .join(Position, Position.id == p.position_id)
        .join(
            d,
            sa.and_(
                d.person_id == p.person_id, d.retired_at.is_(None), d.decided_on <= p.decided_on
            ),
        )
        .where(p.retired_at.is_(None), Position.retired_at.is_(None), p.decided_on <= ev.on)
        .order_by(p.id, d.decided_on, d.id)
    )
    if ev.person_ids is not None:
        stmt = stmt.where(p.person_id.in_(list(ev.person_ids)))
    # One finding per person and post, however many plannings of it fall in a wait.
    waits = ev.params.discipline_months()
    hits: dict[tuple[Any, Any], list[Any]] = {}
    for row in ev.rows(stmt):
        if add_months(row.disciplined_on, waits.get(row.form, 0)) > row.decided_on:
            hits.setdefault((row.person_id, row.position_id), []).append(row)
    for rows in hits.values():
        rows.sort(key=lambda r: (r.decided_on, str(r.id), r.disciplined_on, str(r.discipline_id)))
        first = rows[0]
        entries = list(dict.fromkeys(str(r.id) for r in rows))
        sanctions = {str(r.discipline_id): r for r in rows}
        ev.add(
            Finding(
                "planned_while_ineligible",
                first.position_id,
                first.org_unit_id,
                first.decided_on,
                first.person_id,
                requirement=_eligibility(ev),
                found=[
                    {"form": r.form, "decided_on": r.disciplined_on.isoformat()}
                    for r in sorted(sanctions.values(), key=lambda r: (r.disciplined_on, r.form))
                ],
                evidence=[{"table": "planning_entries", "id": i} for i in entries]
                + [{"table": "disciplines", "id": i} for i in sorted(sanctions)],
            )
        )
