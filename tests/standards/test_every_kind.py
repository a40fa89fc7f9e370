"""No silent rule: every requirement a standard profile may state, and every position
attribute that states one, is evaluated — each can produce a finding and a pass (random
thresholds and data per kind); a requirement no rule evaluates is refused at configuration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.codes import QUALIFICATION_LADDERS
from registry.errors import Invalid
from registry.party import records as pr
from registry.planning.service import create_planning_entry
from registry.qualifications.service import create_qualification
from registry.ranks import ranks
from registry.standards import requirements as rq
from registry.standards.engine import evaluate
from registry.standards.inputs import add_months
from registry.standards.rule_names import RULE_NAMES
from registry.standards.rules_career import POSITION_REQUIREMENTS
from schemas import party as sp
from schemas.planning import PlanningEntryCreate
from schemas.qualifications import QualificationCreate
from tests.standards.conftest import TODAY, Lab
from tests.standards.rules_kit import elsewhere, evaluation, hold, member, person

RECENTLY = TODAY - dt.timedelta(days=30)
Draw = Callable[[st.SearchStrategy[Any]], Any]
# A scenario: (lab, fail, draw) → (post, rule expected iff fail)
Build = Callable[[Lab, bool, Draw], Any]


def _level(kind: str) -> Build:
    def build(lab: Lab, fail: bool, draw: Draw) -> Any:
        ladder = QUALIFICATION_LADDERS[kind]
        need = draw(st.sampled_from(sorted(ladder)))
        lower = [lvl for lvl, r in ladder.items() if r < ladder[need]]
        higher = [lvl for lvl, r in ladder.items() if r >= ladder[need]]
        post = lab.post(lab.profile("P", {kind: {"min_level": need}}))
        who = person(lab)
        hold(lab, who, post, RECENTLY)
        held = draw(st.sampled_from([*lower, None])) if fail else draw(st.sampled_from(higher))
        if held is not None:
            create_qualification(
                lab.session, lab.ctx, QualificationCreate(person_id=who.id, kind=kind, level=held)
            )
        return post

    return build


def _party(lab: Lab, fail: bool, draw: Draw) -> Any:
    post = lab.post(lab.profile("P", {"party_member": True}))
    who = person(lab)
    hold(lab, who, post, RECENTLY)
    if not fail:
        member(lab, who, dt.date(2010, 5, 19), official=draw(st.booleans()))
    return post


def _experience(lab: Lab, fail: bool, draw: Draw) -> Any:
    years = draw(st.integers(1, 8))
    post = lab.post(lab.profile("P", {"min_years_experience": years}))
    who = person(lab)
    start = dt.date(2026 - years - 2, 1, 1)
    have = years - 1 if fail else years
    if have:
        elsewhere(lab, who, start, dt.date(start.year + have, 1, 1) - dt.timedelta(days=1))
    hold(lab, who, post, dt.date(2026, 1, 1))
    return post


def _comparable(lab: Lab, fail: bool, draw: Draw) -> Any:
    years = draw(st.integers(1, 5))
    code = draw(st.sampled_from(["VP-TK", "KT-NS", "TP-HT"]))
    need = {"years": years, "job_position_codes": [code]}
    post = lab.post(lab.profile("P", {"experience_in_comparable_posts": need}))
    comparable = lab.post(job_position_code=code if not fail else "KHAC", title="Vị trí trước")
    who = person(lab)
    start = dt.date(2026 - years - 1, 1, 1)
    hold(lab, who, comparable, start, end=dt.date(start.year + years, 1, 1) - dt.timedelta(days=1))
    hold(lab, who, post, dt.date(2026, 1, 1))
    return post


def _headroom(lab: Lab, fail: bool, draw: Draw) -> Any:
    years = draw(st.integers(1, 10))
    post = lab.post(lab.profile("P", {"retirement_headroom_years": years}))
    who = person(lab, born="1966-01-10" if fail else "1990-01-10", sex="M")  # retires 2027 | 2052
    hold(lab, who, post, RECENTLY)
    return post


def _planning(lab: Lab, fail: bool, draw: Draw) -> Any:
    post = lab.post(lab.profile("P", {"in_planning": True}))
    who = person(lab)
    hold(lab, who, post, RECENTLY)
    if not fail:
        create_planning_entry(
            lab.session,
            lab.ctx,
            PlanningEntryCreate(
                person_id=who.id, position_id=post.id, term="2025-2030", decided_on=RECENTLY
            ),
        )
    return post


def _evaluations(lab: Lab, fail: bool, draw: Draw) -> Any:
    minimum = draw(st.sampled_from(["HT", "HTT"]))
    need = {"count": 1, "min_classification": minimum}
    post = lab.post(lab.profile("P", {"recent_evaluations": need}))
    who = person(lab)
    hold(lab, who, post, RECENTLY)
    points = {"HT": (40, 60), "HTT": (60, 80)}[minimum][0 if fail else 1]
    evaluation(lab, who, str(TODAY.year - 1), points)
    return post


def _discipline(lab: Lab, fail: bool, draw: Draw) -> Any:
    post = lab.post(lab.profile("P", {"no_discipline_in_effect": True}))
    who = person(lab)
    hold(lab, who, post, dt.date(2024, 1, 1))
    if fail:
        form = draw(st.sampled_from(["reprimand", "warning", "removal_from_post"]))
        lab.discipline(who, form, TODAY - dt.timedelta(days=draw(st.integers(10, 300))))
    return post


def _max_years(lab: Lab, fail: bool, draw: Draw) -> Any:
    years = draw(st.integers(1, 5))
    post = lab.post(lab.profile("P", {"max_years_in_post": years}))
    who = person(lab)
    since = add_months(TODAY, -12 * years - 2) if fail else RECENTLY
    hold(lab, who, post, since)
    return post


def _certificates(lab: Lab, fail: bool, draw: Draw) -> Any:
    post = lab.post(lab.profile("P", {"certificates_valid": True}))
    who = person(lab)
    hold(lab, who, post, RECENTLY)
    days = draw(st.integers(1, 400))
    expires = TODAY - dt.timedelta(days=days) if fail else TODAY + dt.timedelta(days=days)
    create_qualification(
        lab.session,
        lab.ctx,
        QualificationCreate(
            person_id=who.id,
            kind="it",
            level="co_ban",
            awarded_on=dt.date(2014, 1, 1),
            expires_on=expires,
        ),
    )
    return post


def _rank(lab: Lab, fail: bool, draw: Draw) -> Any:
    need = draw(st.sampled_from(sorted(ranks())))
    post = lab.post(required_rank=need)
    who = person(lab)
    hold(lab, who, post, RECENTLY)
    other_ladder = [c for c, r in ranks().items() if r.ladder != ranks()[need].ladder]
    who.rank_code = draw(st.sampled_from([*other_ladder, None])) if fail else need
    lab.session.flush()
    return post


def _rotation_period(lab: Lab, fail: bool, draw: Draw) -> Any:
    months = draw(st.integers(12, 120))
    post = lab.post(rotation_period_months=months)
    who = person(lab)
    hold(lab, who, post, add_months(TODAY, -months - 2) if fail else RECENTLY)
    return post


def _headcount(lab: Lab, fail: bool, draw: Draw) -> Any:
    held = draw(st.integers(1, 3))
    post = lab.post(headcount=held + 1 if fail else held)
    for _ in range(held):
        hold(lab, person(lab), post, RECENTLY)
    return post


BUILDERS: dict[str, Build] = {
    **{k: _level(k) for k in rq.LEVEL_KINDS},
    "party_member": _party,
    "min_years_experience": _experience,
    "experience_in_comparable_posts": _comparable,
    "retirement_headroom_years": _headroom,
    "in_planning": _planning,
    "recent_evaluations": _evaluations,
    "no_discipline_in_effect": _discipline,
    "max_years_in_post": _max_years,
    "certificates_valid": _certificates,
    "required_rank": _rank,
    "rotation_period_months": _rotation_period,
    "headcount": _headcount,
}
RULE_OF = rq.EVALUATED_BY | POSITION_REQUIREMENTS


def test_every_requirement_and_position_attribute_has_a_rule_and_a_scenario() -> None:
    stated = set(rq.Requirements.model_fields) | set(POSITION_REQUIREMENTS)
    assert set(BUILDERS) == stated
    assert set(rq.EVALUATED_BY) == set(rq.Requirements.model_fields)
    assert set(RULE_OF.values()) <= set(RULE_NAMES["vi"])  # each rule has a name for people


@pytest.mark.parametrize("kind", sorted(BUILDERS))
@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_each_kind_can_fail_and_pass(lab: Lab, kind: str, data: st.DataObject) -> None:
    for fail in (True, False):
        savepoint = lab.session.begin_nested()
        try:
            post = BUILDERS[kind](lab, fail, data.draw)
            rules = {f.rule for f in evaluate(lab.session, on=TODAY) if f.position_id == post.id}
            assert (RULE_OF[kind] in rules) is fail, (kind, fail, rules)
        finally:
            savepoint.rollback()


def test_a_requirement_no_rule_evaluates_is_refused(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shown to fail: were a stated requirement not evaluated, configuration refuses it."""
    monkeypatch.delitem(rq.EVALUATED_BY, "certificates_valid")
    with pytest.raises(Invalid) as exc:
        lab.profile("P", {"certificates_valid": True})
    assert exc.value.issues[0].field == "body.requirements.certificates_valid"


# The rules no requirement states, of every party member (Regulation 232-QĐ/TW, Guidance
# 01-HD/TW, Regulation 01-QĐ/TW): each can produce a finding and a pass, for a holder of a
# post (subject: the post and its holder) and for a member who holds none (subject: the
# member, no post); the reconciliation of the registers for the party cell.
MemberBuild = Callable[[Lab, Any, bool, Draw], None]


def _probation_due(lab: Lab, who: Any, fail: bool, draw: Draw) -> None:
    days = draw(st.integers(380, 3000) if fail else st.integers(1, 330))
    member(lab, who, TODAY - dt.timedelta(days=days), official=False)


def _transfer_due(lab: Lab, who: Any, fail: bool, draw: Draw) -> None:
    member(lab, who, dt.date(2010, 5, 19))
    days = draw(st.integers(100, 900) if fail else st.integers(0, 80))
    pr.create_transfer_record(
        lab.session,
        lab.ctx,
        sp.PartyTransferRecordCreate(
            person_id=who.id,
            direction="in",
            from_organisation="Chi bộ Trường THCS Lê Lợi",
            to_cell_id=lab.world.cell_a.id,
            decided_on=TODAY - dt.timedelta(days=days),
        ),
    )


def _dues_due(lab: Lab, who: Any, fail: bool, draw: Draw) -> None:
    member(lab, who, dt.date(2010, 5, 19))
    months = [add_months(TODAY.replace(day=1), -i).strftime("%Y-%m") for i in range(1, 13)]
    unpaid = draw(st.integers(3, 12) if fail else st.integers(0, 2))
    for month in draw(st.permutations(months))[unpaid:]:
        pr.create_dues_payment(
            lab.session,
            lab.ctx,
            sp.PartyDuesPaymentCreate(
                person_id=who.id, month=month, amount_vnd=45_000, paid_on=TODAY
            ),
        )


MEMBER_BUILDERS: dict[str, MemberBuild] = {
    "probation_overdue": _probation_due,
    "transfer_overdue": _transfer_due,
    "dues_arrears": _dues_due,
}


@pytest.mark.parametrize("with_post", [True, False], ids=["holder", "member"])
@pytest.mark.parametrize("rule", sorted(MEMBER_BUILDERS))
@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_each_party_rule_can_fail_and_pass_with_or_without_a_post(
    lab: Lab, rule: str, with_post: bool, data: st.DataObject
) -> None:
    assert rule in RULE_NAMES["vi"]
    for fail in (True, False):
        savepoint = lab.session.begin_nested()
        try:
            who = person(lab)
            post = lab.post() if with_post else None
            if post is not None:
                hold(lab, who, post, RECENTLY)
            MEMBER_BUILDERS[rule](lab, who, fail, data.draw)
            subjects = [
                f.position_id
                for f in evaluate(lab.session, on=TODAY)
                if f.rule == rule and f.person_id == who.id
            ]
            assert subjects == ([None if post is None else post.id] if fail else []), (
                rule,
                fail,
            )
        finally:
            savepoint.rollback()


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_register_reconciliation_can_fail_and_pass(lab: Lab, data: st.DataObject) -> None:
    """Guidance 01-HD/TW: the registers of a cell with members are reconciled every 6 months."""
    cell = lab.world.cell_a
    for fail in (True, False):
        savepoint = lab.session.begin_nested()
        try:
            member(lab, person(lab), dt.date(2010, 5, 19))
            ago = data.draw(st.integers(7, 40) if fail else st.integers(0, 5))
            if not (fail and data.draw(st.booleans())):  # overdue: stale, or never reconciled
                on = min(TODAY, add_months(TODAY, -ago))
                pr.create_reconciliation(
                    lab.session,
                    lab.ctx,
                    sp.PartyRegisterReconciliationCreate(
                        org_unit_id=cell.id,
                        period=f"{on.year}-H{1 if on.month <= 6 else 2}",
                        reconciled_on=on,
                        members_in_register=1,
                        members_in_files=1,
                    ),
                )
            units = [
                f.org_unit_id
                for f in evaluate(lab.session, on=TODAY)
                if f.rule == "register_reconciliation_overdue"
            ]
            assert units == ([cell.id] if fail else []), (fail, ago)
        finally:
            savepoint.rollback()
