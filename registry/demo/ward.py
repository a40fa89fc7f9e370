"""Creating the ward's units and posts through the services, and who sits where."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from registry.context import Ctx
from registry.demo.structure import (
    RESIDENTIAL_BATCH,
    UNITS,
    WARD_UNIT_CODE,
    PostSpec,
    Scale,
    UnitSpec,
    posts,
    residential_cell,
)
from registry.org_units.service import create_org_unit
from registry.positions.service import create_position
from schemas.org_units import OrgUnitCreate
from schemas.positions import PositionCreate

# The ward-level bodies carry the ward's administrative unit code.
ROOT_KINDS = frozenset(
    {"party_committee", "peoples_council", "peoples_committee", "fatherland_front"}
)


@dataclass
class Ward:
    """Ids of what the structure step created, for the person steps (small at any scale)."""

    seed: int
    as_of: dt.date
    scale: Scale
    units: dict[str, uuid.UUID]  # org unit code → id
    posts: list[PostSpec]
    post_ids: list[uuid.UUID]
    cells: list[uuid.UUID]  # residential party cells, in order


@dataclass(frozen=True)
class Seat:
    """Where a cadre sits: a post from the merger, and maybe another after the rotation."""

    post: int | None  # index into ``Ward.posts``
    rotated_to: int | None = None


def seat_plan(ward_posts: list[PostSpec], cadres: int) -> list[Seat]:
    """Seat ``k`` for cadre ``k``: leadership first, then specialists. One cadre in twenty
    rotates on ROTATION_DAY into a seat kept free for it; cadres beyond the seats wait for a
    post (the surplus a merger leaves)."""
    seats = [i for i, p in enumerate(ward_posts) for _ in range(p.headcount)]
    leaders = sum(p.headcount for p in ward_posts if p.leader)
    rotating = max(1, cadres // 20) if cadres > leaders + 10 else 0
    free, held = seats[len(seats) - rotating :], seats[: len(seats) - rotating]
    plan = [Seat(held[k]) if k < len(held) else Seat(None) for k in range(cadres)]
    movers = [k for k in range(leaders, min(cadres, len(held))) if k % 20 == 7]
    for k, target in zip(movers, free, strict=False):
        if ward_posts[target].code != ward_posts[held[k]].code:
            plan[k] = Seat(held[k], rotated_to=target)
    return plan


def create_units(session: Session, ctx: Ctx, specs: list[UnitSpec]) -> dict[str, uuid.UUID]:
    created: dict[str, uuid.UUID] = {}
    for spec in specs:  # parents come before their children
        parent = created[spec.parent] if spec.parent else None
        data = OrgUnitCreate(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            parent_id=parent,
            unit_code=WARD_UNIT_CODE if spec.kind in ROOT_KINDS else None,
        )
        created[spec.code] = create_org_unit(session, ctx, data).id
    return created


def create_posts(
    session: Session, ctx: Ctx, units: dict[str, uuid.UUID], specs: list[PostSpec]
) -> list[uuid.UUID]:
    return [
        create_position(
            session,
            ctx,
            PositionCreate(
                org_unit_id=units[p.unit],
                title=p.title,
                job_position_code=p.code,
                is_leadership=p.leader,
                required_rank=p.rank,
                headcount=p.headcount,
                rotation_period_months=p.rotation_months,
            ),
        ).id
        for p in specs
    ]


def build_structure(
    open_session: Callable[[], tuple[Session, Ctx]],
    seed: int,
    as_of: dt.date,
    scale: Scale,
    advance: Callable[[int], None],
) -> Ward:
    """The fixed units and every post in one transaction; residential cells in batches."""
    ward_posts = posts(scale)
    session, ctx = open_session()
    with session:
        units = create_units(session, ctx, list(UNITS))
        post_ids = create_posts(session, ctx, units, ward_posts)
        session.commit()
    advance(len(UNITS) + len(ward_posts))
    cells: list[uuid.UUID] = []
    numbers = list(range(1, scale.residential_cells + 1))
    for start in range(0, len(numbers), RESIDENTIAL_BATCH):
        batch = [residential_cell(n) for n in numbers[start : start + RESIDENTIAL_BATCH]]
        session, ctx = open_session()
        with session:
            made = create_units_under(session, ctx, units, batch)
            session.commit()
        cells += made
        advance(len(batch))
    return Ward(seed, as_of, scale, units, ward_posts, post_ids, cells)


def create_units_under(
    session: Session, ctx: Ctx, parents: dict[str, uuid.UUID], specs: list[UnitSpec]
) -> list[uuid.UUID]:
    out = []
    for spec in specs:
        parent = parents[spec.parent] if spec.parent else None
        data = OrgUnitCreate(code=spec.code, name=spec.name, kind="party_cell", parent_id=parent)
        out.append(create_org_unit(session, ctx, data).id)
    return out
