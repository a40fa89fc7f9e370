"""Exact lookups in bulk (``POST /persons/lookup``) and the lookup quotas behind them and
behind ``GET /persons?nid=``: counted in the database, all of a request or none."""

from __future__ import annotations

import time
import uuid

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from registry.access import quota
from registry.access.principal import Principal
from registry.access.service import create_token
from registry.app import create_app
from registry.audit.models import AuditEvent, AuditPending
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.errors import Invalid
from registry.persons.service import create_person
from schemas.persons import PersonCreate
from tests.api.helpers import API, assert_error, issue_fields
from tests.factories import World, admin_ctx, nid_for, person_payload

LOOKUP = f"{API}/persons/lookup"
NID_A, NID_B = nid_for(1985, "F", 1), nid_for(1979, "M", 2)  # the world's persons a and b


def _people(
    session: Session, settings: Settings, keys: StaticKeyProvider, world: World, n: int
) -> dict[str, uuid.UUID]:
    """``n`` persons filed in cell A: their numbers → ids."""
    ctx = admin_ctx(session, settings, keys)
    found = {}
    for i in range(n):
        nid = nid_for(1990, "M", 10_000 + i)
        p = create_person(
            session,
            ctx,
            PersonCreate.model_validate(
                person_payload(
                    world.cell_a.id, 10_000 + i, nid=nid, sex="M", birth_date="1990-05-01"
                )
            ),
        )
        found[nid] = p.id
    session.commit()
    return found


def _within_one_minute() -> None:
    """Wait, if need be, so the requests that follow fall in one clock minute: the quota is
    counted per minute, and a test that crosses a minute would start a fresh allowance."""
    left = 60 - time.time() % 60
    if left < 15:
        time.sleep(left + 0.1)


def _lookup_reads(session: Session, person_id: uuid.UUID) -> int:
    """Audited lookups of one file, wherever the audit keeps them (chained or pending)."""
    total = 0
    for model in (AuditEvent, AuditPending):
        cols = model.__table__.c
        if "action" in cols and "object_id" in cols:
            total += int(
                session.scalar(
                    sa.select(sa.func.count())
                    .select_from(model.__table__)
                    .where(cols.action == "persons.lookup", cols.object_id == str(person_id))
                )
                or 0
            )
    return total


def test_an_application_looks_up_300_known_numbers_none_refused(
    client: TestClient, world: World, session: Session, settings: Settings, keys: StaticKeyProvider
) -> None:
    known = _people(session, settings, keys, world, 300)
    numbers = list(known)
    answered: dict[str, str] = {}
    for start in range(0, 300, 100):
        r = client.post(
            LOOKUP, json={"numbers": numbers[start : start + 100]}, headers=world.auth("service")
        )
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert [i["number"] for i in items] == numbers[start : start + 100]  # in order
        for item in items:
            assert item["status"] == "found", item
            answered[item["number"]] = item["person_id"]
    assert answered == {n: str(i) for n, i in known.items()}
    assert _lookup_reads(session, known[numbers[0]]) == 1  # one audited read per number found


def test_each_number_is_answered_in_order_and_other_units_files_are_not_found(
    client: TestClient, world: World, session: Session
) -> None:
    a, b = world.persons["a"], world.persons["b"]  # cell A, cell B
    asked = [NID_B, "12ab", nid_for(2001, "F", 999_999), NID_A, "123456789"]
    r = client.post(LOOKUP, json={"numbers": asked}, headers=world.auth("officer_a"))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [(i["number"], i["status"]) for i in items] == [
        (NID_B, "not_found"),  # filed under cell B: exactly like an unknown number
        ("12ab", "invalid"),
        (asked[2], "not_found"),
        (NID_A, "found"),
        ("123456789", "not_found"),  # a 9-digit CMND nobody holds
    ]
    assert items[3]["person_id"] == str(a.id)
    assert all(i["person_id"] is None for i in items if i["status"] != "found")
    assert _lookup_reads(session, b.id) == 0


@pytest.mark.parametrize(
    ("numbers", "field"),
    [
        ([], "body.numbers"),
        (["031185000001"] * 101, "body.numbers"),
        (["1" * 21], "body.numbers.0"),
    ],
)
def test_a_batch_outside_its_bounds_is_refused_naming_the_field(
    client: TestClient, world: World, numbers: list[str], field: str
) -> None:
    r = client.post(LOOKUP, json={"numbers": numbers}, headers=world.auth("service"))
    assert_error(r, 422, "invalid")
    assert field in issue_fields(r)


def test_over_a_strict_quota_the_answer_is_429_with_retry_after(
    client: TestClient, world: World, session: Session
) -> None:
    strict = create_token(
        session, role="officer", org_code="CB-A", name="t-strict", lookups_per_minute=30
    )
    session.commit()
    auth = {"Authorization": f"Bearer {strict}"}
    _within_one_minute()
    r = client.post(LOOKUP, json={"numbers": [NID_A] * 30}, headers=auth)
    assert r.status_code == 200, r.text
    refused = client.get(f"{API}/persons", params={"nid": NID_A}, headers=auth)  # the same quota
    err = assert_error(refused, 429, "too_many_requests")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert NID_A not in refused.text and err["issues"] == []
    again = client.post(LOOKUP, json={"numbers": [NID_A]}, headers=auth)
    assert again.status_code == 429 and "retry-after" in again.headers
    # Another caller's allowance is its own.
    assert (
        client.get(
            f"{API}/persons", params={"nid": NID_A}, headers=world.auth("officer_a")
        ).status_code
        == 200
    )


def test_the_quota_holds_across_serving_processes(
    world: World,
    session: Session,
    settings: Settings,
    sessions: sessionmaker[Session],
    keys: StaticKeyProvider,
) -> None:
    """Two app instances (two workers) draw from one allowance kept in the database."""
    token = create_token(
        session, role="service", org_code="DU-P1", name="t-two", lookups_per_minute=3
    )
    session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    nid = NID_A
    _within_one_minute()
    with (
        TestClient(
            create_app(settings, sessions=sessions, keys=keys), raise_server_exceptions=False
        ) as one,
        TestClient(
            create_app(settings, sessions=sessions, keys=keys), raise_server_exceptions=False
        ) as two,
    ):
        assert one.post(LOOKUP, json={"numbers": [nid, nid]}, headers=auth).status_code == 200
        assert two.post(LOOKUP, json={"numbers": [nid, nid]}, headers=auth).status_code == 429
        assert two.post(LOOKUP, json={"numbers": [nid]}, headers=auth).status_code == 200
        assert one.post(LOOKUP, json={"numbers": [nid]}, headers=auth).status_code == 429


def test_defaults_api_tokens_high_people_on_the_pages_strict(settings: Settings) -> None:
    token = Principal(
        subject=f"token:{uuid.uuid4()}", role="officer", org_unit_id=None, org_path=None
    )
    person = Principal(
        subject=f"user:{uuid.uuid4()}", role="officer", org_unit_id=None, org_path=None
    )
    own = Principal(
        subject="token:x", role="service", org_unit_id=None, org_path=None, lookups_per_minute=7
    )
    assert quota.allowance(token, settings) == settings.api_lookups_per_minute >= 1000
    assert quota.allowance(person, settings) == settings.nid_lookups_per_minute == 30
    assert quota.allowance(own, settings) == 7


def test_a_token_quota_outside_its_bounds_is_refused(session: Session, world: World) -> None:
    with pytest.raises(Invalid):
        create_token(session, role="service", org_code="DU-P1", name="t", lookups_per_minute=-1)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    per_minute=st.integers(min_value=1, max_value=50),
    asks=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=12),
)
def test_a_minute_grants_what_fits_and_never_more(
    session: Session, per_minute: int, asks: list[int]
) -> None:
    """Whatever the sequence of requests, a request is granted exactly when it fits in what
    is left of the minute, and the minute's grants never exceed the allowance."""
    subject = f"prop:{uuid.uuid4().hex}"
    now = 1_800_000_000.0  # one fixed clock minute
    granted = 0
    for ask in asks:
        fits = granted + ask <= per_minute
        try:
            quota.take(session, subject, ask, per_minute=per_minute, now=now)
        except quota.QuotaExceeded as exc:
            assert not fits
            assert 1 <= exc.retry_after <= 60
        else:
            assert fits
            granted += ask
    assert granted <= per_minute
    # The next minute starts afresh.
    quota.take(session, subject, per_minute, per_minute=per_minute, now=now + 60)
    session.rollback()
