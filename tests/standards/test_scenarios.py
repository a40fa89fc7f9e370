"""Scenarios with exact findings, their explanations, and alerts that resolve when the data
is fixed."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from registry.alerts.models import Alert
from registry.alerts.service import reevaluate_people, run_full, waive
from registry.errors import Invalid
from registry.qualifications.service import create_qualification
from registry.standards.engine import evaluate
from schemas.qualifications import QualificationCreate
from tests.standards.conftest import TODAY, Lab


def _rules(lab: Lab, on: dt.date = TODAY) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for f in evaluate(lab.session, on=on):
        out.setdefault(f.rule, []).append(f)
    return out


def test_holder_lacking_political_theory_then_fixed(lab: Lab) -> None:
    profile = lab.profile("VP", {"political_theory": {"min_level": "trung_cap"}})
    post = lab.post(profile)
    person = lab.world.persons["a"]
    lab.appoint(person, post, dt.date(2024, 1, 1))
    (finding,) = _rules(lab)["qualification.political_theory"]
    assert finding.person_id == person.id and finding.position_id == post.id  # type: ignore[attr-defined]
    assert finding.found is None and finding.since == dt.date(2024, 1, 1)  # type: ignore[attr-defined]
    assert finding.requirement["min_level"] == "trung_cap"  # type: ignore[attr-defined]
    assert finding.standard == {
        "profile_id": str(profile.id),
        "code": "VP",  # type: ignore[attr-defined]
        "effective_from": "2020-01-01",
    }
    counts = run_full(lab.session)
    assert counts["opened"] >= 1
    q = create_qualification(
        lab.session,
        lab.ctx,
        QualificationCreate(person_id=person.id, kind="political_theory", level="so_cap"),
    )
    assert "qualification.political_theory" in _rules(lab)  # a lower level is still short
    q.level = "cao_cap"
    lab.session.flush()
    assert reevaluate_people(lab.session, {person.id})["resolved"] == 1
    alert = lab.session.scalars(
        sa.select(Alert).where(Alert.rule == "qualification.political_theory")
    ).one()
    assert alert.status == "resolved" and alert.active_key is None


def test_certificate_expired_yesterday(lab: Lab) -> None:
    post = lab.post(lab.profile("CERT", {"certificates_valid": True}))
    person = lab.world.persons["a"]
    lab.appoint(person, post, dt.date(2023, 5, 1))
    create_qualification(
        lab.session,
        lab.ctx,
        QualificationCreate(
            person_id=person.id,
            kind="foreign_language",
            level="bac_3",
            awarded_on=dt.date(2022, 1, 1),
            expires_on=TODAY - dt.timedelta(days=1),
        ),
    )
    (finding,) = _rules(lab)["certificates_valid"]
    assert finding.since == TODAY  # type: ignore[attr-defined]
    assert finding.found == [
        {
            "kind": "foreign_language",  # type: ignore[attr-defined]
            "expired_on": (TODAY - dt.timedelta(days=1)).isoformat(),
        }
    ]
    assert "certificates_valid" not in _rules(lab, TODAY - dt.timedelta(days=1))


def test_vacancy_and_overdue_rotation(lab: Lab) -> None:
    clerk = lab.world.positions["office_clerk"]  # headcount 2, nobody in it
    rotating = lab.post(title="Kế toán", rotation_period_months=24)
    lab.appoint(lab.world.persons["b"], rotating, TODAY - dt.timedelta(days=3 * 365))
    rules = _rules(lab)
    vacant = {f.position_id: f for f in rules["vacancy"]}  # type: ignore[attr-defined]
    assert vacant[clerk.id].found == {"holders": 0}  # type: ignore[attr-defined]
    assert rotating.id not in vacant
    (overdue,) = rules["rotation_overdue"]
    assert overdue.person_id == lab.world.persons["b"].id  # type: ignore[attr-defined]
    assert overdue.requirement == {"max_months_in_post": 24}  # type: ignore[attr-defined]


def test_judged_against_the_standard_in_force_at_the_date(lab: Lab) -> None:
    last_year_end = dt.date(TODAY.year - 1, 12, 31)
    old = lab.profile("PC", {"political_theory": {"min_level": "so_cap"}}, end=last_year_end)
    new = lab.profile(
        "PC", {"political_theory": {"min_level": "cao_cap"}}, start=dt.date(TODAY.year, 1, 1)
    )
    post = lab.post(old)
    person = lab.world.persons["a"]
    lab.appoint(person, post, dt.date(2021, 1, 1))
    create_qualification(
        lab.session,
        lab.ctx,
        QualificationCreate(person_id=person.id, kind="political_theory", level="trung_cap"),
    )
    assert "qualification.political_theory" not in _rules(lab, last_year_end)
    (finding,) = _rules(lab)["qualification.political_theory"]
    assert finding.standard["profile_id"] == str(new.id)  # type: ignore[attr-defined]
    assert finding.found == "trung_cap"  # type: ignore[attr-defined]
    assert finding.since == dt.date(TODAY.year, 1, 1)  # type: ignore[attr-defined]


def test_waiver_needs_a_reason_and_a_future_expiry_and_reopens(lab: Lab) -> None:
    post = lab.post(lab.profile("PM", {"party_member": True}))
    lab.appoint(lab.world.persons["a"], post, dt.date(2024, 1, 1))
    run_full(lab.session)
    alert = lab.session.scalars(sa.select(Alert).where(Alert.rule == "party_member")).one()
    with pytest.raises(Invalid):
        waive(lab.session, lab.ctx, alert.id, reason="  ", until=TODAY + dt.timedelta(days=9))
    with pytest.raises(Invalid):
        waive(lab.session, lab.ctx, alert.id, reason="đang xét kết nạp", until=TODAY)
    waive(
        lab.session,
        lab.ctx,
        alert.id,
        reason="đang xét kết nạp",
        until=TODAY + dt.timedelta(days=30),
    )
    assert run_full(lab.session)["reopened"] == 0
    assert run_full(lab.session, on=TODAY + dt.timedelta(days=31))["reopened"] == 1
    lab.session.refresh(alert)
    assert alert.status == "open"
