"""Dates as people write them: ``14/03/1985``, ``03/1985``, ``1985`` as well as ISO
``1985-03-14``, ``1985-03``. They become the project's partial dates (``registry.dates``): a
file keeps exactly what the source knew, never an invented day or month."""

from __future__ import annotations

import re

from registry.dates import PartialDate

_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_MY = re.compile(r"(\d{1,2})[/.\-](\d{4})")
_ISO_OR_YEAR = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def parse_loose(text: str) -> PartialDate:
    """``text`` as a partial date; ``ValueError`` naming the accepted forms otherwise."""
    value = text.strip()
    if m := _DMY.fullmatch(value):
        return PartialDate.parse(f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}")
    if m := _MY.fullmatch(value):
        return PartialDate.parse(f"{m[2]}-{int(m[1]):02d}")
    if _ISO_OR_YEAR.fullmatch(value):
        return PartialDate.parse(value)
    raise ValueError("must be dd/mm/yyyy, mm/yyyy, yyyy or yyyy-mm-dd")


def ends_before(start: PartialDate, end: PartialDate) -> bool:
    """True only when ``end`` is certainly before ``start`` (whatever the missing parts)."""
    latest_end = (end.year, end.month or 12, end.day or 31)
    earliest_start = (start.year, start.month or 1, start.day or 1)
    return latest_end < earliest_start
