"""Rules about a holder's own records: qualifications, party, planning, evaluations,
discipline, certificates. Each is SQL over the holders, one select per group of posts sharing
a threshold, with the explanation (value found, evidence, since when) built in the database."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from registry.codes import QUALIFICATION_LADDERS
from registry.conduct.models import Discipline
from registry.evaluations.models import Evaluation
from registry.party.models import PartyMembership
from registry.planning.models import PlanningEntry
from registry.positions.models import Position
from registry.qualifications.models import Qualification
from registry.standards.findings import Finding
from registry.standards.inputs import RunInputs, add_months, months_before
from registry.standards.profiles import InForce
from registry.standards.sqlfn import cat

ORDER = ["KHT", "HT", "HTT", "HTXS"]
# Months after a discipline decision before a cadre is eligible again (Regulation 377-QĐ/TW).
DISCIPLINE_MONTHS = {
    "reprimand": 24,
    "warning": 36,
    "removal_from_post": 60,
    "demotion": 60,
    "dismissal": 60,
    "expulsion": 60,
}


# Taking up a post by a decision of cadre work (not a transfer or a secondment).
TAKING_UP = ("appointment", "election", "rotation", "acting", "concurrent")
ELIGIBILITY = {"months_after_discipline": DISCIPLINE_MONTHS}


def _levels_from(kind: str, minimum: str) -> list[str]:
    ladder = QUALIFICATION_LADDERS[kind]
    return [lvl for lvl, rank in ladder.items() if rank >= ladder[minimum]]


def qualification_rules(ev: RunInputs) -> None:
    q, h = Qualification, ev.h
    for kind, ladder in QUALIFICATION_LADDERS.items():

        def pick(f: InForce, k: str = kind) -> Any:
            req = f.requirements.level_rules().get(k)
            return None if req is None else (req.min_level, tuple(req.majors or ()))

        groups = ev.groups(pick)
        if not groups:
            continue
        held = (q.person_id == h.c.person_id, q.kind == kind, q.retired_at.is_(None))
        # The holder's highest level of this kind: the value found, and its evidence.
        best = (
            sa.select(
                cat(
                    '{"found": "',
                    q.level,
                    '", "evidence": [{"table": "qualifications", "id": "',
                    ev.fn.uuid_text(q.id),
                    '"}]}',
                )
            )
            .where(*held)
            .order_by(sa.case(ladder, value=q.level, else_=0).desc(), q.id)
            .limit(1)
            .correlate(h)
            .scalar_subquery()
        )
        for (minimum, majors), forces in groups.items():
            has = sa.select(q.id).where(
                *held,
                q.level.in_(_levels_from(kind, minimum)),
                *([q.major.in_(majors)] if majors else []),
            )
            ev.emit(
                f"qualification.{kind}",
                forces,
                ~sa.exists(has),
                requirement={"kind": kind, "min_level": minimum, "majors": list(majors)},
                explained=best,
            )


def party_rule(ev: RunInputs) -> None:
    forces = ev.groups(lambda f: f.requirements.party_member or None).get(True, [])
    if not forces:
        return
    member = sa.select(PartyMembership.id).where(
        PartyMembership.person_id == ev.h.c.person_id,
        PartyMembership.status.in_(["official", "probationary"]),
    )
    ev.emit(
        "party_member",
        forces,
        ~sa.exists(member),
        requirement={"party_member": True},
        found="not a party member",
    )


def planning_rule(ev: RunInputs) -> None:
    forces = ev.groups(lambda f: f.requirements.in_planning or None).get(True, [])
    if not forces:
        return
    planned = sa.select(PlanningEntry.id).where(
        PlanningEntry.person_id == ev.h.c.person_id,
        PlanningEntry.position_id == ev.h.c.position_id,
        PlanningEntry.retired_at.is_(None),
        PlanningEntry.decided_on <= ev.on,
    )
    ev.emit(
        "in_planning",
        forces,
        ~sa.exists(planned),
        requirement={"in_planning": True},
        found="not in the planning",
    )


def evaluation_rule(ev: RunInputs) -> None:
    def pick(f: InForce) -> Any:
        r = f.requirements.recent_evaluations
        return None if r is None else (r.count, r.min_classification)

    for (count, minimum), forces in ev.groups(pick).items():
        years = [str(ev.on.year - i) for i in range(1, count + 1)]
        good = ORDER[ORDER.index(minimum) :]
        achieved = (
            sa.select(sa.func.count(sa.distinct(Evaluation.period)))
            .where(
                Evaluation.person_id == ev.h.c.person_id,
                Evaluation.retired_at.is_(None),
                Evaluation.period.in_(years),
                Evaluation.classification.in_(good),
            )
            .scalar_subquery()
        )
        ev.emit(
            "recent_evaluations",
            forces,
            achieved < count,
            requirement={"years": years, "min_classification": minimum},
            explained=cat(
                '{"found": "',
                sa.cast(achieved, sa.Text),
                f' of {count} years at {minimum} or better", "evidence": []}}',
            ),
            since=ev.fn.greatest(
                ev.h.c.valid_from, sa.literal(ev.on.replace(month=1, day=1), sa.Date)
            ),
        )


def discipline_rule(ev: RunInputs) -> None:
    forces = ev.groups(lambda f: f.requirements.no_discipline_in_effect or None).get(True, [])
    if not forces:
        return
    d, h, fn = Discipline, ev.h, ev.fn
    open_ended = sa.or_(
        *[
            sa.and_(d.form == form, d.decided_on > months_before(ev.on, months))
            for form, months in DISCIPLINE_MONTHS.items()
        ]
    )
    in_effect = (
        d.person_id == h.c.person_id,
        d.retired_at.is_(None),
        d.effective_from <= ev.on,
        sa.or_(d.effective_to >= ev.on, sa.and_(d.effective_to.is_(None), open_ended)),
    )
    hits = sa.select(d.id, d.form, d.effective_from).where(*in_effect).correlate(h)
    first = sa.select(sa.func.min(d.effective_from)).where(*in_effect).scalar_subquery()
    ev.emit(
        "no_discipline_in_effect",
        forces,
        sa.exists(sa.select(d.id).where(*in_effect)),
        requirement={"no_discipline_in_effect": True},
        explained=fn.json_lists(
            hits,
            lambda c: [c.effective_from, c.id],
            found=lambda c: c.form,
            evidence=lambda c: fn.json_object(
                table=sa.literal("disciplines"), id=fn.uuid_text(c.id)
            ),
        ),
        since=fn.greatest(
            h.c.valid_from,
            sa.type_coerce(first, sa.Date),
            ev.standard_start(forces),
        ),
    )


def certificate_rule(ev: RunInputs) -> None:
    forces = ev.groups(lambda f: f.requirements.certificates_valid or None).get(True, [])
    if not forces:
        return
    q, h, fn = Qualification, ev.h, ev.fn
    expired = (q.person_id == h.c.person_id, q.retired_at.is_(None), q.expires_on < ev.on)
    hits = sa.select(q.id, q.kind, q.expires_on).where(*expired).correlate(h)
    first = sa.select(sa.func.min(q.expires_on)).where(*expired).scalar_subquery()
    ev.emit(
        "certificates_valid",
        forces,
        sa.exists(sa.select(q.id).where(*expired)),
        requirement={"certificates_valid": True},
        explained=fn.json_lists(
            hits,
            lambda c: [c.expires_on, c.id],
            found=lambda c: fn.json_object(kind=c.kind, expired_on=c.expires_on),
            evidence=lambda c: fn.json_object(
                table=sa.literal("qualifications"), id=fn.uuid_text(c.id)
            ),
        ),
        since=fn.greatest(
            h.c.valid_from,
            fn.day_after(sa.type_coerce(first, sa.Date)),
            ev.standard_start(forces),
        ),
    )


def eligibility_rule(ev: RunInputs) -> None:
    """A leadership post taken up (or, in a dry run, about to be) within the waiting period
    after a discipline decision: 24 months after a reprimand, 36 after a warning, 60 after
    removal from post (Regulation 377-QĐ/TW). A rule of every post, whatever its standard."""
    d, h, fn = Discipline, ev.h, ev.fn
    within = sa.or_(
        *[
            sa.and_(d.form == form, d.decided_on > fn.months_before(h.c.valid_from, months))
            for form, months in DISCIPLINE_MONTHS.items()
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
        requirement=ELIGIBILITY,
        explained=fn.json_lists(
            hits,
            lambda c: [c.decided_on, c.id],
            found=lambda c: fn.json_object(form=c.form, decided_on=c.decided_on),
            evidence=lambda c: fn.json_object(
                table=sa.literal("disciplines"), id=fn.uuid_text(c.id)
            ),
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
    hits: dict[Any, list[Any]] = {}
    for row in ev.rows(stmt):
        if add_months(row.disciplined_on, DISCIPLINE_MONTHS.get(row.form, 0)) > row.decided_on:
            hits.setdefault(row.id, []).append(row)
    for rows in hits.values():
        first = rows[0]
        ev.add(
            Finding(
                "planned_while_ineligible",
                first.position_id,
                first.org_unit_id,
                first.decided_on,
                first.person_id,
                requirement=ELIGIBILITY,
                found=[{"form": r.form, "decided_on": r.disciplined_on.isoformat()} for r in rows],
                evidence=[{"table": "planning_entries", "id": str(first.id)}]
                + [{"table": "disciplines", "id": str(r.discipline_id)} for r in rows],
            )
        )
