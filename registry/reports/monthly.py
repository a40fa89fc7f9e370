"""The monthly report to the Standing Committee, as an XLSX workbook (due before the 28th).

Headcount and vacancies are as of the month's last day (or today, for the running month);
open shortfalls are the alerts active when the report is made (alerts keep no as-of state
outside the history); changes are the recorded versions of the month; classifications are
the current evaluations of periods in the month's year.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from registry.access.principal import Principal
from registry.dates import today
from registry.errors import Invalid
from registry.reports import figures
from registry.standards.rule_names import RULE_NAMES

MONTH = re.compile(r"(\d{4})-(\d{2})")
REGISTRY_WIDE = Principal(subject="report", role="admin", org_unit_id=None, org_path=None)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, field: str = "month") -> Month:
        m = MONTH.fullmatch(text.strip())
        if not m or not 1 <= int(m[2]) <= 12 or int(m[1]) < 2000:
            raise Invalid.field(field, "must be a month YYYY-MM")
        return cls(int(m[1]), int(m[2]))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.month, 1, tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """The first instant of the next month."""
        y, m = (self.year, self.month + 1) if self.month < 12 else (self.year + 1, 1)
        return dt.datetime(y, m, 1, tzinfo=dt.UTC)

    @property
    def last_day(self) -> dt.date:
        return (self.end - dt.timedelta(days=1)).date()


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[tuple[object, ...]]) -> None:
    ws: Worksheet = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for col, name in zip("ABCDEFGH", header, strict=False):
        ws.column_dimensions[col].width = max(14, len(name) + 4)


def build(session: Session, month: Month, who: Principal = REGISTRY_WIDE) -> bytes:
    on = min(month.last_day, today())
    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)
    _sheet(
        wb,
        "Headcount",
        ["org_unit", "name", "persons"],
        list(figures.headcount_by_org(session, who)),
    )
    _sheet(
        wb,
        "Vacancies",
        ["org_unit", "post", "headcount", "holders", "vacant"],
        [
            (v.org_code, v.title, v.headcount, v.holders, v.vacant)
            for v in figures.vacancies(session, who, on=on)
        ],
    )
    _sheet(
        wb,
        "Open shortfalls",
        ["rule", "open", "acknowledged", "waived", "tiêu chí"],
        [
            (rule, c["open"], c["acknowledged"], c["waived"], RULE_NAMES["vi"].get(rule, rule))
            for rule, c in figures.active_by_rule_and_status(session, who).items()
        ],
    )
    _sheet(
        wb,
        "Changes",
        ["table", "operation", "versions"],
        list(figures.changes_between(session, month.start, month.end)),
    )
    _sheet(
        wb,
        "Classifications",
        ["period_kind", "classification", "evaluations"],
        list(figures.classifications(session, who, year=month.year)),
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
