"""One cadre, through the services the API uses: the file, the party membership, the work
history (free-text posts before the merger, then a post of the ward) and the records."""

from __future__ import annotations

import datetime as dt
import decimal
import random
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from registry.assignments.service import create_assignment
from registry.codes import nid_birth_prefixes
from registry.context import Ctx
from registry.demo.cadre_records import write_records
from registry.demo.calendar import MERGER, ROTATION_DAY, add_years, between
from registry.demo.people import PersonSpec, full_name_of, person, person_rng
from registry.demo.structure import (
    AGENCY_CELLS,
    BRANCH,
    CV,
    FORMER_DISTRICT,
    FORMER_WARDS,
    WARD,
)
from registry.demo.ward import Seat, Ward
from registry.party.service import create_membership
from registry.persons.service import create_person
from schemas.assignments import AssignmentCreate
from schemas.party import PartyMembershipCreate
from schemas.persons import PersonCreate, Place

LEADER_YEARS = (1967, 1984)
# Salary grade, coefficient at step 1, per step, steps: Decree 204/2004 tables for the ranks.
SALARY = {
    "01.002": ("A2.1", decimal.Decimal("4.40"), decimal.Decimal("0.34"), 8),
    "01.003": ("A1", decimal.Decimal("2.34"), decimal.Decimal("0.33"), 9),
    "01.004": ("B", decimal.Decimal("1.86"), decimal.Decimal("0.18"), 12),
}
EARLIER_POSTS = {
    True: ("Phó Chủ tịch UBND phường", "Chủ tịch UBND phường", "Phó Bí thư Đảng ủy phường"),
    False: (
        "Nhân viên hợp đồng",
        "Công chức Văn phòng - Thống kê",
        "Công chức Tư pháp - Hộ tịch",
        "Công chức Địa chính - Xây dựng",
        "Công chức Văn hóa - Xã hội",
    ),
}
WAITING_POST = "Công chức chờ bố trí công tác sau sắp xếp"


@dataclass(frozen=True)
class Cadre:
    """What the planning step needs to know about a cadre written earlier."""

    person_id: uuid.UUID
    branch: str
    holds: frozenset[int]  # post indexes
    eligible: bool  # no discipline: may be put in the planning


def write_cadre(session: Session, ctx: Ctx, ward: Ward, index: int, seat: Seat) -> Cadre:
    rng = person_rng(ward.seed, "cadre", index)
    post = ward.posts[seat.post] if seat.post is not None else None
    leader = post is not None and post.leader
    spec = person(ward.seed, index, role="cadre", years=LEADER_YEARS if leader else None)
    year = min(spec.birth_year + rng.randint(22, 27), MERGER.year - 1)
    recruited = dt.date(year, rng.randint(1, 12), 1)
    rank = (post.rank if post else None) or CV
    unit = post.unit if post else "UBND-LC"
    person_id = create_person(session, ctx, _person(ward, spec, rng, unit, rank, recruited)).id
    if leader or rng.random() < 0.85:
        _membership(session, ctx, ward, rng, person_id, spec, BRANCH[unit])
    disciplined = write_records(
        session, ctx, ward, rng, person_id, leader=leader, recruited=recruited
    )
    _earlier_posts(session, ctx, ward, rng, person_id, recruited, leader)
    holds = _ward_posts(session, ctx, ward, rng, person_id, seat)
    return Cadre(person_id, BRANCH[unit], holds, eligible=not disciplined)


def _person(
    ward: Ward, spec: PersonSpec, rng: random.Random, unit: str, rank: str, recruited: dt.date
) -> PersonCreate:
    grade, base, per_step, steps = SALARY[rank]
    step = min(steps, 1 + (ward.as_of.year - recruited.year) // 3)
    origin = spec.nid[:3]
    return PersonCreate(
        org_unit_id=ward.units[unit],
        **spec.identity(),
        origin_place=Place(
            unit_code=origin[1:], code_list="2004", text=nid_birth_prefixes()[origin]
        ),
        phone=f"09{rng.randint(10_000_000, 99_999_999)}",
        general_education="12/12",
        recruited_on=recruited,
        recruiting_agency=f"UBND {FORMER_DISTRICT}",
        civil_servant_no=f"HP-{spec.index + 1:06d}",
        rank_code=rank,
        salary_grade=grade,
        salary_step=step,
        salary_coefficient=base + per_step * (step - 1),
    )


def _membership(
    session: Session,
    ctx: Ctx,
    ward: Ward,
    rng: random.Random,
    person_id: uuid.UUID,
    spec: PersonSpec,
    branch: str,
) -> None:
    year = min(spec.birth_year + rng.randint(21, 33), ward.as_of.year - 2)
    admitted = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    data = PartyMembershipCreate(
        person_id=person_id,
        party_cell_id=ward.units[AGENCY_CELLS[branch]],
        admitted_on=admitted,
        official_on=add_years(admitted, 1),
        status="official",
        card_no=f"{rng.randint(10_000_000, 99_999_999)}",
        party_cv_no=f"{rng.randint(100_000, 999_999)}",
    )
    create_membership(session, ctx, data)


def _earlier_posts(
    session: Session,
    ctx: Ctx,
    ward: Ward,
    rng: random.Random,
    person_id: uuid.UUID,
    recruited: dt.date,
    leader: bool,
) -> None:
    """One to three posts held before the registry existed, ending the day before the merger."""
    last_day = MERGER - dt.timedelta(days=1)
    cuts = sorted({between(rng, recruited, last_day) for _ in range(rng.randint(0, 2))})
    starts = [recruited, *[c for c in cuts if c > recruited]]
    titles = EARLIER_POSTS[leader]
    for n, start in enumerate(starts):
        end = starts[n + 1] - dt.timedelta(days=1) if n + 1 < len(starts) else last_day
        place = f"UBND phường {rng.choice(FORMER_WARDS)}, {FORMER_DISTRICT} (trước sắp xếp)"
        data = AssignmentCreate(
            person_id=person_id,
            external_post=titles[min(n, len(titles) - 1)] if leader else rng.choice(titles),
            external_unit=place,
            kind="appointment" if n == 0 else "transfer",
            valid_from=start,
            valid_to=end,
        )
        create_assignment(session, ctx, data)


def _ward_posts(
    session: Session, ctx: Ctx, ward: Ward, rng: random.Random, person_id: uuid.UUID, seat: Seat
) -> frozenset[int]:
    if seat.post is None:
        data = AssignmentCreate(
            person_id=person_id,
            external_post=WAITING_POST,
            external_unit=f"UBND phường {WARD}",
            kind="transfer",
            valid_from=MERGER,
        )
        create_assignment(session, ctx, data)
        return frozenset()
    first_end = ROTATION_DAY - dt.timedelta(days=1) if seat.rotated_to is not None else None
    _seat(session, ctx, ward, rng, person_id, seat.post, MERGER, first_end, first=True)
    if seat.rotated_to is None:
        return frozenset({seat.post})
    _seat(session, ctx, ward, rng, person_id, seat.rotated_to, ROTATION_DAY, None, first=False)
    return frozenset({seat.rotated_to})


def _seat(
    session: Session,
    ctx: Ctx,
    ward: Ward,
    rng: random.Random,
    person_id: uuid.UUID,
    post: int,
    start: dt.date,
    end: dt.date | None,
    *,
    first: bool,
) -> None:
    spec = ward.posts[post]
    kind = "rotation" if not first else ("election" if spec.elected else "appointment")
    decision, party = _decision_no(rng, spec.unit)
    data = AssignmentCreate(
        person_id=person_id,
        position_id=ward.post_ids[post],
        kind=kind,
        valid_from=start,
        valid_to=end,
        decision_no=decision,
        decision_date=start - dt.timedelta(days=rng.randint(1, 10)),
        decision_signer=full_name_of(ward.seed, 1 if party else 0),
    )
    create_assignment(session, ctx, data)


def _decision_no(rng: random.Random, unit: str) -> tuple[str, bool]:
    """A decision number in the style of the body that decides; and whether it is the Party."""
    n = rng.randint(10, 899)
    if unit.startswith(("DU", "CB-")):
        return f"{n}-QĐ/ĐU", True
    if unit == "HDND-LC":
        return f"{n:02d}/NQ-HĐND", False
    return f"{n}/QĐ-UBND", False
