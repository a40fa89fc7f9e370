"""The demo ward: one ward after the 2025 merger, deterministic from a seed, written through
the same services as the API (so every rule, the history and the audit trail apply).

Order: the units and posts; the cadres with their files and records; the planning for the
leadership posts; the party members of the residential cells. Each step commits in batches
with a fresh session. ``persons`` scales the ward (see ``structure.Scale``); beyond
``members.BULK_ABOVE`` members, plain members take the bulk path of the CSV import.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.orm import Session

from registry.context import Ctx
from registry.dates import utcnow
from registry.demo import calendar
from registry.demo.cadres import Cadre, write_cadre
from registry.demo.members import BULK_ABOVE, plan_member, write_member, write_plain_members
from registry.demo.people import MAX_PERSONS
from registry.demo.structure import BRANCH, UNITS, P, Scale, posts
from registry.demo.summary import summarize
from registry.demo.ward import Ward, build_structure, seat_plan
from registry.errors import Conflict, Invalid
from registry.org_units.models import OrgUnit
from registry.persons.models import Person
from registry.planning.service import create_planning_entry
from registry.runtime import Runtime
from schemas.planning import PlanningEntryCreate

DEFAULT_PERSONS = 750
CADRES_PER_BATCH = 100
MEMBERS_PER_BATCH = 500
BULK_MEMBERS_PER_BATCH = 5_000
PLANNED_PER_POST = 2

Advance = Callable[[int], None]


def registry_is_empty(session: Session) -> bool:
    return session.scalar(sa.select(Person.id).limit(1)) is None


def build_demo(rt: Runtime, *, persons: int | None, seed: int, progress: Console | None) -> str:
    """Build the ward and return a one-paragraph summary of what is now in the registry."""
    total = DEFAULT_PERSONS if persons is None else persons
    if not 20 <= total <= MAX_PERSONS:
        raise Invalid(f"the demo ward takes 20 to {MAX_PERSONS:,} persons, not {total:,}")
    scale = Scale.of(total)
    _refuse_second_ward(rt)
    as_of = calendar.as_of()

    def open_session() -> tuple[Session, Ctx]:
        session = rt.sessions()
        return session, rt.system_ctx(session, reason=f"demo ward (seed {seed})", source="demo")

    with _progress(progress) as task:
        parts = len(UNITS) + len(posts(scale)) + scale.residential_cells
        ward = build_structure(open_session, seed, as_of, scale, task("ward structure", parts))
        cadres = _write_cadres(open_session, ward, task("cadres", scale.cadres))
        _write_planning(open_session, ward, cadres)
        _write_members(open_session, ward, task("party members", scale.members))
    with rt.sessions() as session:
        return summarize(session, seed=seed, as_of=as_of)


def _refuse_second_ward(rt: Runtime) -> None:
    with rt.sessions() as session:
        if session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == P)) is not None:
            raise Conflict(f"the demo ward is already here (org unit {P}); use an empty registry")


def _write_cadres(
    open_session: Callable[[], tuple[Session, Ctx]], ward: Ward, advance: Advance
) -> list[Cadre]:
    seats = seat_plan(ward.posts, ward.scale.cadres)
    cadres: list[Cadre] = []
    for start in range(0, len(seats), CADRES_PER_BATCH):
        indexes = range(start, min(start + CADRES_PER_BATCH, len(seats)))
        session, ctx = open_session()
        with session:
            cadres += [write_cadre(session, ctx, ward, k, seats[k]) for k in indexes]
            session.commit()
        advance(len(indexes))
    return cadres


def _write_planning(
    open_session: Callable[[], tuple[Session, Ctx]], ward: Ward, cadres: list[Cadre]
) -> None:
    """Up to two successors per leadership post from the same branch, never a disciplined
    cadre, never more than three posts a person (Regulation 377-QĐ/TW allows three each)."""
    load: dict[int, int] = {}
    session, ctx = open_session()
    with session:
        for post, spec in enumerate(ward.posts):
            if not spec.leader:
                continue
            pool = [
                n
                for n, c in enumerate(cadres)
                if c.eligible
                and post not in c.holds
                and c.branch == BRANCH[spec.unit]
                and load.get(n, 0) < 3
            ]
            rng = random.Random(f"{ward.seed}/planning/{post}")  # noqa: S311 - demo data
            for n in rng.sample(pool, min(PLANNED_PER_POST, len(pool))):
                load[n] = load.get(n, 0) + 1
                data = PlanningEntryCreate(
                    person_id=cadres[n].person_id,
                    position_id=ward.post_ids[post],
                    term=calendar.PLANNING_TERM,
                    decided_on=calendar.PLANNING_DECIDED,
                    decision_no=f"{rng.randint(100, 999)}-QĐ/ĐU",
                )
                create_planning_entry(session, ctx, data)
        session.commit()


def _write_members(
    open_session: Callable[[], tuple[Session, Ctx]], ward: Ward, advance: Advance
) -> None:
    first, end = ward.scale.cadres, ward.scale.persons
    bulk = ward.scale.members > BULK_ABOVE
    size = BULK_MEMBERS_PER_BATCH if bulk else MEMBERS_PER_BATCH
    for start in range(first, end, size):
        plans = [plan_member(ward, i) for i in range(start, min(start + size, end))]
        session, ctx = open_session()
        with session:
            for plan in plans:
                if plan.eventful or not bulk:
                    write_member(session, ctx, ward, plan)
            if bulk:
                plain = [p for p in plans if not p.eventful]
                write_plain_members(session, ctx, ward, plain, at=utcnow())
            session.commit()
        advance(len(plans))


@contextmanager
def _progress(console: Console | None) -> Iterator[Callable[[str, int], Advance]]:
    """``task(name, total)`` gives an ``advance(n)``; without a console, nothing is shown."""
    if console is None:
        yield lambda _name, _total: lambda _n: None
        return
    columns = (
        TextColumn("{task.description:<15}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:

        def task(name: str, total: int) -> Advance:
            task_id = bar.add_task(name, total=total)
            return lambda n: bar.advance(task_id, n)

        yield task
