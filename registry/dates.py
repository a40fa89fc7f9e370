"""Partial dates ("1958", "1958-05", "1958-05-14") and the clock."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True, order=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        m = _PARTIAL.fullmatch(text)
        if not m:
            raise ValueError("must be YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = int(m[1]), m[2], m[3]
        if year < 1800:
            raise ValueError("year before 1800")
        if month is not None and not 1 <= int(month) <= 12:
            raise ValueError("month out of range")
        if day is not None:
            dt.date(year, int(month or 1), int(day))  # raises ValueError on 2023-02-30
        return cls(year, int(month) if month else None, int(day) if day else None)

    def __str__(self) -> str:
        out = f"{self.year:04d}"
        if self.month is not None:
            out += f"-{self.month:02d}"
        if self.day is not None:
            out += f"-{self.day:02d}"
        return out

    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def agrees_with(self, other: PartialDate) -> bool:
        """True when neither date contradicts the other (one may just carry less)."""
        if self.year != other.year:
            return False
        if self.month is not None and other.month is not None and self.month != other.month:
            return False
        return not (self.day is not None and other.day is not None and self.day != other.day)

    def is_future(self, today: dt.date) -> bool:
        return self.earliest() > today


# Vietnam keeps one time zone, UTC+7, with no daylight saving: a ward's "today" (a decision's
# date, a certificate expiring, the last closed quarter, the report month) is the date there,
# not in UTC, where it lags by seven hours every evening.
LOCAL = dt.timezone(dt.timedelta(hours=7), "ICT")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Vietnam (at the instant ``now``, by default the present)."""
    return (now or utcnow()).astimezone(LOCAL).date()
