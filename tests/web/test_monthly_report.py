"""The monthly report: its figures against hand-written SQL over the records, a past month
against the current one, the 36-HD/VPTW layout, print settings, the PDF, a future month."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from registry.assignments.service import create_assignment
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.dates import today
from registry.errors import Invalid
from registry.positions.service import create_position
from registry.reports.monthly import Month, build, report_for
from registry.reports.pdf import write_pdf
from schemas.assignments import AssignmentCreate
from schemas.positions import PositionCreate
from tests.factories import World, admin_ctx
from tests.web.conftest import sign_in

NOW = today()
THIS = Month(NOW.year, NOW.month)
BEFORE = Month(2024, 12)  # before the world's posts were taken up (2025-01-01)


@pytest.fixture
def moved(session: Session, settings: Settings, keys: StaticKeyProvider, world: World) -> None:
    """This month: someone takes up a post (a change of post in the month); and a post whose
    title looks like a formula."""
    ctx = admin_ctx(session, settings, keys)
    create_position(
        session,
        ctx,
        PositionCreate(org_unit_id=world.office.id, title="=1+1 Chuyên viên", headcount=1),
    )
    create_assignment(
        session,
        ctx,
        AssignmentCreate(
            person_id=world.persons["b"].id,
            position_id=world.positions["office_clerk"].id,
            kind="transfer",
            valid_from=THIS.first_day,
        ),
    )
    session.flush()


def _sql(session: Session, text: str, **params: Any) -> int:
    return int(session.execute(sa.text(text), params).scalar_one())


HELD = """a.retired_at IS NULL AND a.valid_from <= :on
          AND (a.valid_to IS NULL OR a.valid_to >= :on)"""


def test_figures_equal_sql_over_the_records(session: Session, moved: None) -> None:
    report = report_for(session, THIS)
    by_sheet = {t.sheet: t for t in report.tables}
    on = NOW
    cadres = _sql(
        session,
        "SELECT count(DISTINCT a.person_id) FROM assignments a "  # noqa: S608 - constant SQL
        f"JOIN positions p ON p.id = a.position_id WHERE {HELD}",
        on=on,
    )
    heads = by_sheet["Cán bộ theo đơn vị"].total
    assert heads is not None and heads[2] == cadres > 0
    missing = _sql(
        session,
        f"""SELECT coalesce(sum(p.headcount - coalesce(h.n, 0)), 0) FROM positions p
            LEFT JOIN (SELECT a.position_id, count(*) AS n FROM assignments a WHERE {HELD}
                       GROUP BY a.position_id) h ON h.position_id = p.id
            WHERE p.retired_at IS NULL AND p.headcount > coalesce(h.n, 0)""",  # noqa: S608
        on=on,
    )
    vacancies = by_sheet["Vị trí còn trống"].total
    assert vacancies is not None and vacancies[5] == missing
    open_now = _sql(session, "SELECT count(*) FROM alerts WHERE status IN ('open', 'acknowledged')")
    shortfalls = by_sheet["Thiếu tiêu chuẩn"].total
    assert shortfalls is not None and shortfalls[2] == open_now > 0
    started = _sql(
        session,
        "SELECT count(*) FROM assignments a WHERE a.retired_at IS NULL "
        "AND a.valid_from BETWEEN :first AND :last",
        first=THIS.first_day,
        last=NOW,
    )
    changes = by_sheet["Biến động"].rows
    assert started >= 1 and sum(1 for r in changes if r[3] == "Điều động") == started


def test_a_past_month_differs_where_the_data_does(session: Session, moved: None) -> None:
    now, past = report_for(session, THIS), report_for(session, BEFORE)
    now_totals = {t.sheet: t.total for t in now.tables}
    past_totals = {t.sheet: t.total for t in past.tables}
    assert now_totals["Cán bộ theo đơn vị"] != past_totals["Cán bộ theo đơn vị"]
    past_rules = past_totals["Thiếu tiêu chuẩn"]
    assert past_rules is not None and past_rules[2] == 0  # no alert existed at its end
    assert past.as_of == "Số liệu tính đến hết ngày 31/12/2024."
    assert not [r for r in past.tables[5].rows if r[3] == "Điều động"]


def test_workbook_layout_print_settings_and_inert_text(session: Session, moved: None) -> None:
    wb = load_workbook(io.BytesIO(build(session, THIS)))
    assert wb.sheetnames == [
        "Báo cáo",
        "Cán bộ theo đơn vị",
        "Đảng viên theo chi bộ",
        "Vị trí còn trống",
        "Thiếu tiêu chuẩn",
        "Đánh giá xếp loại",
        "Biến động",
    ]
    cover = [r for r in wb["Báo cáo"].iter_rows(values_only=True)]
    assert cover[0] == ("ĐẢNG BỘ PHƯỜNG LÊ CHÂN", "ĐẢNG CỘNG SẢN VIỆT NAM")
    assert cover[1][0] == "BAN XÂY DỰNG ĐẢNG" and str(cover[2][0]).startswith("Số:")
    assert f"tháng {NOW.month:02d}/{NOW.year}" in str(cover[5][0])
    flat = [str(v) for row in cover for v in row if v]
    assert "Nơi nhận:" in flat and "T/M BAN THƯỜNG VỤ" in flat
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr is not None
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    titles = [c.value for c in wb["Vị trí còn trống"]["C"]]
    assert "'=1+1 Chuyên viên" in titles  # stored as text, never as a formula


def test_pdf_is_a4_landscape_with_the_font_embedded(session: Session, moved: None) -> None:
    data = write_pdf(report_for(session, THIS))
    assert data.startswith(b"%PDF") and b"DejaVuSans" in data
    assert b"/MediaBox [0 0 841.89 595.28]" in data  # A4 landscape, in points


def test_a_future_month_is_refused(web: TestClient) -> None:
    ahead = NOW.replace(day=1) + dt.timedelta(days=40)
    with pytest.raises(Invalid):
        Month.parse(ahead.strftime("%Y-%m"))
    sign_in(web, "officer.a")
    assert web.get("/reports/monthly", params={"month": str(THIS)}).status_code == 403
    sign_in(web, "admin")
    assert web.get("/reports/monthly", params={"month": ahead.strftime("%Y-%m")}).status_code == 422
    assert web.get("/reports/monthly", params={"month": "2026-13"}).status_code == 422
    pdf = web.get("/reports/monthly", params={"month": str(THIS), "format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    xlsx = web.get("/reports/monthly", params={"month": str(THIS)})
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
