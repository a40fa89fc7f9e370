"""Checks on a person's identity fields that span several fields (the wire models check
shapes; these check meaning). Each returns ``(field, reason)`` pairs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from registry.codes import ethnic_groups, religions
from registry.dates import PartialDate
from registry.nid import check_cmnd, check_nid
from schemas.persons import PersonCreate


def identity_issues(
    *,
    nid: str | None,
    cmnd: str | None,
    birth_date: str,
    sex: str,
    ethnicity_code: str,
    religion_code: str,
    life_status: str,
    death_date: dt.date | None,
    today: dt.date,
    abroad_prefixes: Iterable[str] = (),
    max_age: int = 120,
    id_issued_on: dt.date | None = None,
) -> list[tuple[str, str]]:
    issues: list[tuple[str, str]] = []
    birth = PartialDate.parse(birth_date)
    if birth.is_future(today):
        issues.append(("birth_date", "is in the future"))
    if life_status == "alive" and too_old(birth, today=today, max_age=max_age):
        issues.append(("birth_date", f"is over {max_age} years ago for a living person"))
    if id_issued_on is not None:
        if id_issued_on > today:
            issues.append(("id_issued_on", "is in the future"))
        elif id_issued_on < birth.earliest():
            issues.append(("id_issued_on", "is before the birth date"))
    if nid is not None:
        issues += [
            ("nid", r)
            for r in check_nid(
                nid,
                birth_year=birth.year,
                sex=sex,
                current_year=today.year,
                abroad_prefixes=abroad_prefixes,
            )
        ]
    if cmnd is not None:
        issues += [("cmnd", r) for r in check_cmnd(cmnd)]
    if ethnicity_code not in ethnic_groups():
        issues.append(("ethnicity_code", f"unknown ethnicity code {ethnicity_code}"))
    if religion_code not in religions():
        issues.append(("religion_code", f"unknown religion code {religion_code}"))
    if life_status == "alive" and death_date is not None:
        issues.append(("death_date", "set while life_status is alive"))
    if death_date is not None:
        if death_date > today:
            issues.append(("death_date", "is in the future"))
        if death_date < birth.earliest():
            issues.append(("death_date", "is before the birth date"))
    return issues


def too_old(birth: PartialDate, *, today: dt.date, max_age: int) -> bool:
    """Born more than ``max_age`` years before ``today``, whatever the missing day or month
    (a living person born in 1800 is a typing error, not a record)."""
    latest = (birth.year, birth.month or 12, birth.day or 31)
    return latest < (today.year - max_age, today.month, today.day)


def new_person_issues(
    data: PersonCreate,
    *,
    today: dt.date,
    abroad_prefixes: Iterable[str] = (),
    max_age: int = 120,
) -> list[tuple[str, str]]:
    """``identity_issues`` of a person about to be recorded alive by a bulk path (the demo
    generator, an import), which checks meaning before it writes."""
    return identity_issues(
        nid=data.nid,
        cmnd=data.cmnd,
        birth_date=data.birth_date,
        sex=data.sex,
        ethnicity_code=data.ethnicity_code,
        religion_code=data.religion_code,
        life_status="alive",
        death_date=None,
        today=today,
        abroad_prefixes=abroad_prefixes,
        max_age=max_age,
    )
