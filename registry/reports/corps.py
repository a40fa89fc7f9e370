"""The corps report: "đánh giá toàn diện về số lượng, chất lượng đội ngũ cán bộ cơ sở" — the
body of cadres as at a date, counted by unit and by post kind, each broken down by
professional level, political theory, state management, age band, sex, ethnicity, party
status and years in post.

Who is counted: a person (file not retired, not dead on the day) holding on the day at least
one post of this registry (an assignment to a position, neither retired, ``valid_from <= on
<= valid_to`` or open). A person is counted once in each group: once in the total, once in
every unit where they hold a post, once per post kind. So the units' headcounts may add up
to more than the total (one person, two posts in two units).

How each person is placed (the same rules the test writes as SQL):

- a qualification ladder: the highest level held on the day (``awarded_on`` empty or on or
  before it, not retired) — equal ranks share the first code of the ladder (``cao_cap`` for
  cao cấp and cử nhân); ``none`` without one;
- age band: the age reached in the report's year (year of the day − birth year), as Vietnamese
  personnel statistics count it: < 30, 30–39, 40–49, 50–59, ≥ 60;
- party status on the day: ``official`` (admitted and official on or before the day),
  ``probationary`` (admitted, not yet official), else ``none`` — a member whose status is
  left, expelled or deceased counts as ``none`` from the date of that event;
- years in post: from the earliest start among the posts the person holds in the group on the
  day: < 1, 1–4, 5–9, ≥ 10 full years.

The read policy decides the breakdowns: ethnicity and party status are special-category data,
so a caller the policy closes them to gets neither (named in ``masked_fields``), and for such
a caller every breakdown cell under ``SUPPRESS_BELOW`` (but above zero) is withheld (null):
in a ward, a unit with one cadre of a group names that cadre.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.orm import Session

from registry.access import policy
from registry.access.principal import Principal
from registry.access.scope import scope_clause, visible
from registry.assignments.models import Assignment
from registry.codes import QUALIFICATION_LADDERS, ethnic_groups
from registry.org_units.models import OrgUnit
from registry.party.models import PartyEvent, PartyMembership
from registry.persons.models import Person
from registry.positions.models import Position
from registry.qualifications.models import Qualification
from registry.xlsx import append

SUPPRESS_BELOW = 3
_CHUNK = 1_000  # persons per IN list

LADDER_LABELS: dict[str, dict[str, str]] = {
    "professional": {
        "so_cap": "Sơ cấp",
        "trung_cap": "Trung cấp",
        "cao_dang": "Cao đẳng",
        "dai_hoc": "Đại học",
        "thac_si": "Thạc sĩ",
        "tien_si": "Tiến sĩ",
    },
    "political_theory": {
        "so_cap": "Sơ cấp",
        "trung_cap": "Trung cấp",
        "cao_cap": "Cao cấp, cử nhân",
    },
    "state_management": {
        "can_su": "Cán sự",
        "chuyen_vien": "Chuyên viên",
        "chuyen_vien_chinh": "Chuyên viên chính",
        "chuyen_vien_cao_cap": "Chuyên viên cao cấp",
    },
}
NONE = ("none", "Chưa có")
AGE_BANDS = (
    ("under_30", "Dưới 30", None, 29),
    ("30_39", "Từ 30 đến 39", 30, 39),
    ("40_49", "Từ 40 đến 49", 40, 49),
    ("50_59", "Từ 50 đến 59", 50, 59),
    ("60_plus", "Từ 60 trở lên", 60, None),
)
YEARS_BANDS = (
    ("under_1", "Dưới 1 năm", None, 0),
    ("1_4", "Từ 1 đến dưới 5 năm", 1, 4),
    ("5_9", "Từ 5 đến dưới 10 năm", 5, 9),
    ("10_plus", "Từ 10 năm trở lên", 10, None),
)
SEXES = (("M", "Nam"), ("F", "Nữ"))
PARTY = (("official", "Đảng viên chính thức"), ("probationary", "Đảng viên dự bị"), NONE)
ENDED = ("left", "expelled", "deceased")
POST_KINDS = (("leadership", "Lãnh đạo, quản lý"), ("staff", "Không giữ chức vụ lãnh đạo"))

# Breakdown → (label, the catalogue table and field the read policy judges it by).
BREAKDOWNS: dict[str, tuple[str, str, str]] = {
    "professional": ("Trình độ chuyên môn", "qualifications", "level"),
    "political_theory": ("Lý luận chính trị", "qualifications", "level"),
    "state_management": ("Quản lý nhà nước", "qualifications", "level"),
    "age_band": ("Độ tuổi", "persons", "birth_date"),
    "sex": ("Giới tính", "persons", "sex"),
    "ethnicity": ("Dân tộc", "persons", "ethnicity_code"),
    "party_status": ("Đảng viên", "party_memberships", "status"),
    "years_in_post": ("Thời gian giữ chức vụ", "assignments", "valid_from"),
}


def ladder_category(kind: str, level: str) -> str:
    """The category of ``level`` on ``kind``'s ladder: the first code of its rank."""
    ladder = QUALIFICATION_LADDERS[kind]
    rank = ladder[level]
    return next(code for code, r in ladder.items() if r == rank)


def _band(value: int, bands: Sequence[tuple[str, str, int | None, int | None]]) -> str:
    for code, _label, low, high in bands:
        if (low is None or value >= low) and (high is None or value <= high):
            return code
    raise AssertionError(f"no band for {value}")  # the bands cover every integer


def full_years(start: dt.date, on: dt.date) -> int:
    years = on.year - start.year
    return years - 1 if (on.month, on.day) < (start.month, start.day) else years


@dataclass
class Holder:
    """One person of the corps: their facts on the day and the posts they hold."""

    person_id: uuid.UUID
    birth_year: int
    sex: str
    ethnicity_code: str
    posts: list[tuple[uuid.UUID, str, dt.date]] = field(default_factory=list)  # unit, kind, from
    levels: dict[str, str] = field(default_factory=dict)
    party: str = "none"

    def category(self, breakdown: str, on: dt.date, starts: Iterable[dt.date]) -> str:
        if breakdown in LADDER_LABELS:
            return self.levels.get(breakdown, NONE[0])
        if breakdown == "age_band":
            return _band(on.year - self.birth_year, AGE_BANDS)
        if breakdown == "sex":
            return self.sex
        if breakdown == "ethnicity":
            return self.ethnicity_code
        if breakdown == "party_status":
            return self.party
        return _band(full_years(min(starts), on), YEARS_BANDS)


@dataclass
class Group:
    by: str  # total | org_unit | post_kind
    key: str | None
    label: str
    code: str | None = None
    members: dict[uuid.UUID, list[dt.date]] = field(default_factory=dict)  # person → starts


@dataclass
class CorpsReport:
    on: dt.date
    org_unit_id: uuid.UUID | None
    breakdowns: list[str]
    masked_fields: list[str]
    suppressed_below: int | None
    categories: dict[str, list[tuple[str, str]]]
    groups: list[dict[str, Any]]

    @property
    def total(self) -> int:
        return int(self.groups[0]["headcount"])


def shown_breakdowns(principal: Principal) -> tuple[list[str], list[str]]:
    shown, masked = [], []
    for name, (_label, table, column) in BREAKDOWNS.items():
        if policy.sees_kind(principal, table) and policy.sees_field(principal, table, column):
            shown.append(name)
        else:
            masked.append(name)
    return shown, masked


def build(
    session: Session, principal: Principal, *, on: dt.date, org_unit: OrgUnit | None = None
) -> CorpsReport:
    holders = _holders(session, principal, on=on, org_unit=org_unit)
    shown, masked = shown_breakdowns(principal)
    _fill_levels(session, holders, on)
    if "party_status" in shown:
        _fill_party(session, holders, on)
    groups = _groups(session, holders)
    categories = _categories(shown, holders.values())
    suppress = None if principal.sees_sensitive else SUPPRESS_BELOW
    rows = [_row(g, holders, shown, categories, on, suppress) for g in groups]
    return CorpsReport(
        on=on,
        org_unit_id=None if org_unit is None else org_unit.id,
        breakdowns=shown,
        masked_fields=masked,
        suppressed_below=suppress,
        categories=categories,
        groups=rows,
    )


def _holders(
    session: Session, principal: Principal, *, on: dt.date, org_unit: OrgUnit | None
) -> dict[uuid.UUID, Holder]:
    stmt = (
        sa.select(
            Person.id,
            Person.birth_year,
            Person.sex,
            Person.ethnicity_code,
            Position.org_unit_id,
            Position.is_leadership,
            Assignment.valid_from,
        )
        .join(Position, Position.id == Assignment.position_id)
        .join(Person, Person.id == Assignment.person_id)
        .where(
            Assignment.retired_at.is_(None),
            Position.retired_at.is_(None),
            Person.retired_at.is_(None),
            Assignment.valid_from <= on,
            sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to >= on),
            sa.or_(Person.death_date.is_(None), Person.death_date > on),
        )
    )
    stmt = visible(stmt, Position, principal)
    if org_unit is not None:
        stmt = stmt.where(scope_clause(Position, org_unit.path))
    holders: dict[uuid.UUID, Holder] = {}
    for pid, year, sex, ethnicity, unit_id, leading, start in session.execute(stmt):
        holder = holders.setdefault(pid, Holder(pid, year, sex, ethnicity))
        holder.posts.append((unit_id, "leadership" if leading else "staff", start))
    return holders


def _chunks(ids: Sequence[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    for at in range(0, len(ids), _CHUNK):
        yield list(ids[at : at + _CHUNK])


def _fill_levels(session: Session, holders: dict[uuid.UUID, Holder], on: dt.date) -> None:
    kinds = list(LADDER_LABELS)
    best: dict[tuple[uuid.UUID, str], int] = {}
    for ids in _chunks(list(holders)):
        stmt = sa.select(Qualification.person_id, Qualification.kind, Qualification.level).where(
            Qualification.person_id.in_(ids),
            Qualification.kind.in_(kinds),
            Qualification.retired_at.is_(None),
            sa.or_(Qualification.awarded_on.is_(None), Qualification.awarded_on <= on),
        )
        for pid, kind, level in session.execute(stmt):
            rank = QUALIFICATION_LADDERS[kind].get(level)
            if rank is None or rank <= best.get((pid, kind), 0):
                continue
            best[(pid, kind)] = rank
            holders[pid].levels[kind] = ladder_category(kind, level)


def _fill_party(session: Session, holders: dict[uuid.UUID, Holder], on: dt.date) -> None:
    for ids in _chunks(list(holders)):
        ended = (
            sa.select(PartyEvent.membership_id)
            .where(PartyEvent.to_status.in_(ENDED), PartyEvent.effective_on <= on)
            .scalar_subquery()
        )
        stmt = sa.select(
            PartyMembership.person_id,
            PartyMembership.official_on,
            PartyMembership.id.in_(ended),
        ).where(
            PartyMembership.person_id.in_(ids),
            PartyMembership.retired_at.is_(None),
            PartyMembership.admitted_on <= on,
        )
        for pid, official_on, has_ended in session.execute(stmt):
            if has_ended:
                continue
            official = official_on is not None and official_on <= on
            holders[pid].party = "official" if official else "probationary"


def _groups(session: Session, holders: dict[uuid.UUID, Holder]) -> list[Group]:
    total = Group("total", None, "Tổng số")
    units: dict[uuid.UUID, Group] = {}
    kinds = {code: Group("post_kind", code, label) for code, label in POST_KINDS}
    for h in holders.values():
        for unit_id, kind, start in h.posts:
            for g in (total, kinds[kind], units.setdefault(unit_id, Group("org_unit", None, ""))):
                g.members.setdefault(h.person_id, []).append(start)
    names = {}
    for ids in _chunks(list(units)):
        stmt = sa.select(OrgUnit.id, OrgUnit.code, OrgUnit.name).where(OrgUnit.id.in_(ids))
        names.update({uid: (code, name) for uid, code, name in session.execute(stmt)})
    for uid, g in units.items():
        g.key, (g.code, g.label) = str(uid), names[uid]
    ordered = sorted(units.values(), key=lambda g: g.code or "")
    return [total, *ordered, *kinds.values()]


def _categories(shown: list[str], holders: Iterable[Holder]) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    names = ethnic_groups()
    present = sorted({h.ethnicity_code for h in holders})
    for name in shown:
        if name in LADDER_LABELS:
            out[name] = [*LADDER_LABELS[name].items(), NONE]
        elif name == "age_band":
            out[name] = [(c, label) for c, label, _, _ in AGE_BANDS]
        elif name == "years_in_post":
            out[name] = [(c, label) for c, label, _, _ in YEARS_BANDS]
        elif name == "sex":
            out[name] = list(SEXES)
        elif name == "ethnicity":
            out[name] = [(c, names.get(c, c)) for c in present]
        elif name == "party_status":
            out[name] = list(PARTY)
    return out


def _row(
    g: Group,
    holders: dict[uuid.UUID, Holder],
    shown: list[str],
    categories: dict[str, list[tuple[str, str]]],
    on: dt.date,
    suppress: int | None,
) -> dict[str, Any]:
    counts: dict[str, dict[str, int | None]] = {}
    for name in shown:
        tally: dict[str, int] = defaultdict(int)
        for pid, starts in g.members.items():
            tally[holders[pid].category(name, on, starts)] += 1
        counts[name] = {
            code: (None if suppress and 0 < tally[code] < suppress else tally[code])
            for code, _ in categories[name]
        }
    return {
        "by": g.by,
        "key": g.key,
        "code": g.code,
        "label": g.label,
        "headcount": len(g.members),
        "counts": counts,
    }


GROUPINGS = (("org_unit", "Theo đơn vị"), ("post_kind", "Theo loại chức vụ"))
SUPPRESSED = "(ẩn)"


def to_xlsx(report: CorpsReport, *, scope_label: str) -> bytes:
    """The report as a workbook: a sheet per grouping (the total first, then a row per unit or
    post kind; a column per breakdown category), and a sheet saying what it covers. Every
    cell goes through ``registry.xlsx.append``."""
    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = "Thông tin"
    append(about, ["Báo cáo số lượng, chất lượng đội ngũ cán bộ cơ sở"])
    append(about, ["Tính đến ngày", report.on.strftime("%d/%m/%Y")])
    append(about, ["Phạm vi", scope_label])
    if report.masked_fields:
        hidden = ", ".join(BREAKDOWNS[m][0] for m in report.masked_fields)
        append(about, ["Không hiển thị (dữ liệu nhạy cảm)", hidden])
    if report.suppressed_below:
        note = f"Ô có dưới {report.suppressed_below} người được ẩn {SUPPRESSED}"
        append(about, ["Ẩn số nhỏ", note])
    header = ["Nhóm", "Mã", "Tổng số"] + [
        f"{BREAKDOWNS[b][0]}: {label}"
        for b in report.breakdowns
        for _, label in report.categories[b]
    ]
    for by, title in GROUPINGS:
        ws = wb.create_sheet(title)
        append(ws, header)
        for row in report.groups:
            if row["by"] not in ("total", by):
                continue
            cells: list[object] = [row["label"], row["code"] or row["key"] or "", row["headcount"]]
            for b in report.breakdowns:
                for code, _ in report.categories[b]:
                    value = row["counts"][b][code]
                    cells.append(SUPPRESSED if value is None else value)
            append(ws, cells)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
