"""Cells that are safe to open: text a spreadsheet would read as a formula is written as text.

Every XLSX the registry writes (reports, exports) passes its values through :func:`safe`. A
string starting with ``= + - @``, a tab or a carriage return would be taken by Excel or
LibreOffice for a formula (a ``HYPERLINK`` can send a cell's content away when the file is
opened); it is prefixed with an apostrophe and stored with the text data type, so the
application shows it as text and never evaluates it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Value = str | int | float | Decimal | dt.date | dt.datetime | None


def is_risky(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def safe(value: object) -> Value:
    """The value to write: numbers, dates and None as they are; text made inert."""
    if value is None or isinstance(value, int | float | Decimal | dt.date | dt.datetime):
        return value
    text = str(value)
    return "'" + text if is_risky(text) else text


def append(ws: Worksheet, row: Iterable[object]) -> None:
    """``ws.append`` with every cell made safe and text cells typed as text."""
    ws.append([safe(v) for v in row])
    for cell in ws[ws.max_row]:
        if isinstance(cell, Cell) and isinstance(cell.value, str):
            cell.data_type = "s"
