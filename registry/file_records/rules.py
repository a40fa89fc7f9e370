"""Rules of the file's sections that span fields, pure (no database): each returns the
``(field, reason)`` pairs of what is wrong, so the API, an import and a test read the same
words."""

from __future__ import annotations

import datetime as dt
import uuid

from registry.catalogue.kinds_file import OWN_SIDE_ONLY, SPOUSE_SIDE_ONLY
from registry.dates import PartialDate
from registry.persons.loose_dates import ends_before

Issues = list[tuple[str, str]]


def interval_issues(
    start: dt.date | None, end: dt.date | None, *, start_field: str, end_field: str
) -> Issues:
    if start is not None and end is not None and end < start:
        return [(end_field, f"is before {start_field}: it ends before it starts")]
    return []


def not_future(value: dt.date | None, *, field: str, today: dt.date) -> Issues:
    return [(field, "is in the future")] if value is not None and value > today else []


def family_issues(
    *,
    person_id: uuid.UUID,
    relative_person_id: uuid.UUID | None,
    side: str,
    relation: str,
    birth_year: int | None,
    today: dt.date,
) -> Issues:
    """A person is never their own relative; in-laws are on the spouse's side and the
    person's own parents, children and siblings on their own side (form 2C's two tables)."""
    issues: Issues = []
    if relative_person_id is not None and relative_person_id == person_id:
        issues.append(("relative_person_id", "is the person themselves: no one is their own kin"))
    if side == "own" and relation in SPOUSE_SIDE_ONLY:
        issues.append(("relation", f"{relation} belongs to the spouse's side (side spouse)"))
    if side == "spouse" and relation in OWN_SIDE_ONLY - {"sibling"}:
        issues.append(("relation", f"{relation} belongs to the person's own side (side own)"))
    if birth_year is not None and birth_year > today.year:
        issues.append(("birth_year", "is in the future"))
    return issues


def history_issues(valid_from: str, valid_to: str | None, *, today: dt.date) -> Issues:
    start = PartialDate.parse(valid_from)
    issues: Issues = []
    if start.is_future(today):
        issues.append(("valid_from", "is in the future"))
    if valid_to is not None:
        end = PartialDate.parse(valid_to)
        if ends_before(start, end):
            issues.append(("valid_to", "is before valid_from: it ends before it starts"))
        if end.is_future(today):
            issues.append(("valid_to", "is in the future"))
    return issues
