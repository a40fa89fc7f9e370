"""Retirement age by sex and birth date (Labour Code 2019, Decree 135/2020): men 60y3m in
2021 rising 3 months a year to 62 (2028); women 55y4m in 2021 rising 4 months a year to 60
(2035). The schedule is configuration: change it here, not in the rules."""

from __future__ import annotations

import datetime as dt

from registry.dates import PartialDate

SCHEDULE = {  # sex → (months in 2021, months added per year, final months)
    "M": (60 * 12 + 3, 3, 62 * 12),
    "F": (55 * 12 + 4, 4, 60 * 12),
}


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, 1)


def retirement_date(sex: str, birth: str) -> dt.date:
    """The first day of the month after the person reaches retirement age."""
    born = PartialDate.parse(birth).earliest()
    start, step, final = SCHEDULE[sex if sex in SCHEDULE else "M"]
    months = start
    while True:
        reached = _add_months(born, months)
        # the age in force is the one for the year in which it is reached
        due = (
            min(final, start + max(0, reached.year - 2021) * step) if reached.year > 2021 else start
        )
        if due <= months:
            return _add_months(born, due + 1)
        months = due
