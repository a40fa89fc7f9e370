"""The monthly report as a PDF ready to sign: A4 landscape, the 36-HD/VPTW heading, each
table with its total, "Nơi nhận" and the signature block — the same ``MonthlyReport`` the XLSX
lays out. Made with fpdf2, embedding DejaVu Sans (Debian's fonts-dejavu-core) so every
Vietnamese letter prints on any machine."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from registry.reports.content import MonthlyReport, Table

FONTS = Path("/usr/share/fonts/truetype/dejavu")
REGULAR, BOLD = FONTS / "DejaVuSans.ttf", FONTS / "DejaVuSans-Bold.ttf"
FONT_HINT = "apt-get install -y fonts-dejavu-core"


class ReportPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("dejavu", size=8)
        self.cell(0, 6, f"Trang {self.page_no()}/{{nb}}", align="C")


def _fonts(pdf: FPDF) -> None:
    if not REGULAR.exists() or not BOLD.exists():
        raise RuntimeError(f"the DejaVu fonts are missing under {FONTS}: {FONT_HINT}")
    pdf.add_font("dejavu", "", str(REGULAR))
    pdf.add_font("dejavu", "B", str(BOLD))


def _heading(pdf: FPDF, r: MonthlyReport) -> None:
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    pdf.set_font("dejavu", "B", 11)
    pdf.multi_cell(
        half, 6, f"{r.committee}\n{r.office}\n*", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("dejavu", "", 10)
    pdf.multi_cell(half, 6, r.number, align="C", new_x="LMARGIN", new_y="NEXT")
    left_end = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font("dejavu", "B", 11)
    pdf.multi_cell(half, 6, "ĐẢNG CỘNG SẢN VIỆT NAM\n", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font("dejavu", "", 10)
    pdf.multi_cell(half, 6, r.place_date, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_end, pdf.get_y()) + 4)
    pdf.set_font("dejavu", "B", 14)
    pdf.multi_cell(0, 8, r.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "B", 11)
    pdf.multi_cell(0, 6, r.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 9)
    pdf.multi_cell(0, 5, f"{r.as_of} {r.produced_by}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("dejavu", "", 10)
    for line in r.summary:
        pdf.multi_cell(0, 5.5, "- " + line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _table(pdf: FPDF, t: Table) -> None:
    pdf.set_font("dejavu", "B", 10)
    pdf.multi_cell(0, 6, t.title, new_x="LMARGIN", new_y="NEXT")
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    total = sum(t.widths) or 1
    widths = tuple(usable * w / total for w in t.widths)
    rows = [[str(v) for v in row] for row in t.rows] or [
        ["", "Không có", *[""] * (len(t.columns) - 2)]
    ]
    pdf.set_font("dejavu", "", 9)
    with pdf.table(
        col_widths=widths,
        line_height=5,
        text_align="LEFT",
        repeat_headings=1,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        first_row_as_headings=True,
    ) as table:
        head = table.row()
        for c in t.columns:
            head.cell(c)
        for row in rows:
            line = table.row()
            for value in row:
                line.cell(value)
        if t.total is not None:
            last = table.row()
            for value_total in t.total:
                last.cell(str(value_total))
    pdf.ln(3)


def _closing(pdf: FPDF, r: MonthlyReport) -> None:
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y() + 2
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_font("dejavu", "B", 10)
    pdf.multi_cell(half, 5, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 9)
    for recipient in r.recipients:
        pdf.multi_cell(half, 5, f"- {recipient},", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font("dejavu", "B", 11)
    pdf.multi_cell(
        half, 6, f"{r.on_behalf}\n{r.signer_title}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font("dejavu", "", 9)
    pdf.multi_cell(half, 5, "(Ký, ghi rõ họ tên)\n\n\n\n", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font("dejavu", "B", 11)
    pdf.multi_cell(half, 6, r.signer_name or " ", align="C", new_x="LMARGIN", new_y="NEXT")


def write_pdf(r: MonthlyReport) -> bytes:
    pdf = ReportPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{r.title} {r.subtitle}")
    pdf.set_author(r.office)
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(True, margin=15)
    _fonts(pdf)
    pdf.alias_nb_pages()
    pdf.add_page()
    _heading(pdf, r)
    for t in r.tables:
        _table(pdf, t)
    _closing(pdf, r)
    return bytes(pdf.output())
