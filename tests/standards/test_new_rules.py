"""Scenarios of the rules of issue 13, each named with its legal source, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.errors import Conflict, Invalid
from registry.party import records as pr
from registry.party.checks import reconciliation_overdue
from registry.planning.service import create_planning_entry
from registry.standards.engine import evaluate
from registry.standards.service import create_rule_parameter
from schemas import party as sp
from schemas.planning import PlanningEntryCreate
from schemas.standards import RuleParameterCreate
from tests.standards.conftest import TODAY, Lab
from tests.standards.rules_kit import elsewhere, evaluation, hold, member, person, rules_of


def _param(lab: Lab, key: str, value: str, start: dt.date = dt.date(2020, 1, 1)) -> None:
    create_rule_parameter(
        lab.session,
        lab.ctx,
        RuleParameterCreate(key=key, value=value, source="thử nghiệm", effective_from=start),
    )


def test_rank_held_must_match_the_post_by_1_july_2027_decree_361_2025(lab: Lab) -> None:
    """Decree 361/2025/NĐ-CP: the holder's rank (persons.rank_code) against the post's
    required rank; a more senior rank of the same ladder meets it, another ladder does not."""
    post = lab.post(required_rank="01.003")
    who = person(lab)
    hold(lab, who, post, dt.date(2024, 1, 1))
    for held, short in (
        (None, True),
        ("01.004", True),
        ("02.007", True),
        ("01.003", False),
        ("01.002", False),
    ):
        who.rank_code = held
        lab.session.flush()
        found = rules_of(evaluate(lab.session, on=TODAY), who).get("rank_mismatch")
        assert (found is not None) is short, held
        if found is not None:
            assert found.requirement["due_on"] == "2027-07-01"
            assert found.requirement["meeting"] == ["01.001", "01.002", "01.003"]
            assert found.found == {"rank_held": held or ""}


def test_an_unknown_rank_is_refused_naming_the_field_and_the_list(lab: Lab) -> None:
    with pytest.raises(Invalid) as exc:
        lab.post(required_rank="09.999")
    (issue,) = exc.value.issues
    assert issue.field == "body.required_rank" and "ranks.csv" in issue.reason
    assert lab.post(required_rank="06.031").required_rank == "06.031"  # kế toán viên


def test_experience_total_and_in_comparable_posts_before_the_post_decree_361_2025(
    lab: Lab,
) -> None:
    """Years of work before taking up the post (Decree 361/2025 standards, Circular
    12/2022/TT-BNV), from the work history; comparable posts by job-position code."""
    profile = lab.profile(
        "KT",
        {
            "min_years_experience": 5,
            "experience_in_comparable_posts": {"years": 3, "job_position_codes": ["VP-TK"]},
        },
    )
    comparable = lab.post(job_position_code="VP-TK", title="Thống kê")
    post = lab.post(profile)
    who = person(lab)
    elsewhere(lab, who, dt.date(2015, 1, 1), dt.date(2017, 12, 31))
    hold(lab, who, comparable, dt.date(2018, 1, 1), end=dt.date(2019, 12, 31))
    hold(lab, who, post, dt.date(2020, 1, 1))
    got = rules_of(evaluate(lab.session, on=TODAY), who)
    assert "experience" not in got  # five calendar years before the post
    short = got["experience_in_comparable_posts"]
    assert short.found == {"years_in_comparable_posts": 2.0}
    assert short.requirement == {"years": 3, "job_position_codes": ["VP-TK"]}


def test_experience_short_is_a_finding(lab: Lab) -> None:
    post = lab.post(lab.profile("KN", {"min_years_experience": 5}))
    who = person(lab)
    elsewhere(lab, who, dt.date(2021, 1, 1), dt.date(2023, 12, 31))
    hold(lab, who, post, dt.date(2024, 1, 1))
    got = rules_of(evaluate(lab.session, on=TODAY), who)
    assert got["experience"].found == {"years_before_post": 3.0}


def test_rotation_needs_ten_years_of_working_time_left_regulation_65(lab: Lab) -> None:
    """Regulation 65-QĐ/TW: a rotated cadre has at least 10 years of working time left."""
    post = lab.post(title="Phó Chủ tịch UBND phường", is_leadership=True)
    other = lab.post(title="Chánh Văn phòng", is_leadership=True)
    old = person(lab, born="1968-05-01", sex="M")  # retires in 2030
    young = person(lab, born="1979-05-01", sex="M")  # retires in 2041
    hold(lab, old, post, dt.date(2024, 1, 1), kind="rotation")
    hold(lab, young, other, dt.date(2024, 1, 1), kind="rotation")
    findings = evaluate(lab.session, on=TODAY)
    short = rules_of(findings, old)["rotation_headroom"]
    assert short.requirement == {"years_of_working_time_left_at_rotation": 10}
    assert short.found["rotated_on"] == "2024-01-01"
    assert "rotation_headroom" not in rules_of(findings, young)


def test_headroom_applies_at_first_appointment_not_reappointment_guidance_06(lab: Lab) -> None:
    """Guidance 06-HD/BTCTW: at the first appointment to a post, 5 years left before
    retirement; a re-appointment to the same post is not judged again."""
    profile = lab.profile("LD", {"retirement_headroom_years": 5})
    first_post = lab.post(profile, title="Trưởng phòng Kinh tế", is_leadership=True)
    again_post = lab.post(profile, title="Trưởng phòng Văn hóa", is_leadership=True)
    first, again = person(lab, born="1968-05-01", sex="M"), person(lab, born="1968-06-01", sex="M")
    hold(lab, first, first_post, dt.date(2026, 1, 1))
    hold(lab, again, again_post, dt.date(2019, 1, 1), end=dt.date(2025, 12, 31))
    hold(lab, again, again_post, dt.date(2026, 1, 1))
    findings = evaluate(lab.session, on=TODAY)
    assert "retirement_headroom" in rules_of(findings, first)
    assert "retirement_headroom" not in rules_of(findings, again)


def test_reappointment_due_within_the_warning_months_regulation_80(lab: Lab) -> None:
    """The 5-year appointment term (Guidance 06-HD/BTCTW) ends within the warning months
    (Regulation 80-QĐ/TW prepares re-appointment before it ends); the months are data."""
    post = lab.post(title="Trưởng phòng", is_leadership=True, headcount=2)
    soon, later = person(lab), person(lab)
    hold(lab, soon, post, dt.date(2022, 3, 1), term_years=5)  # due 28/02/2027
    hold(lab, later, post, dt.date(2023, 1, 1), term_years=5)  # due 31/12/2027
    on = dt.date(2026, 12, 2)
    findings = evaluate(lab.session, on=on)
    due = rules_of(findings, soon)["reappointment_due"]
    assert due.found == {"reappointment_due_on": "2027-02-28"}
    assert due.since == dt.date(2026, 11, 28)
    assert "reappointment_due" not in rules_of(findings, later)
    _param(lab, "reappointment.warning_months", "1", dt.date(2026, 1, 1))
    assert "reappointment_due" not in rules_of(evaluate(lab.session, on=on), soon)


def test_discipline_after_the_evaluation_proposes_the_capped_class_decree_335(
    lab: Lab,
) -> None:
    """Decree 335/2025/NĐ-CP, Regulation 366-QĐ/TW: a cadre disciplined in the year is not
    classed above the cap; a discipline recorded after the evaluation raises a finding that
    proposes the corrected class, and the evaluation is left as it was."""
    post = lab.post()
    who = person(lab)
    hold(lab, who, post, dt.date(2024, 1, 1))
    year = TODAY.year - 1
    e = evaluation(lab, who, str(year), 95)
    assert e.classification == "HTXS"
    lab.discipline(who, "reprimand", dt.date(year, 11, 5))
    (item,) = rules_of(evaluate(lab.session, on=TODAY), who)["evaluation_cap_outdated"].found
    assert item["classification"] == "HTXS" and item["proposed"] == "HT"
    assert e.classification == "HTXS"  # the decision stays with people


def test_an_annual_evaluation_counts_for_the_last_quarter_decree_335(lab: Lab) -> None:
    """Decree 335/2025/NĐ-CP: the annual evaluation covers the fourth quarter."""
    post = lab.post()
    who = person(lab)
    hold(lab, who, post, dt.date(2024, 1, 1))
    on = dt.date(TODAY.year + 1, 1, 15)
    assert "missing_evaluation" in rules_of(evaluate(lab.session, on=on), who)
    evaluation(lab, who, str(TODAY.year), 80)
    assert "missing_evaluation" not in rules_of(evaluate(lab.session, on=on), who)


def test_monthly_evaluations_count_in_the_quarterly_check_decree_335(lab: Lab) -> None:
    """Decree 335/2025/NĐ-CP: evaluation is monthly or quarterly; the three months of a
    quarter evaluated cover it, two do not."""
    post = lab.post()
    who = person(lab)
    hold(lab, who, post, dt.date(2024, 1, 1))
    on = dt.date(2026, 10, 15)  # last closed quarter: 2026-Q3
    evaluation(lab, who, "2026-07", 80)
    evaluation(lab, who, "2026-08", 80)
    assert "missing_evaluation" in rules_of(evaluate(lab.session, on=on), who)
    evaluation(lab, who, "2026-09", 80)
    assert "missing_evaluation" not in rules_of(evaluate(lab.session, on=on), who)


def test_probation_past_twelve_months_without_decision_regulation_232(lab: Lab) -> None:
    """Regulation 232-QĐ/TW: 12 months of probation, then a decision."""
    post = lab.post(headcount=2)
    late, recent = person(lab), person(lab)
    for who in (late, recent):
        hold(lab, who, post, dt.date(2024, 1, 1))
    member(lab, late, TODAY - dt.timedelta(days=400), official=False)
    member(lab, recent, TODAY - dt.timedelta(days=200), official=False)
    findings = evaluate(lab.session, on=TODAY)
    overdue = rules_of(findings, late)["probation_overdue"]
    assert overdue.requirement == {"probation_months": 12}
    assert "probation_overdue" not in rules_of(findings, recent)
    pr.create_probation(
        lab.session,
        lab.ctx,
        sp.PartyProbationCreate(
            person_id=late.id, outcome="official", decided_on=TODAY - dt.timedelta(days=5)
        ),
    )
    assert "probation_overdue" not in rules_of(evaluate(lab.session, on=TODAY), late)


def test_transfer_letter_not_presented_within_30_working_days_regulation_232(lab: Lab) -> None:
    """Regulation 232-QĐ/TW, Guidance 01-HD/TW: the letter is presented to the receiving
    cell within 30 working days of its issue."""
    post = lab.post()
    who = person(lab)
    hold(lab, who, post, dt.date(2024, 1, 1))
    member(lab, who, dt.date(2010, 5, 19))
    t = pr.create_transfer_record(
        lab.session,
        lab.ctx,
        sp.PartyTransferRecordCreate(
            person_id=who.id,
            direction="in",
            from_organisation="Chi bộ Trường THCS Lê Lợi",
            to_cell_id=lab.world.cell_a.id,
            decided_on=TODAY - dt.timedelta(days=70),
            letter_issued_on=TODAY - dt.timedelta(days=60),
        ),
    )
    overdue = rules_of(evaluate(lab.session, on=TODAY), who)["transfer_overdue"]
    assert overdue.found["step"] == "letter_presented"
    pr.update_transfer_record(
        lab.session, lab.ctx, t, sp.PartyTransferRecordUpdate(presented_on=TODAY)
    )
    assert "transfer_overdue" not in rules_of(evaluate(lab.session, on=TODAY), who)


def _pay(lab: Lab, who: object, months: list[str]) -> None:
    for month in months:
        pr.create_dues_payment(
            lab.session,
            lab.ctx,
            sp.PartyDuesPaymentCreate(
                person_id=who.id,  # type: ignore[attr-defined]
                month=month,
                amount_vnd=45_000,
                paid_on=TODAY - dt.timedelta(days=1),
            ),
        )


def _closed_months(n: int) -> list[str]:
    first = TODAY.replace(day=1)
    out = []
    for i in range(1, n + 1):
        total = first.year * 12 + first.month - 1 - i
        out.append(f"{total // 12}-{total % 12 + 1:02d}")
    return out


def test_three_months_of_dues_unpaid_in_a_year_regulation_01(lab: Lab) -> None:
    """Regulation 01-QĐ/TW: three months of party dues unpaid in a year."""
    post = lab.post(headcount=2)
    three, two = person(lab), person(lab)
    for who in (three, two):
        hold(lab, who, post, dt.date(2024, 1, 1))
        member(lab, who, dt.date(2010, 5, 19))
    months = _closed_months(12)
    # Dues are owed from admission (2010): every month of the window counts.
    _pay(lab, three, months[:4] + months[7:])
    _pay(lab, two, months[:4] + months[6:])
    findings = evaluate(lab.session, on=TODAY)
    assert rules_of(findings, three)["dues_arrears"].found == {
        "unpaid_months": 3,
        "window_months": 12,
    }
    assert "dues_arrears" not in rules_of(findings, two)


def test_registers_not_reconciled_in_six_months_guidance_01(lab: Lab) -> None:
    """Guidance 01-HD/TW: a cell's registers are reconciled with the files every 6 months."""
    who = person(lab)
    member(lab, who, dt.date(2010, 5, 19))
    cells = {o.code for o in reconciliation_overdue(lab.session, on=TODAY)}
    assert "CB-A" in cells and "CB-B" not in cells  # CB-B has no members
    half = "H1" if TODAY.month <= 6 else "H2"
    pr.create_reconciliation(
        lab.session,
        lab.ctx,
        sp.PartyRegisterReconciliationCreate(
            org_unit_id=lab.world.cell_a.id,
            period=f"{TODAY.year}-{half}",
            reconciled_on=TODAY,
            members_in_register=1,
            members_in_files=1,
        ),
    )
    assert "CB-A" not in {o.code for o in reconciliation_overdue(lab.session, on=TODAY)}


def test_the_planning_cap_is_a_parameter_regulation_377(lab: Lab) -> None:
    """Regulation 377-QĐ/TW caps (3 per post) are rule parameters: lowered to 1, a second
    planning for the post is refused."""
    _param(lab, "planning.max_per_post", "1")
    post = lab.post(is_leadership=True)
    for i, who in enumerate((person(lab), person(lab))):
        entry = PlanningEntryCreate(
            person_id=who.id, position_id=post.id, term="2025-2030", decided_on=dt.date(2025, 3, 1)
        )
        if i == 0:
            create_planning_entry(lab.session, lab.ctx, entry)
        else:
            with pytest.raises(Conflict, match="at most 1"):
                create_planning_entry(lab.session, lab.ctx, entry)


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("party.probation_weeks", "12", "body.key"),
        ("party.probation_months", "twelve", "body.value"),
        ("party.probation_months", "99", "body.value"),
        ("rank.matching_due", "2027-13-01", "body.value"),
    ],
)
def test_a_bad_rule_parameter_is_refused_naming_it(
    lab: Lab, key: str, value: str, field: str
) -> None:
    with pytest.raises(Invalid) as exc:
        _param(lab, key, value)
    assert exc.value.issues[0].field == field
