"""The demo ward: built through the services, valid, deterministic for a seed, with history."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry import models
from registry.assignments.models import Assignment
from registry.audit.verify import verify_all
from registry.demo import build_demo, generator, registry_is_empty
from registry.demo.calendar import ended_quarters, ended_years
from registry.demo.members import plan_member
from registry.demo.people import person
from registry.demo.structure import Scale, posts
from registry.demo.ward import Ward, seat_plan
from registry.errors import Conflict
from registry.evaluations.models import Evaluation
from registry.history import RecordVersion
from registry.nid import check_nid
from registry.org_units.models import OrgUnit
from registry.party.models import PartyMembership
from registry.persons.models import Person
from registry.positions.models import Position
from registry.runtime import Runtime
from registry.text import has_control_chars, is_nfc, search_key

PERSONS = 300
SEED = 7


@pytest.fixture
def built(runtime: Runtime) -> str:
    return build_demo(runtime, persons=PERSONS, seed=SEED, progress=None)


def count(session: Session, model: Any, *where: Any) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0)


def test_the_ward_has_the_planned_size(built: str, session: Session, runtime: Runtime) -> None:
    scale = Scale.of(PERSONS)
    assert f"{PERSONS} persons" in built
    assert count(session, Person) == PERSONS
    assert count(session, Position) == len(posts(scale))
    cells = count(session, OrgUnit, OrgUnit.kind == "party_cell")
    assert cells == scale.residential_cells + 3  # plus the three agency cells
    assert count(session, OrgUnit, OrgUnit.kind == "party_committee") == 1
    cadres = session.scalar(sa.select(sa.func.count(sa.distinct(Assignment.person_id))))
    assert cadres == scale.cadres
    members = count(session, PartyMembership)
    assert scale.members <= members <= PERSONS
    assert count(session, PartyMembership, PartyMembership.status == "probationary") > 0
    periods = ended_quarters(dt.date(2025, 7, 1), dt.date(2026, 9, 30))
    periods += ended_years(dt.date(2025, 7, 1), dt.date(2026, 9, 30))
    assert count(session, Evaluation) == scale.cadres * len(periods)
    # Headcounts hold: nobody's post is over-filled today.
    held = session.execute(
        sa.select(Position.headcount, sa.func.count(Assignment.id))
        .join(Assignment, Assignment.position_id == Position.id)
        .where(Assignment.valid_to.is_(None))
        .group_by(Position.id, Position.headcount)
    ).all()
    assert held and all(n <= headcount for headcount, n in held)
    assert not registry_is_empty(session)
    with pytest.raises(Conflict):  # a second ward on top of the first is refused
        build_demo(runtime, persons=PERSONS, seed=SEED, progress=None)


def test_every_identification_number_and_name_is_valid(
    built: str, session: Session, runtime: Runtime
) -> None:
    seen: set[str] = set()
    for p in session.scalars(sa.select(Person)):
        assert p.nid_ct is not None
        nid = runtime.cipher.decrypt(p.nid_ct, table="persons", column="nid_ct", row_id=p.id)
        assert check_nid(nid, birth_year=p.birth_year, sex=p.sex, current_year=2026) == []
        assert p.nid_bidx == runtime.cipher.blind_index(nid, purpose="nid")
        seen.add(nid)
        for name in (p.family_name, p.middle_name, p.given_name):
            assert is_nfc(name) and not has_control_chars(name)
        assert p.search_key == search_key(p.family_name, p.middle_name, p.given_name)
    assert len(seen) == PERSONS
    assert any(not n.isascii() for n in [p.family_name for p in session.scalars(sa.select(Person))])


def test_every_row_has_its_insert_version_and_the_audit_chain_verifies(
    built: str, session: Session, connection: sa.Connection, runtime: Runtime
) -> None:
    for model in (m for m in vars(models).values() if isinstance(m, type)):
        if not issubclass(model, models.Entity) or model is models.Entity:
            continue
        table = model.__tablename__
        inserted = sa.select(RecordVersion.row_id).where(
            RecordVersion.table_name == table, RecordVersion.op == "insert"
        )
        assert count(session, model, model.id.not_in(inserted)) == 0, table
    assert count(session, RecordVersion, RecordVersion.table_name == "evaluations") > 0
    report = verify_all(
        connection,
        public_key_b64=runtime.audit.signer.public_key_b64(),
        checkpoint_dir=runtime.settings.checkpoints_dir,
    )
    assert report.ok, report.problems


def fingerprint(session: Session, runtime: Runtime) -> list[tuple[Any, ...]]:
    """Everything the seed decides, without ids, instants or ciphertext."""
    codes = dict(session.execute(sa.select(OrgUnit.id, OrgUnit.code)).tuples().all())
    titles = dict(session.execute(sa.select(Position.id, Position.title)).tuples().all())
    nids: dict[uuid.UUID, str] = {}
    out: list[tuple[Any, ...]] = []
    for p in session.scalars(sa.select(Person)):
        assert p.nid_ct is not None
        nids[p.id] = runtime.cipher.decrypt(p.nid_ct, table="persons", column="nid_ct", row_id=p.id)
        names = (p.family_name, p.middle_name, p.given_name)
        codes_ = (p.ethnicity_code, p.religion_code, codes[p.org_unit_id])
        out.append(("person", nids[p.id], *names, p.birth_date, p.sex, *codes_, p.life_status))
    for m in session.scalars(sa.select(PartyMembership)):
        dates = (m.admitted_on, m.official_on)
        out.append(("member", nids[m.person_id], codes[m.party_cell_id], m.status, *dates))
    for a in session.scalars(sa.select(Assignment)):
        post = titles[a.position_id] if a.position_id else a.external_post
        out.append(("post", nids[a.person_id], post, a.kind, a.valid_from, a.valid_to))
    for e in session.scalars(sa.select(Evaluation)):
        out.append(("eval", nids[e.person_id], e.period, e.general_points, e.task_points))
    return sorted(out, key=repr)


def build_and_forget(runtime: Runtime, connection: sa.Connection, seed: int) -> list[Any]:
    """Build a small ward in a savepoint, fingerprint it, and roll it back."""
    nested = connection.begin_nested()
    try:
        build_demo(runtime, persons=60, seed=seed, progress=None)
        with runtime.sessions() as session:
            return fingerprint(session, runtime)
    finally:
        nested.rollback()


def test_the_same_seed_builds_the_same_ward(runtime: Runtime, connection: sa.Connection) -> None:
    first = build_and_forget(runtime, connection, seed=11)
    again = build_and_forget(runtime, connection, seed=11)
    other = build_and_forget(runtime, connection, seed=12)
    assert len(first) > 60
    assert first == again
    assert first != other


def test_the_bulk_path_writes_what_the_services_write(
    runtime: Runtime, connection: sa.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_services = build_and_forget(runtime, connection, seed=11)
    monkeypatch.setattr(generator, "BULK_ABOVE", 10)  # only the path changes, not the stories
    monkeypatch.setattr(generator, "BULK_MEMBERS_PER_BATCH", 20)
    by_bulk = build_and_forget(runtime, connection, seed=11)
    assert by_bulk == by_services


def test_the_plans_are_pure_functions_of_the_seed() -> None:
    assert person(3, 41, role="member") == person(3, 41, role="member")
    assert person(3, 41, role="member") != person(4, 41, role="member")
    scale = Scale.of(1_000_000)
    assert seat_plan(posts(scale), scale.cadres) == seat_plan(posts(scale), scale.cadres)
    cells = [uuid.uuid4() for _ in range(scale.residential_cells)]
    ward = Ward(3, dt.date(2026, 9, 30), scale, {}, posts(scale), [], cells)
    assert plan_member(ward, 999_999) == plan_member(ward, 999_999)
    numbers = {person(3, i, role="member").nid for i in range(0, 1_000_000, 997)}
    assert len(numbers) == len(range(0, 1_000_000, 997))


@pytest.mark.parametrize("persons", [60, 750, 20_000, 1_000_000])
def test_no_seat_plan_overfills_a_post(persons: int) -> None:
    scale = Scale.of(persons)
    ward_posts = posts(scale)
    plan = seat_plan(ward_posts, scale.cadres)
    before = Counter(s.post for s in plan if s.post is not None)
    after = Counter(s.rotated_to or s.post for s in plan if s.post is not None)
    for held in (before, after):
        assert all(n <= ward_posts[post].headcount for post, n in held.items())
    if persons >= 750:  # a ward of that size has a rotation round
        assert any(s.rotated_to is not None for s in plan)
