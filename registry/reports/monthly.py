"""The monthly report to the Standing Committee (due before the 28th), as an XLSX workbook.

The first sheet ("Báo cáo") carries the layout of a party report (Hướng dẫn 36-HD/VPTW): the
issuing body at top left, "ĐẢNG CỘNG SẢN VIỆT NAM" at top right, number, place and date, the
title with the month, the as-of date, who produced it, a summary, "Nơi nhận" and the signature
block. Each table then has a sheet of its own with a total row. Every sheet prints A4
landscape, one page wide, with its heading rows repeated. Every cell is written through
``registry.xlsx`` so text that looks like a formula stays text. The figures are those of
``content.compose`` (the PDF lays out the same object).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from registry.access.principal import Principal
from registry.config import Settings, get_settings
from registry.dates import LOCAL, today, utcnow
from registry.errors import Invalid
from registry.reports.content import MonthlyReport, Table, compose
from registry.xlsx import append

MONTH = re.compile(r"(\d{4})-(\d{2})")
REGISTRY_WIDE = Principal(subject="report", role="admin", org_unit_id=None, org_path=None)
THIN = Side(style="thin", color="888888")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(name="Times New Roman", bold=True, size=12)
PLAIN = Font(name="Times New Roman", size=12)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, field: str = "month") -> Month:
        """A month ``YYYY-MM`` that has begun (in Vietnam): a future month is refused."""
        m = MONTH.fullmatch(text.strip())
        if not m or not 1 <= int(m[2]) <= 12 or int(m[1]) < 2000:
            raise Invalid.field(field, "must be a month YYYY-MM")
        month = cls(int(m[1]), int(m[2]))
        now = today()
        if (month.year, month.month) > (now.year, now.month):
            raise Invalid.field(field, "is in the future")
        return month

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        y, m = (self.year, self.month + 1) if self.month < 12 else (self.year + 1, 1)
        return dt.date(y, m, 1) - dt.timedelta(days=1)

    @property
    def start(self) -> dt.datetime:
        """The month's first instant in Vietnam."""
        return dt.datetime.combine(self.first_day, dt.time(), LOCAL)

    @property
    def end(self) -> dt.datetime:
        """The first instant of the next month in Vietnam."""
        return dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time(), LOCAL)


def report_for(
    session: Session,
    month: Month,
    *,
    settings: Settings | None = None,
    produced_by: str = "",
    now: dt.datetime | None = None,
) -> MonthlyReport:
    return compose(
        session,
        year=month.year,
        month=month.month,
        last=min(month.last_day, today(now)),
        settings=settings or get_settings(),
        produced_by=produced_by,
        now=now or utcnow(),
    )


def _print_setup(ws: Worksheet, widths: list[int], title_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed, never wider than one
    props = ws.sheet_properties
    if props.pageSetUpPr is None:
        props.pageSetUpPr = PageSetupProperties()
    props.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    if title_rows:
        ws.print_title_rows = title_rows
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _cover(wb: Workbook, r: MonthlyReport) -> None:
    ws: Worksheet = wb.create_sheet("Báo cáo")
    rows: list[tuple[str, str, bool]] = [
        (r.committee, "ĐẢNG CỘNG SẢN VIỆT NAM", True),
        (r.office, "", True),
        (r.number, r.place_date, False),
        ("", "", False),
        (r.title, "", True),
        (r.subtitle, "", True),
        (r.as_of, "", False),
        (r.produced_by, "", False),
        ("", "", False),
    ]
    for left, right, bold in rows:
        append(ws, [left, right])
        for cell in ws[ws.max_row]:
            cell.font = BOLD if bold else PLAIN
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for n in (5, 6, 7, 8):  # the title block spans the page
        ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=2)
    for line in r.summary:
        append(ws, ["– " + line, ""])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=2)
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(ws.max_row, 1).font = PLAIN
        ws.row_dimensions[ws.max_row].height = 32
    append(ws, ["(Chi tiết tại các trang tính kèm theo.)", ""])
    append(ws, ["", ""])
    append(ws, ["Nơi nhận:", r.on_behalf])
    ws.cell(ws.max_row, 1).font = Font(name="Times New Roman", bold=True, italic=True, size=12)
    ws.cell(ws.max_row, 2).font = BOLD
    first_recipient = ws.max_row + 1
    for n, recipient in enumerate(r.recipients):
        right = r.signer_title if n == 0 else ""
        append(ws, ["– " + recipient + ",", right])
    if ws.max_row < first_recipient:
        append(ws, ["", r.signer_title])
    ws.cell(first_recipient, 2).font = BOLD
    append(ws, ["", ""])
    append(ws, ["", "(Ký, ghi rõ họ tên)"])
    append(ws, ["", ""])
    append(ws, ["", r.signer_name])
    ws.cell(ws.max_row, 2).font = BOLD
    for row in ws.iter_rows(min_row=first_recipient - 1):
        row[1].alignment = Alignment(horizontal="center")
    _print_setup(ws, [70, 62], None)


def _table(wb: Workbook, r: MonthlyReport, t: Table) -> None:
    ws: Worksheet = wb.create_sheet(t.sheet[:31])
    append(ws, [f"{t.title} — tháng {r.month}"])
    ws.cell(1, 1).font = BOLD
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(t.columns))
    append(ws, [r.as_of])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(t.columns))
    append(ws, t.columns)
    for cell in ws[3]:
        cell.font, cell.border = BOLD, BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in t.rows or [["", "Không có", *[""] * (len(t.columns) - 2)]]:
        append(ws, row)
        for cell in ws[ws.max_row]:
            cell.font, cell.border = PLAIN, BOX
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if t.total is not None:
        append(ws, t.total)
        for cell in ws[ws.max_row]:
            cell.font, cell.border = BOLD, BOX
    total_width = sum(t.widths) or 1
    _print_setup(ws, [max(6, round(w * 130 / total_width)) for w in t.widths], "1:3")


def write_xlsx(r: MonthlyReport) -> bytes:
    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)
    _cover(wb, r)
    for t in r.tables:
        _table(wb, r, t)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build(
    session: Session,
    month: Month,
    who: Principal = REGISTRY_WIDE,
    *,
    settings: Settings | None = None,
    produced_by: str = "",
) -> bytes:
    """The month's workbook. ``who`` must read the whole registry (the report covers the
    whole ward); the callers check it."""
    del who
    return write_xlsx(report_for(session, month, settings=settings, produced_by=produced_by))
