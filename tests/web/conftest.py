"""The review pages through the ASGI app: a small world with alerts in two party cells,
users for each role, and a clock the tests move."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from registry.alerts.service import run_full
from registry.app import create_app
from registry.assignments.service import create_assignment
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.positions.service import create_position
from registry.standards.service import create_standard_profile
from registry.users.service import create_user
from schemas.assignments import AssignmentCreate
from schemas.positions import PositionCreate
from schemas.standards import StandardProfileCreate
from tests.factories import World, admin_ctx, build_world

PASSWORD = "mật khẩu đủ dài 2026"
START = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


@dataclass
class Clock:
    now: dt.datetime = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def make_alerts(
    session: Session, settings: Settings, keys: StaticKeyProvider, world: World
) -> None:
    """A standard that needs political theory and party membership; one post in each party
    cell, each held by someone who meets neither."""
    ctx = admin_ctx(session, settings, keys)
    profile = create_standard_profile(
        session,
        ctx,
        StandardProfileCreate(
            code="BT",
            name="Chuẩn Bí thư chi bộ",
            effective_from=dt.date(2020, 1, 1),
            effective_to=None,
            requirements={"political_theory": {"min_level": "trung_cap"}, "party_member": True},
        ),
    )
    for key, unit in (("a", world.cell_a), ("b", world.cell_b)):
        post = create_position(
            session,
            ctx,
            PositionCreate(
                org_unit_id=unit.id,
                title=f"Phó Bí thư {unit.code}",
                standard_profile_id=profile.id,
                headcount=2,
            ),
        )
        create_assignment(
            session,
            ctx,
            AssignmentCreate(
                person_id=world.persons[key].id,
                position_id=post.id,
                kind="appointment",
                valid_from=dt.date(2025, 1, 1),
            ),
        )
    run_full(session)
    session.commit()


def users(session: Session, world: World) -> None:
    for name, role, org in (
        ("admin", "admin", None),
        ("officer.a", "officer", "CB-A"),
        ("officer.b", "officer", "CB-B"),
        ("auditor", "auditor", "DU-P1"),
    ):
        create_user(session, username=name, password=PASSWORD, role=role, org_code=org)
    session.commit()


@pytest.fixture
def page_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"session_cookie_secure": False})


@pytest.fixture
def world(session: Session, settings: Settings, keys: StaticKeyProvider) -> World:
    w = build_world(session, settings, keys)
    make_alerts(session, settings, keys, w)
    users(session, w)
    return w


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(
    page_settings: Settings,
    sessions: sessionmaker[Session],
    keys: StaticKeyProvider,
    clock: Clock,
    world: World,
) -> Iterator[TestClient]:
    app = create_app(page_settings, sessions=sessions, keys=keys)
    app.state.web.clock = clock
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c


def csrf_of(page: Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Response:
    form = client.get("/login")
    answer: Response = client.post(
        "/login",
        data={"csrf": csrf_of(form), "username": username, "password": password, "next": "/alerts"},
    )
    return answer
