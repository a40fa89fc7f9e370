"""Rules about a holder's own records: qualifications, party, planning, evaluations,
discipline, certificates. One SQL query per group of posts sharing a threshold."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.codes import QUALIFICATION_LADDERS
from registry.conduct.models import Discipline
from registry.evaluations.models import Evaluation
from registry.party.models import PartyMembership
from registry.planning.models import PlanningEntry
from registry.qualifications.models import Qualification
from registry.standards.findings import Finding
from registry.standards.inputs import RunInputs, months_before
from registry.standards.profiles import InForce

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


def _levels_from(kind: str, minimum: str) -> list[str]:
    ladder = QUALIFICATION_LADDERS[kind]
    return [lvl for lvl, rank in ladder.items() if rank >= ladder[minimum]]


def qualification_rules(ev: RunInputs) -> list[Finding]:
    out: list[Finding] = []
    for kind in QUALIFICATION_LADDERS:

        def pick(f: InForce, k: str = kind) -> Any:
            req = f.requirements.level_rules().get(k)
            return None if req is None else (req.min_level, tuple(req.majors or ()))

        for (minimum, majors), forces in ev.groups(pick).items():
            q = Qualification
            has = sa.select(q.id).where(
                q.person_id == ev.h.c.person_id,
                q.kind == kind,
                q.retired_at.is_(None),
                q.level.in_(_levels_from(kind, minimum)),
                *([q.major.in_(majors)] if majors else []),
            )
            rows = ev.failing(forces, ~sa.exists(has))
            best_of = _best_levels(ev.session, {r.person_id for r in rows}, kind)
            for row in rows:
                force = ev.forces[row.standard_profile_id]
                best = best_of.get(row.person_id)
                out.append(
                    ev.finding(
                        f"qualification.{kind}",
                        row,
                        force,
                        requirement={"kind": kind, "min_level": minimum, "majors": list(majors)},
                        found=None if best is None else best[1],
                        evidence=[]
                        if best is None
                        else [{"table": "qualifications", "id": str(best[0])}],
                    )
                )
    return out


def _best_levels(
    session: Session, person_ids: set[uuid.UUID], kind: str
) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """Each person's highest level of ``kind`` (the evidence of a shortfall), in one query
    per thousand people."""
    ladder = QUALIFICATION_LADDERS[kind]
    best: dict[uuid.UUID, tuple[uuid.UUID, str]] = {}
    ids = list(person_ids)
    for start in range(0, len(ids), 1000):
        rows = session.execute(
            sa.select(Qualification.person_id, Qualification.id, Qualification.level).where(
                Qualification.person_id.in_(ids[start : start + 1000]),
                Qualification.kind == kind,
                Qualification.retired_at.is_(None),
            )
        )
        for person_id, qid, level in rows:
            seen = best.get(person_id)
            if seen is None or ladder.get(level, 0) > ladder.get(seen[1], 0):
                best[person_id] = (qid, level)
    return best


def party_rule(ev: RunInputs) -> list[Finding]:
    forces = ev.groups(lambda f: f.requirements.party_member or None).get(True, [])
    if not forces:
        return []
    member = sa.select(PartyMembership.id).where(
        PartyMembership.person_id == ev.h.c.person_id,
        PartyMembership.status.in_(["official", "probationary"]),
    )
    return [
        ev.finding(
            "party_member",
            row,
            ev.forces[row.standard_profile_id],
            requirement={"party_member": True},
            found="not a party member",
        )
        for row in ev.failing(forces, ~sa.exists(member))
    ]


def planning_rule(ev: RunInputs) -> list[Finding]:
    forces = ev.groups(lambda f: f.requirements.in_planning or None).get(True, [])
    if not forces:
        return []
    planned = sa.select(PlanningEntry.id).where(
        PlanningEntry.person_id == ev.h.c.person_id,
        PlanningEntry.position_id == ev.h.c.position_id,
        PlanningEntry.retired_at.is_(None),
        PlanningEntry.decided_on <= ev.on,
    )
    return [
        ev.finding(
            "in_planning",
            row,
            ev.forces[row.standard_profile_id],
            requirement={"in_planning": True},
            found="not in the planning",
        )
        for row in ev.failing(forces, ~sa.exists(planned))
    ]


def evaluation_rule(ev: RunInputs) -> list[Finding]:
    out: list[Finding] = []

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
        for row in ev.failing(forces, achieved < count, achieved.label("achieved")):
            out.append(
                ev.finding(
                    "recent_evaluations",
                    row,
                    ev.forces[row.standard_profile_id],
                    requirement={"years": years, "min_classification": minimum},
                    found=f"{row.achieved} of {count} years at {minimum} or better",
                    since=max(row.valid_from, dt.date(ev.on.year, 1, 1)),
                )
            )
    return out


def discipline_rule(ev: RunInputs) -> list[Finding]:
    forces = ev.groups(lambda f: f.requirements.no_discipline_in_effect or None).get(True, [])
    if not forces:
        return []
    d = Discipline
    open_ended = sa.or_(
        *[
            sa.and_(d.form == form, d.decided_on > months_before(ev.on, months))
            for form, months in DISCIPLINE_MONTHS.items()
        ]
    )
    in_effect = sa.select(d.id).where(
        d.person_id == ev.h.c.person_id,
        d.retired_at.is_(None),
        d.effective_from <= ev.on,
        sa.or_(d.effective_to >= ev.on, sa.and_(d.effective_to.is_(None), open_ended)),
    )
    out: list[Finding] = []
    for row in ev.failing(forces, sa.exists(in_effect)):
        hits = ev.session.execute(
            sa.select(d.id, d.form, d.effective_from).where(
                d.person_id == row.person_id, d.retired_at.is_(None)
            )
        ).all()
        out.append(
            ev.finding(
                "no_discipline_in_effect",
                row,
                ev.forces[row.standard_profile_id],
                requirement={"no_discipline_in_effect": True},
                found=sorted({h[1] for h in hits}),
                evidence=[{"table": "disciplines", "id": str(h[0])} for h in hits],
                since=max([row.valid_from] + [h[2] for h in hits]),
            )
        )
    return out


def certificate_rule(ev: RunInputs) -> list[Finding]:
    forces = ev.groups(lambda f: f.requirements.certificates_valid or None).get(True, [])
    if not forces:
        return []
    q = Qualification
    expired = sa.select(q.id).where(
        q.person_id == ev.h.c.person_id, q.retired_at.is_(None), q.expires_on < ev.on
    )
    out: list[Finding] = []
    for row in ev.failing(forces, sa.exists(expired)):
        hits = ev.session.execute(
            sa.select(q.id, q.kind, q.expires_on).where(
                q.person_id == row.person_id, q.retired_at.is_(None), q.expires_on < ev.on
            )
        ).all()
        out.append(
            ev.finding(
                "certificates_valid",
                row,
                ev.forces[row.standard_profile_id],
                requirement={"certificates_valid": True},
                found=[{"kind": h[1], "expired_on": h[2].isoformat()} for h in hits],
                evidence=[{"table": "qualifications", "id": str(h[0])} for h in hits],
                since=min(h[2] for h in hits) + dt.timedelta(days=1),
            )
        )
    return out
