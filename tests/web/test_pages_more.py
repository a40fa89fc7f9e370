"""Dashboard charts, the person file (masked and on the audit log), the monthly report."""

from __future__ import annotations

import re

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.audit.models import AuditEvent
from tests.factories import World
from tests.web.conftest import csrf_of, sign_in


def _reads(session: Session, person_id: object) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "persons.read", AuditEvent.object_id == str(person_id)
            )
        )
    )


def test_dashboard_draws_scoped_charts(web: TestClient) -> None:
    sign_in(web, "officer.a")
    page = web.get("/dashboard")
    assert page.status_code == 200 and page.text.count("<svg") == 4
    rule_chart = page.text.split('id="chart-open_by_rule"')[1].split("</figure>")[0]
    # only cell A's holder; each rule named in words, not by its code
    assert "Chưa là đảng viên: 1</title>" in rule_chart and "party_member" not in rule_chart
    english = web.get("/dashboard", params={"lang": "en"}).text
    assert "Not a party member: 1</title>" in english
    org_chart = page.text.split('id="chart-open_by_org"')[1].split("</figure>")[0]
    assert "Chi bộ Khu phố 1: 5</title>" in org_chart and "Khu phố 2" not in org_chart
    sign_in(web, "admin")
    org_chart = web.get("/dashboard").text.split('id="chart-open_by_org"')[1]
    assert "Chi bộ Khu phố 2: 4</title>" in org_chart  # a post short of a holder, 3 shortfalls
    trend = web.get("/dashboard").text.split('id="chart-trend"')[1].split("</figure>")[0]
    assert re.search(r">[01][0-9]/20[0-9]{2}</tspan>", trend)  # months read mm/yyyy


def test_person_page_is_on_the_audit_log_and_scoped(
    web: TestClient, session: Session, world: World
) -> None:
    person = world.persons["a"]
    sign_in(web, "officer.a")
    page = web.get(f"/persons/{person.id}")
    assert page.status_code == 200 and "Nguyễn Thị Thu Hà" in page.text
    assert "031185000001" in page.text  # an officer of the unit sees the number
    events = _reads(session, person.id)
    assert [(e.actor, e.outcome) for e in events] == [("user:officer.a", "ok")]
    assert web.get(f"/persons/{world.persons['b'].id}").status_code == 404
    assert _reads(session, world.persons["b"].id) == []


def test_auditor_sees_masked_fields_unless_a_purpose_is_stated(
    web: TestClient, session: Session, world: World
) -> None:
    person = world.persons["a"]
    sign_in(web, "auditor")
    page = web.get(f"/persons/{person.id}")
    assert "031185000001" not in page.text and 'id="f-nid"><span class="masked">' in page.text
    # The purpose goes in a POST body, never in the address.
    assert web.get(f"/persons/{person.id}", params={"purpose": "x"}).text.count("031185000001") == 0
    page = web.post(
        f"/persons/{person.id}/view",
        data={"csrf": csrf_of(page), "purpose": "Kiểm tra hồ sơ 2026", "as_of": ""},
    )
    assert page.status_code == 200 and "031185000001" in page.text
    assert 'id="timeline"' in page.text
    events = _reads(session, person.id)
    assert [(e.outcome, e.purpose) for e in events] == [
        ("masked", None),
        ("masked", None),
        ("ok", "Kiểm tra hồ sơ 2026"),
    ]
