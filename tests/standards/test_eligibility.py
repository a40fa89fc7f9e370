"""Eligibility after discipline (Regulation 377-QĐ/TW): a leadership post taken up, or a
planning decided, within the waiting period after a discipline decision is a finding — also
in a dry run, before anyone signs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from registry.alerts.service import run_full
from registry.planning.service import create_planning_entry
from registry.standards.engine import evaluate
from registry.standards.rule_names import RULE_NAMES
from schemas.planning import PlanningEntryCreate
from tests.standards.conftest import TODAY, Lab


def _discipline(lab: Lab, person: Any, form: str, decided: dt.date) -> Any:
    return lab.discipline(person, form, decided, until=decided + dt.timedelta(days=30))


def _found(lab: Lab, rule: str, person: Any) -> list[Any]:
    return [
        f for f in evaluate(lab.session, on=TODAY) if f.rule == rule and f.person_id == person.id
    ]


def test_appointed_within_the_waiting_period(lab: Lab) -> None:
    person = lab.world.persons["a"]
    warned = _discipline(lab, person, "warning", dt.date(2023, 3, 10))
    chief = lab.post(title="Chánh Văn phòng", is_leadership=True)
    lab.appoint(person, chief, dt.date(2024, 1, 15))  # 10 months after a warning: 36 apply
    (finding,) = _found(lab, "appointed_while_ineligible", person)
    assert finding.found == [{"form": "warning", "decided_on": "2023-03-10"}]
    assert finding.evidence == [{"table": "disciplines", "id": str(warned.id)}]
    assert finding.since == dt.date(2024, 1, 15)
    assert finding.requirement["months_after_discipline"]["warning"] == 36


def test_appointed_after_the_waiting_period_or_to_a_post_that_leads_nothing(lab: Lab) -> None:
    person = lab.world.persons["a"]
    _discipline(lab, person, "reprimand", dt.date(2021, 6, 1))
    chief = lab.post(title="Phó Chánh Văn phòng", is_leadership=True)
    lab.appoint(person, chief, dt.date(2023, 8, 1))  # 26 months after a reprimand: 24 apply
    other = lab.world.persons["b"]
    _discipline(lab, other, "warning", dt.date(2024, 5, 1))
    clerk = lab.post(title="Chuyên viên")
    lab.appoint(other, clerk, dt.date(2024, 9, 1))  # not a leadership post
    assert _found(lab, "appointed_while_ineligible", person) == []
    assert _found(lab, "appointed_while_ineligible", other) == []


def test_a_dry_run_shows_it_before_the_decision_is_signed(client: TestClient, lab: Lab) -> None:
    person = lab.world.persons["b"]
    _discipline(lab, person, "reprimand", TODAY - dt.timedelta(days=200))
    chief = lab.post(title="Trưởng phòng", is_leadership=True)
    lab.session.commit()
    r = client.post(
        "/api/v1/assignments",
        params={"dry_run": "true"},
        headers=lab.world.auth("admin"),
        json={
            "person_id": str(person.id),
            "position_id": str(chief.id),
            "kind": "appointment",
            "valid_from": TODAY.isoformat(),
        },
    )
    assert r.status_code == 200, r.text
    rules = {f["rule"] for f in r.json()["findings"]}
    assert "appointed_while_ineligible" in rules


def test_planned_within_the_waiting_period(lab: Lab) -> None:
    person = lab.world.persons["b"]
    removed = _discipline(lab, person, "removal_from_post", dt.date(2022, 2, 1))
    chief = lab.post(title="Chủ tịch UBND phường", is_leadership=True)
    entry = create_planning_entry(
        lab.session,
        lab.ctx,
        PlanningEntryCreate(
            person_id=person.id,
            position_id=chief.id,
            term="2025-2030",
            decided_on=dt.date(2024, 10, 1),  # 32 months after removal from post: 60 apply
        ),
    )
    (finding,) = _found(lab, "planned_while_ineligible", person)
    assert finding.position_id == chief.id and finding.since == dt.date(2024, 10, 1)
    assert finding.found == [{"form": "removal_from_post", "decided_on": "2022-02-01"}]
    assert finding.evidence == [
        {"table": "planning_entries", "id": str(entry.id)},
        {"table": "disciplines", "id": str(removed.id)},
    ]
    other = lab.world.persons["a"]
    _discipline(lab, other, "reprimand", dt.date(2020, 1, 1))
    create_planning_entry(
        lab.session,
        lab.ctx,
        PlanningEntryCreate(
            person_id=other.id,
            position_id=chief.id,
            term="2025-2030",
            decided_on=dt.date(2024, 10, 1),
        ),
    )
    assert _found(lab, "planned_while_ineligible", other) == []


def test_the_eligibility_rules_are_named() -> None:
    for lang in ("vi", "en"):
        assert {"appointed_while_ineligible", "planned_while_ineligible"} <= set(RULE_NAMES[lang])


def test_a_planning_dry_run_shows_it_and_writes_nothing(client: TestClient, lab: Lab) -> None:
    person = lab.world.persons["b"]
    _discipline(lab, person, "warning", TODAY - dt.timedelta(days=300))
    chief = lab.post(title="Phó Chủ tịch UBND phường", is_leadership=True)
    lab.session.commit()
    body = {
        "person_id": str(person.id),
        "position_id": str(chief.id),
        "term": "2025-2030",
        "decided_on": TODAY.isoformat(),
    }
    r = client.post(
        "/api/v1/planning-entries",
        params={"dry_run": "true"},
        headers=lab.world.auth("admin"),
        json=body,
    )
    assert r.status_code == 200, r.text
    (finding,) = r.json()["findings"]
    assert finding["rule"] == "planned_while_ineligible"
    assert finding["position_id"] == str(chief.id)
    listed = client.get(
        "/api/v1/planning-entries",
        params={"person_id": str(person.id)},
        headers=lab.world.auth("admin"),
    )
    assert listed.json()["items"] == []


def test_two_plannings_of_one_post_in_the_wait_make_one_steady_alert(lab: Lab) -> None:
    person = lab.world.persons["b"]
    _discipline(lab, person, "warning", dt.date(2023, 1, 10))
    chief = lab.post(title="Chánh Thanh tra", is_leadership=True)
    for term, decided in (("2020-2025", dt.date(2024, 6, 1)), ("2025-2030", dt.date(2025, 9, 1))):
        create_planning_entry(
            lab.session,
            lab.ctx,
            PlanningEntryCreate(
                person_id=person.id, position_id=chief.id, term=term, decided_on=decided
            ),
        )
    (finding,) = _found(lab, "planned_while_ineligible", person)
    assert finding.since == dt.date(2024, 6, 1)
    assert [e["table"] for e in finding.evidence] == [
        "planning_entries",
        "planning_entries",
        "disciplines",
    ]
    assert run_full(lab.session)["opened"] >= 1
    for _ in range(2):
        again = run_full(lab.session)
        assert (again["opened"], again["updated"], again["resolved"]) == (0, 0, 0)
