"""Rules of a holder's career: rank held against the rank the post requires (Decree
361/2025), years of experience (in total and in comparable posts), re-appointment due at the
end of the appointment term, and the evaluation class the disciplines of its year cap."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from registry.assignments.models import Assignment
from registry.assignments.rules import TERM_KINDS
from registry.conduct.models import Discipline
from registry.evaluations.models import Evaluation
from registry.evaluations.rules import evaluation_rules, period_year
from registry.persons.models import Person
from registry.positions.models import Position
from registry.ranks import meeting, ranks
from registry.standards.inputs import RunInputs, add_months
from registry.standards.sqlfn import cat

# Position attributes that state a requirement, and the rule that evaluates each.
POSITION_REQUIREMENTS = {
    "required_rank": "rank_mismatch",
    "rotation_period_months": "rotation_overdue",
    "headcount": "vacancy",
}


def rank_rule(ev: RunInputs) -> None:
    """Decree 361/2025/NĐ-CP: holders are placed in ranks matching their job position by the
    due date (1 July 2027, a rule parameter). A post requiring a rank is met by it or a more
    senior rank of its ladder; the finding states the due date."""
    h = ev.h
    due = ev.params.date("rank.matching_due").isoformat()
    required = ev.session.scalars(
        sa.select(sa.distinct(h.c.required_rank)).where(h.c.required_rank.is_not(None))
    ).all()
    held = (
        sa.select(cat('{"found": {"rank_held": "', sa.func.coalesce(Person.rank_code, ""), '"}}'))
        .where(Person.id == h.c.person_id)
        .correlate(h)
        .scalar_subquery()
    )
    for rank in sorted(required):
        ok = meeting(rank) if rank in ranks() else [rank]
        matching = sa.select(Person.id).where(Person.id == h.c.person_id, Person.rank_code.in_(ok))
        ev.emit(
            "rank_mismatch",
            None,
            sa.and_(h.c.required_rank == rank, ~sa.exists(matching)),
            requirement={"required_rank": rank, "meeting": ok, "due_on": due},
            explained=held,
            since=h.c.valid_from,
        )


def _days(intervals: list[tuple[dt.date, dt.date]]) -> int:
    """Days covered by the union of inclusive intervals (overlaps counted once). A year of
    experience is 365 days: N calendar years always meet N years."""
    days, reach = 0, dt.date.min
    for start, end in sorted(intervals):
        if end < start:
            continue
        if start > reach:
            days += (end - start).days + 1
        elif end > reach:
            days += (end - reach).days
        reach = max(reach, end)
    return days


def experience_rule(ev: RunInputs) -> None:
    """Minimum years of work before taking up the post (the standard of the post: Decree
    361/2025, Circular 12/2022/TT-BNV), from the work history: every stretch before the
    holder's start in the post, in total and in posts of the listed job-position codes. Only
    holders of posts whose standard states it are read."""
    wanted = {
        f.linked_id: f
        for f in ev.forces.values()
        if f.requirements.min_years_experience or f.requirements.experience_in_comparable_posts
    }
    if not wanted:
        return
    h, a = ev.h, aliased(Assignment)
    stmt = (
        sa.select(
            h.c.person_id,
            h.c.position_id,
            h.c.org_unit_id,
            h.c.valid_from,
            h.c.standard_profile_id,
            a.valid_from.label("from_"),
            a.valid_to.label("to"),
            Position.job_position_code,
        )
        .join(a, sa.and_(a.person_id == h.c.person_id, a.retired_at.is_(None)))
        .outerjoin(Position, Position.id == a.position_id)
        .where(h.c.standard_profile_id.in_(list(wanted)), a.valid_from < h.c.valid_from)
    )
    history: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
    for row in ev.rows(stmt):
        history[(row.person_id, row.position_id)].append(row)
    holders = ev.rows(
        sa.select(
            h.c.person_id, h.c.position_id, h.c.org_unit_id, h.c.valid_from, h.c.standard_profile_id
        ).where(h.c.standard_profile_id.in_(list(wanted)))
    )
    for hold in holders:
        force = wanted[hold.standard_profile_id]
        req = force.requirements
        before = hold.valid_from - dt.timedelta(days=1)
        rows = history.get((hold.person_id, hold.position_id), [])
        spans = [(r.from_, min(r.to or before, before)) for r in rows]
        if req.min_years_experience:
            total = _days(spans)
            if total < req.min_years_experience * 365:
                ev.add(
                    ev.finding(
                        "experience",
                        hold,
                        force,
                        requirement={"min_years_experience": req.min_years_experience},
                        found={"years_before_post": round(total / 365.25, 1)},
                    )
                )
        comparable = req.experience_in_comparable_posts
        if comparable:
            codes = set(comparable.job_position_codes)
            got = _days(
                [s for s, r in zip(spans, rows, strict=True) if r.job_position_code in codes]
            )
            if got < comparable.years * 365:
                ev.add(
                    ev.finding(
                        "experience_in_comparable_posts",
                        hold,
                        force,
                        requirement=comparable.model_dump(),
                        found={"years_in_comparable_posts": round(got / 365.25, 1)},
                    )
                )


def reappointment_rule(ev: RunInputs) -> None:
    """Re-appointment due: the appointment term (5 years, Guidance 06-HD/BTCTW; the
    assignment's own due date when recorded) ends within the warning months (Regulation
    80-QĐ/TW: re-appointment is prepared before the term ends). SQL over every holder: one
    finding per leadership post in five at a ward's scale, too many to judge in Python."""
    if ev.hypothetical:
        return
    h, fn = ev.h, ev.fn
    warn = ev.params.number("reappointment.warning_months")
    years = ev.params.number("appointment.term_years")
    horizon = add_months(ev.on, warn)
    # A loose bound first (a few days over, cheap to test), then the exact term end.
    loose = dt.date(horizon.year - years, horizon.month, min(horizon.day, 28))
    due = sa.case(
        (h.c.reappointment_due_on.is_not(None), h.c.reappointment_due_on),
        (
            sa.and_(h.c.is_leadership.is_(True), h.c.kind.in_(sorted(TERM_KINDS))),
            fn.term_end(h.c.valid_from, years),
        ),
        else_=sa.null(),
    )
    condition = sa.and_(
        sa.or_(
            h.c.reappointment_due_on <= horizon,
            sa.and_(
                h.c.reappointment_due_on.is_(None),
                h.c.is_leadership.is_(True),
                h.c.kind.in_(sorted(TERM_KINDS)),
                h.c.valid_from <= loose + dt.timedelta(days=4),
            ),
        ),
        due <= horizon,
    )
    forces = list(ev.forces.values())
    with_standard = h.c.standard_profile_id.in_([f.linked_id for f in forces])
    without_standard = sa.or_(h.c.standard_profile_id.is_(None), ~with_standard)
    # Posts under a standard in force carry it in the finding; the others carry none.
    for under, where in ((forces, condition), (None, sa.and_(condition, without_standard))):
        if under is not None and not under:
            continue  # no standard in force: the second statement judges every post
        ev.emit(
            "reappointment_due",
            under,
            where,
            requirement={"warning_months": warn, "term_years": years},
            explained=cat(
                '{"found": {"reappointment_due_on": "',
                fn.iso_date(due),
                '"}, "evidence": []}',
            ),
            since=fn.greatest(h.c.valid_from, fn.add_months(due, -warn)),
        )


def evaluation_cap_rule(ev: RunInputs) -> None:
    """The discipline cap re-applied: an evaluation whose class is above what the
    disciplines decided in its year allow (a discipline recorded after the evaluation, Decree
    335/2025 and Regulation 366-QĐ/TW: a disciplined cadre is not classed above the cap). The
    finding proposes the corrected class; the decision stays with people."""
    if ev.hypothetical:
        return  # about a past evaluation, not a standard of the post
    h, e, d = ev.h, Evaluation, Discipline
    stmt = (
        sa.select(
            h.c.person_id,
            h.c.position_id,
            h.c.org_unit_id,
            h.c.valid_from,
            e.id.label("evaluation_id"),
            e.period,
            e.classification,
            d.id.label("discipline_id"),
            d.form,
            d.decided_on,
        )
        .join(e, sa.and_(e.person_id == h.c.person_id, e.retired_at.is_(None)))
        .join(d, sa.and_(d.person_id == h.c.person_id, d.retired_at.is_(None)))
        .where(d.decided_on <= ev.on)
        .order_by(e.period, e.id, d.decided_on, d.id)
    )
    rules = evaluation_rules()
    found: dict[tuple[Any, Any], dict[str, Any]] = {}
    forms: dict[Any, set[str]] = defaultdict(set)
    seen: dict[Any, Any] = {}
    for row in ev.rows(stmt):
        if row.decided_on.year == period_year(row.period):
            forms[(row.person_id, row.position_id, row.evaluation_id)].add(row.form)
            seen[(row.person_id, row.position_id, row.evaluation_id)] = row
    for key, fs in forms.items():
        row = seen[key]
        _, ceiling, caps = rules.classify(100, fs)
        if rules.rank(row.classification) <= rules.rank(ceiling):
            continue
        f = found.setdefault((row.person_id, row.position_id), {"row": row, "items": []})
        f["items"].append(
            {
                "evaluation_id": str(row.evaluation_id),
                "period": row.period,
                "classification": row.classification,
                "proposed": ceiling,
                "caps": caps,
            }
        )
    for f in found.values():
        row, items = f["row"], sorted(f["items"], key=lambda i: (i["period"], i["evaluation_id"]))
        ev.add(
            ev.finding(
                "evaluation_cap_outdated",
                row,
                None,
                requirement={"caps": [c.rule_id for c in rules.caps]},
                found=items,
                evidence=[{"table": "evaluations", "id": i["evaluation_id"]} for i in items],
                since=row.valid_from,
            )
        )
