"""Sign-in, throttling, CSRF, timeouts and sign-out on the review pages."""

from __future__ import annotations

import dataclasses
from typing import cast

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from registry.users.models import SignInFailures, User
from registry.web.auth_pages import safe_next
from registry.web.sessions import COOKIE
from tests.web.conftest import PASSWORD, Clock, csrf_of, sign_in


def test_sign_in_sets_a_strict_http_only_cookie_and_opens_the_alerts(web: TestClient) -> None:
    assert web.get("/alerts").headers["location"].startswith("/login?next=/alerts")
    r = sign_in(web, "admin")
    assert r.status_code == 303 and r.headers["location"] == "/alerts"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = web.get("/alerts")
    assert page.status_code == 200
    assert "qualification.political_theory" in page.text


def test_secure_flag_follows_the_setting(
    settings: object, sessions: object, keys: object, world: object
) -> None:
    from registry.app import create_app

    app = create_app(settings, sessions=sessions, keys=keys)  # type: ignore[arg-type]
    with TestClient(app, follow_redirects=False, base_url="https://testserver") as c:
        assert "Secure" in sign_in(c, "admin").headers["set-cookie"]


def test_wrong_password_is_refused_and_counted(web: TestClient, session: Session) -> None:
    r = sign_in(web, "officer.a", "wrong password here")
    assert r.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in r.text
    assert web.get("/alerts").status_code == 303  # still not signed in
    session.expire_all()
    user = session.scalar(sa.select(User).where(User.username == "officer.a"))
    assert user is not None and user.failed_attempts == 1


def test_five_failures_lock_the_account_even_for_the_right_password(
    web: TestClient, clock: Clock
) -> None:
    for n in range(5):
        r = sign_in(web, "officer.a", "wrong password here")
        assert r.status_code == (429 if n == 4 else 401)  # the fifth answer says it is locked
    r = sign_in(web, "officer.a")
    assert r.status_code == 429 and "quá nhiều lần" in r.text
    clock.advance(minutes=16)
    assert sign_in(web, "officer.a").status_code == 303


def test_the_wait_is_stated_in_vietnam_time(web: TestClient, clock: Clock) -> None:
    # The clock starts at 08:00 UTC = 15:00 in Vietnam; the lock ends 15 minutes later.
    for _ in range(4):
        assert sign_in(web, "officer.a", "wrong password here").status_code == 401
    r = sign_in(web, "officer.a", "wrong password here")
    assert r.status_code == 429
    assert "thử lại sau 15:15" in r.text
    assert r.headers["retry-after"] == "900"
    clock.advance(minutes=5)
    r = sign_in(web, "officer.a")
    assert r.status_code == 429 and "thử lại sau 15:15" in r.text
    assert r.headers["retry-after"] == "600"


def test_one_persons_typos_do_not_lock_a_colleague_behind_the_same_address(
    web: TestClient,
) -> None:
    for _ in range(7):
        assert sign_in(web, "officer.a", "wrong password here").status_code in (401, 429)
    assert sign_in(web, "officer.a").status_code == 429
    r = sign_in(web, "officer.b")  # same address ("testclient"), another account
    assert r.status_code == 303, r.text
    assert web.post("/logout", data={"csrf": csrf_of(web.get("/alerts"))}).status_code == 303
    assert sign_in(web, "admin").status_code == 303


def test_an_unknown_username_locks_like_a_real_one(web: TestClient) -> None:
    """The answers do not tell which accounts exist."""
    real = [sign_in(web, "officer.a", "wrong password here").status_code for _ in range(6)]
    unknown = [sign_in(web, "no.such.user", "wrong password here").status_code for _ in range(6)]
    assert real == unknown == [401, 401, 401, 401, 429, 429]


def spray(web: TestClient, clock: Clock, session: Session, ceiling: int) -> None:
    for n in range(ceiling):
        assert sign_in(web, f"nobody{n}", "whatever it is").status_code == 401
    r = sign_in(web, "admin")  # even with the right password
    assert r.status_code == 429 and "thử lại sau 15:15" in r.text
    assert int(r.headers["retry-after"]) == 900
    # Kept in the database, as digests only: another process sees the same counts.
    keys = session.scalars(sa.select(SignInFailures.address_key)).all()
    assert len(keys) == ceiling + 2  # the address, one pair per username tried
    assert all(len(k) == 64 and "testclient" not in k and "nobody" not in k for k in keys)
    clock.advance(minutes=16)  # the window has passed
    assert sign_in(web, "admin").status_code == 303


def test_one_address_spraying_many_accounts_hits_the_ceiling(
    web: TestClient, clock: Clock, session: Session
) -> None:
    state = cast(FastAPI, web.app).state.web
    state.throttle = dataclasses.replace(state.throttle, max_failures=12)
    spray(web, clock, session, 12)


@pytest.mark.slow
def test_the_default_ceiling_is_far_above_an_offices_typos(
    web: TestClient, clock: Clock, session: Session
) -> None:
    ceiling = cast(FastAPI, web.app).state.web.throttle.max_failures
    assert ceiling >= 100
    spray(web, clock, session, ceiling)


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_next_never_leaves_the_site(target: str) -> None:
    result = safe_next(target)
    assert result == "/" or result == target
    assert result.startswith("/") and not result.startswith("//")
    assert "\\" not in result and all(ord(ch) > 31 for ch in result)


def test_next_is_honoured_for_a_path_and_refused_for_other_sites(web: TestClient) -> None:
    for evil in ("//evil.example", "/\\evil.example", "https://evil.example/", "evil", "/a\nb"):
        assert safe_next(evil) == "/"
    form = web.get("/login?next=/persons")
    r = web.post(
        "/login",
        data={"csrf": csrf_of(form), "username": "admin", "password": PASSWORD, "next": "/persons"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/persons"


def test_forms_without_the_csrf_token_are_refused(web: TestClient) -> None:
    web.get("/login")
    r = web.post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 403
    r = web.post("/login", data={"csrf": "forged", "username": "admin", "password": PASSWORD})
    assert r.status_code == 403
    assert web.get("/alerts").status_code == 303


def test_idle_timeout_after_thirty_minutes(web: TestClient, clock: Clock) -> None:
    sign_in(web, "admin")
    clock.advance(minutes=29)
    assert web.get("/alerts").status_code == 200  # use refreshes the idle timer
    clock.advance(minutes=29)
    assert web.get("/alerts").status_code == 200
    clock.advance(minutes=31)
    r = web.get("/alerts")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_absolute_timeout_after_twelve_hours_of_activity(web: TestClient, clock: Clock) -> None:
    sign_in(web, "admin")
    for _ in range(28):  # active every 25 minutes for 11 h 40 min: never idle
        clock.advance(minutes=25)
        assert web.get("/alerts").status_code == 200
    clock.advance(minutes=21)  # 12 h 01 min after signing in, 21 min after the last use
    assert web.get("/alerts").status_code == 303


def test_sign_out_ends_the_session_on_the_server(web: TestClient) -> None:
    sign_in(web, "admin")
    kept = web.cookies.get(COOKIE)
    page = web.get("/alerts")
    assert web.post("/logout", data={"csrf": csrf_of(page)}).status_code == 303
    assert web.get("/alerts").status_code == 303
    web.cookies.set(COOKIE, kept or "")  # replaying the old cookie does not help
    assert web.get("/alerts").status_code == 303


def test_a_disabled_user_is_signed_out(web: TestClient, session: Session) -> None:
    sign_in(web, "officer.a")
    user = session.scalar(sa.select(User).where(User.username == "officer.a"))
    assert user is not None
    session.execute(sa.update(User).where(User.id == user.id).values(disabled=True))
    session.commit()
    assert web.get("/alerts").status_code == 303


def test_a_success_does_not_wipe_an_addresss_failures(web: TestClient) -> None:
    state = cast(FastAPI, web.app).state.web
    state.throttle = dataclasses.replace(state.throttle, max_failures=5)  # a small ceiling
    for n in range(4):
        assert sign_in(web, f"nobody{n}", "whatever it is").status_code == 401
    assert sign_in(web, "admin").status_code == 303  # one valid account of one's own…
    assert web.post("/logout", data={"csrf": csrf_of(web.get("/alerts"))}).status_code == 303
    assert sign_in(web, "nobody9", "whatever it is").status_code == 401
    assert sign_in(web, "admin").status_code == 429  # …does not buy more guesses
