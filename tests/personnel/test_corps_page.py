"""The corps report page: the same figures as the API, for the signed-in user's units, the
day read as dd/mm/yyyy, sensitive breakdowns named as hidden for an auditor without a
purpose, and the workbook download."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from registry.config import Settings
from registry.crypto import StaticKeyProvider
from tests.factories import World, build_world
from tests.personnel.test_corps_report import ON, build_corps, hand_written
from tests.web.conftest import clock, page_settings, sign_in, users, web

__all__ = ["clock", "page_settings", "web"]


@pytest.fixture
def world(session: Session, settings: Settings, keys: StaticKeyProvider) -> World:
    w = build_world(session, settings, keys)
    users(session, w)
    build_corps(session, w)
    return w


def test_the_page_shows_the_corps_as_at_the_day_typed(
    web: TestClient, world: World, session: Session
) -> None:
    expected = hand_written(session)
    assert sign_in(web, "admin").status_code == 303
    page = web.get("/reports/corps", params={"on": ON.strftime("%d/%m/%Y")})
    assert page.status_code == 200, page.text
    assert f"Tổng số: <strong>{expected['total']}</strong>" in page.text
    assert "30/06/2026" in page.text
    assert 'id="corps-ethnicity"' in page.text and 'id="corps-party_status"' in page.text
    assert 'href="/reports/monthly"' in page.text
    bad = web.get("/reports/corps", params={"on": "31/02/2026"})
    assert bad.status_code == 422
    download = web.get("/reports/corps.xlsx", params={"on": ON.isoformat()})
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content))["Theo đơn vị"]
    assert list(sheet.iter_rows(values_only=True))[1][2] == expected["total"]


def test_an_auditor_without_a_purpose_sees_no_ethnicity_or_party_breakdown(
    web: TestClient, world: World
) -> None:
    assert sign_in(web, "auditor").status_code == 303
    page = web.get("/reports/corps", params={"on": ON.isoformat()})
    assert page.status_code == 200, page.text
    assert 'id="corps-masked"' in page.text and "Dân tộc" in page.text
    assert 'id="corps-ethnicity"' not in page.text
    assert 'id="corps-party_status"' not in page.text
    assert 'id="corps-sex"' in page.text


def test_an_officer_sees_only_the_units_of_their_scope(web: TestClient, world: World) -> None:
    assert sign_in(web, "officer.a").status_code == 303
    page = web.get("/reports/corps", params={"on": ON.isoformat()})
    assert page.status_code == 200
    assert world.cell_a.code in page.text and world.office.code not in page.text
    other = web.get("/reports/corps", params={"org_unit": str(world.office.id)})
    assert other.status_code == 404
