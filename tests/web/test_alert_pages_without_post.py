"""Alerts of no post read in words: a party member who holds no post (Regulation 01-QĐ/TW,
dues owed from admission) and a party cell whose registers are not reconciled (Guidance
01-HD/TW) are listed and shown, the person or the cell in place of the post."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.alerts.models import Alert
from registry.alerts.service import run_full
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.party.service import create_membership
from registry.persons.service import create_person
from schemas.party import PartyMembershipCreate
from schemas.persons import PersonCreate
from tests.factories import World, admin_ctx, person_payload
from tests.web.conftest import sign_in


def test_member_and_cell_alerts_render_without_a_post(
    web: TestClient, session: Session, settings: Settings, keys: StaticKeyProvider, world: World
) -> None:
    ctx = admin_ctx(session, settings, keys)
    who = create_person(
        session, ctx, PersonCreate.model_validate(person_payload(world.cell_a.id, 77))
    )
    create_membership(
        session,
        ctx,
        PartyMembershipCreate(
            person_id=who.id,
            party_cell_id=world.cell_a.id,
            admitted_on=dt.date(2012, 4, 2),
            official_on=dt.date(2013, 4, 2),
            status="official",
        ),
    )
    run_full(session)
    session.commit()
    dues = session.scalar(sa.select(Alert).where(Alert.person_id == who.id))
    cell = session.scalar(sa.select(Alert).where(Alert.rule == "register_reconciliation_overdue"))
    assert dues is not None and dues.rule == "dues_arrears" and dues.position_id is None
    assert cell is not None and cell.person_id is None and cell.position_id is None
    sign_in(web, "admin")
    listed = web.get("/alerts", params={"org": "CB-A"})
    assert listed.status_code == 200
    assert f'href="/alerts/{dues.id}"' in listed.text and f'href="/alerts/{cell.id}"' in listed.text
    page = web.get(f"/alerts/{dues.id}")
    assert page.status_code == 200, page.text
    assert "Không đóng đảng phí ba tháng trong năm" in page.text
    assert "Số tháng chưa đóng đảng phí: " in page.text and "unpaid" not in page.text
    assert f'href="/persons/{who.id}"' in page.text and world.cell_a.name in page.text
    page = web.get(f"/alerts/{cell.id}")
    assert page.status_code == 200, page.text
    assert "Quá hạn đối chiếu danh sách đảng viên" in page.text
    assert "Số đảng viên: " in page.text
