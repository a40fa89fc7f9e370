"""Property: the file returned for every recorded instant equals a replay of the changes up
to that instant (changes and corrections in random order)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from registry.audit.asof import file_as_of
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.dates import utcnow
from registry.history import RecordVersion
from registry.org_units.service import create_org_unit
from registry.persons.service import create_person, update_person
from registry.qualifications.models import Qualification
from registry.qualifications.service import create_qualification, update_qualification
from schemas.org_units import OrgUnitCreate
from schemas.persons import PersonCreate, PersonUpdate
from schemas.qualifications import QualificationCreate, QualificationUpdate
from tests.factories import admin_ctx, person_payload

NAMES = ["Hà", "Thu", "Đức", "Ngọc Ánh", "Bảo", "Lan"]
LEVELS = ["so_cap", "trung_cap", "cao_cap", "cu_nhan"]

ops = st.lists(
    st.one_of(
        st.tuples(st.just("other_names"), st.sampled_from(NAMES)),
        st.tuples(st.just("given_name"), st.sampled_from(NAMES)),
        st.tuples(st.just("add_q"), st.sampled_from(LEVELS)),
        st.tuples(st.just("fix_q"), st.integers(0, 5), st.sampled_from(LEVELS)),
        st.tuples(st.just("retire_q"), st.integers(0, 5)),
    ),
    min_size=1,
    max_size=12,
)


def _last_recorded(session: Session) -> dt.datetime:
    at = session.scalar(sa.select(RecordVersion.recorded_at).order_by(RecordVersion.seq.desc()))
    assert at is not None
    return at


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=ops)
def test_file_as_of_every_instant_equals_replay(
    session: Session, settings_: Settings, keys: StaticKeyProvider, steps: list[tuple[Any, ...]]
) -> None:
    savepoint = session.begin_nested()
    try:
        _run(session, settings_, keys, steps)
    finally:
        savepoint.rollback()


def _run(
    session: Session, settings_: Settings, keys: StaticKeyProvider, steps: list[tuple[Any, ...]]
) -> None:
    ctx = admin_ctx(session, settings_, keys)
    org = create_org_unit(session, ctx, OrgUnitCreate(code="P", name="Chi bộ", kind="party_cell"))
    person = create_person(session, ctx, PersonCreate.model_validate(person_payload(org.id, 9)))
    state: dict[str, Any] = {"other_names": "", "given_name": "Hà", "quals": {}}
    quals: list[Qualification] = []
    snapshots = [(_last_recorded(session), _copy(state))]
    for step in steps:
        kind = step[0]
        if kind in ("other_names", "given_name"):
            update_person(session, ctx, person, PersonUpdate.model_validate({kind: step[1]}))
            state[kind] = step[1]
        elif kind == "add_q":
            q = create_qualification(
                session,
                ctx,
                QualificationCreate(person_id=person.id, kind="political_theory", level=step[1]),
            )
            quals.append(q)
            state["quals"][q.id] = step[1]
        else:
            live = [q for q in quals if q.id in state["quals"]]
            if not live:
                continue
            q = live[step[1] % len(live)]
            if kind == "fix_q":
                if q.level == step[2]:
                    continue
                update_qualification(session, ctx, q, QualificationUpdate(level=step[2]))
                state["quals"][q.id] = step[2]
            else:
                q.retired_at = utcnow()
                session.flush()
                del state["quals"][q.id]
        snapshots.append((_last_recorded(session), _copy(state)))
    for instant, expected in _latest_per_instant(snapshots):
        got = file_as_of(session, ctx, person.id, instant)
        assert got.other_names == expected["other_names"]
        assert got.given_name == expected["given_name"]
        assert {q.id: q.level for q in got.qualifications} == expected["quals"]
    before = snapshots[0][0] - dt.timedelta(microseconds=1)
    try:
        file_as_of(session, ctx, person.id, before)
    except Exception as exc:
        assert type(exc).__name__ == "NotFound"
    else:
        raise AssertionError("a file before its creation must not be found")


def _copy(state: dict[str, Any]) -> dict[str, Any]:
    return {**state, "quals": dict(state["quals"])}


def _latest_per_instant(
    snapshots: list[tuple[dt.datetime, dict[str, Any]]],
) -> list[tuple[dt.datetime, dict[str, Any]]]:
    """Two changes recorded in the same microsecond read as one instant: keep the later."""
    latest: dict[dt.datetime, dict[str, Any]] = {}
    for instant, state in snapshots:
        latest[instant] = state
    return list(latest.items())
