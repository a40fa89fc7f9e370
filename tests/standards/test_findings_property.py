"""Property: a finding exists iff its requirement is unmet in the data (random data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.codes import QUALIFICATION_LADDERS
from registry.dates import today
from registry.party.service import create_membership
from registry.planning.service import create_planning_entry
from registry.qualifications.service import create_qualification
from registry.standards.engine import evaluate
from schemas.party import PartyMembershipCreate
from schemas.planning import PlanningEntryCreate
from schemas.qualifications import QualificationCreate
from tests.standards.conftest import Lab

KINDS = ("political_theory", "it", "state_management")
maybe_level = {k: st.none() | st.sampled_from(list(QUALIFICATION_LADDERS[k])) for k in KINDS}
data = st.fixed_dictionaries(
    {
        "required": st.fixed_dictionaries({k: maybe_level[k] for k in KINDS}),
        "held": st.fixed_dictionaries(
            {
                k: st.lists(st.sampled_from(list(QUALIFICATION_LADDERS[k])), max_size=2)
                for k in KINDS
            }
        ),
        "need_party": st.booleans(),
        "party": st.none() | st.sampled_from(["probationary", "official"]),
        "need_planning": st.booleans(),
        "planned": st.booleans(),
    }
)


def _expected(d: dict[str, Any]) -> set[str]:
    out = set()
    for kind, minimum in d["required"].items():
        if minimum is None:
            continue
        ladder = QUALIFICATION_LADDERS[kind]
        if not any(ladder[lvl] >= ladder[minimum] for lvl in d["held"][kind]):
            out.add(f"qualification.{kind}")
    if d["need_party"] and d["party"] is None:
        out.add("party_member")
    if d["need_planning"] and not d["planned"]:
        out.add("in_planning")
    if d["party"] == "probationary":  # admitted in 2010: far past the 12-month probation
        out.add("probation_overdue")
    if d["party"] is not None:  # dues are owed from admission (2010): none paid
        out.add("dues_arrears")
    return out


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(d=data)
def test_a_finding_exists_iff_the_requirement_is_unmet(lab: Lab, d: dict[str, Any]) -> None:
    savepoint = lab.session.begin_nested()
    try:
        requirements: dict[str, Any] = {
            k: {"min_level": v} for k, v in d["required"].items() if v is not None
        }
        requirements |= {"party_member": d["need_party"], "in_planning": d["need_planning"]}
        post = lab.post(lab.profile("P", requirements))
        person = lab.world.persons["b"]  # born 1979, appointed well before retirement
        lab.appoint(person, post, dt.date(2024, 1, 1))
        for kind, levels in d["held"].items():
            for level in levels:
                create_qualification(
                    lab.session,
                    lab.ctx,
                    QualificationCreate(person_id=person.id, kind=kind, level=level),
                )
        if d["party"]:
            create_membership(
                lab.session,
                lab.ctx,
                PartyMembershipCreate(
                    person_id=person.id,
                    party_cell_id=lab.world.cell_b.id,
                    admitted_on=dt.date(2010, 1, 1),
                    official_on=dt.date(2011, 1, 1) if d["party"] == "official" else None,
                    status=d["party"],
                ),
            )
        if d["planned"]:
            create_planning_entry(
                lab.session,
                lab.ctx,
                PlanningEntryCreate(
                    person_id=person.id,
                    position_id=post.id,
                    term="2025-2030",
                    decided_on=dt.date(2023, 10, 1),
                ),
            )
        got = {
            f.rule
            for f in evaluate(lab.session, on=today())
            if f.person_id == person.id and f.position_id == post.id
        }
        got.discard("missing_evaluation")  # not a requirement of the standard
        assert got == _expected(d)
    finally:
        savepoint.rollback()
