"""Rules about a holder's own records: qualifications, party, planning, evaluations,
discipline, certificates. Each is SQL over the holders, one select per group of posts sharing
a threshold, with the explanation (value found, evidence, since when) built in the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from registry.codes import QUALIFICATION_LADDERS
from registry.conduct.models import Discipline
from registry.evaluations.models import Evaluation
from registry.party.models import PartyMembership
from registry.planning.models import PlanningEntry
from registry.qualifications.models import Qualification
from registry.standards.inputs import RunInputs, months_before
from registry.standards.parameters import defaults
from registry.standards.profiles import InForce
from registry.standards.sqlfn import cat

ORDER = ["KHT", "HT", "HTT", "HTXS"]
# Months after a discipline decision before a cadre is eligible again (Regulation 377-QĐ/TW):
# the declared defaults of the rule parameters ``discipline_wait.*``; a run reads the
# versions in force (``ev.params``).
DISCIPLINE_MONTHS = defaults(dt.date(2025, 1, 1)).discipline_months()


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
            for form, months in ev.params.discipline_months().items()
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
        explained=fn.records_explained(
            hits, "disciplines", lambda c: [c.effective_from, c.id], lambda c: c.form
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
        explained=fn.records_explained(
            hits,
            "qualifications",
            lambda c: [c.expires_on, c.id],
            lambda c: fn.json_object(kind=c.kind, expired_on=c.expires_on),
        ),
        since=fn.greatest(
            h.c.valid_from,
            fn.day_after(sa.type_coerce(first, sa.Date)),
            ev.standard_start(forces),
        ),
    )
