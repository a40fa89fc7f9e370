"""Dashboard charts, the person file (masked and on the audit log), the monthly report."""

from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from registry.audit.models import AuditEvent
from registry.reports.monthly import Month, build
from tests.factories import World
from tests.web.conftest import csrf_of, sign_in

MONTH = dt.datetime.now(dt.UTC).strftime("%Y-%m")


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
    assert "CB-A: 5</title>" in org_chart and "CB-B" not in org_chart
    sign_in(web, "admin")
    org_chart = web.get("/dashboard").text.split('id="chart-open_by_org"')[1]
    assert "CB-B: 4</title>" in org_chart  # its post short of a holder, three shortfalls


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


def test_monthly_report_download_has_the_worlds_numbers(web: TestClient) -> None:
    sign_in(web, "officer.a")
    assert web.get("/reports/monthly", params={"month": MONTH}).status_code == 403
    sign_in(web, "admin")
    assert web.get("/reports/monthly", params={"month": "2026-13"}).status_code == 422
    r = web.get("/reports/monthly", params={"month": MONTH})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.open")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == [
        "Headcount",
        "Vacancies",
        "Open shortfalls",
        "Changes",
        "Classifications",
    ]
    heads = {row[0]: row[2] for row in wb["Headcount"].iter_rows(min_row=2, values_only=True)}
    assert heads == {"CB-A": 1, "CB-B": 1, "DU-P1": 0, "UBND-P1": 0, "VP-UBND": 0}
    vacant = {(r[0], r[1]): r[4] for r in wb["Vacancies"].iter_rows(min_row=2, values_only=True)}
    assert vacant == {
        ("CB-A", "Bí thư chi bộ"): 1,
        ("CB-A", "Phó Bí thư CB-A"): 1,
        ("CB-B", "Phó Bí thư CB-B"): 1,
        ("VP-UBND", "Công chức Văn phòng - Thống kê"): 2,
    }
    rules = {r[0]: r[1:] for r in wb["Open shortfalls"].iter_rows(min_row=2, values_only=True)}
    assert rules["party_member"] == (2, 0, 0, "Chưa là đảng viên")
    assert rules["qualification.political_theory"] == (2, 0, 0, "Thiếu trình độ lý luận chính trị")
    changes = {(r[0], r[1]): r[2] for r in wb["Changes"].iter_rows(min_row=2, values_only=True)}
    assert changes[("persons", "insert")] == 2 and changes[("users", "insert")] == 4
    assert changes[("org_units", "insert")] == 5


def test_report_of_a_month_without_changes(session: Session, world: World) -> None:
    wb = load_workbook(io.BytesIO(build(session, Month(2001, 1))))
    assert list(wb["Changes"].iter_rows(min_row=2, values_only=True)) == []
