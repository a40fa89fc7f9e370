"""The planning caps hold under concurrent decisions (Regulation 377-QĐ/TW: at most 3
people per planned post, 3 posts per person): eight writers planning at once never pass the
cap, because the count and the insert run with the person and the post locked."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from sqlalchemy.engine import Engine

from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.errors import Conflict
from registry.persons.service import create_person
from registry.planning.service import create_planning_entry
from registry.positions.service import create_position
from registry.runtime import Runtime
from schemas.persons import PersonCreate
from schemas.planning import PlanningEntryCreate
from schemas.positions import PositionCreate
from tests.factories import build_world, nid_for, person_payload

WRITERS = 8


def _race(rt: Runtime, entries: list[PlanningEntryCreate]) -> tuple[int, int, list[BaseException]]:
    start = threading.Barrier(len(entries))
    done, refused, errors = [0], [0], []
    lock = threading.Lock()

    def writer(entry: PlanningEntryCreate) -> None:
        try:
            start.wait()
            with rt.sessions() as s:
                ctx = rt.system_ctx(s, reason="quy hoạch")
                try:
                    create_planning_entry(s, ctx, entry)
                    s.commit()
                    with lock:
                        done[0] += 1
                except Conflict:
                    s.rollback()
                    with lock:
                        refused[0] += 1
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(e,)) for e in entries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], refused[0], errors


def test_concurrent_plannings_never_pass_the_caps(
    committed_engine: Engine, keys: StaticKeyProvider, tmp_path: Path
) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    rt = Runtime(settings, keys=keys, engine_override=committed_engine)
    with rt.sessions() as session:
        world = build_world(session, settings, keys)
        ctx = rt.system_ctx(session, reason="chuẩn bị")
        people = [
            create_person(
                session,
                ctx,
                PersonCreate.model_validate(
                    person_payload(world.office.id, 100 + i, nid=nid_for(1985, "F", 100 + i))
                ),
            )
            for i in range(WRITERS)
        ]
        posts = [
            create_position(
                session,
                ctx,
                PositionCreate(org_unit_id=world.office.id, title=f"Chức danh {i}"),
            )
            for i in range(WRITERS)
        ]
        session.commit()
    decided = dt.date(2025, 3, 1)
    # Eight people for one post: three get in.
    per_post = [
        PlanningEntryCreate(
            person_id=p.id, position_id=posts[0].id, term="2025-2030", decided_on=decided
        )
        for p in people
    ]
    done, refused, errors = _race(rt, per_post)
    assert not errors, errors
    assert (done, refused) == (3, WRITERS - 3)
    # One person for eight posts: three get in (the first post is one of them, or not).
    per_person = [
        PlanningEntryCreate(
            person_id=people[-1].id, position_id=p.id, term="2030-2035", decided_on=decided
        )
        for p in posts
    ]
    done, refused, errors = _race(rt, per_person)
    assert not errors, errors
    assert (done, refused) == (3, WRITERS - 3)
