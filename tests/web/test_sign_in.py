"""Sign-in, throttling, CSRF, timeouts and sign-out on the review pages."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.users.models import SignInFailures, User
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
    web: TestClient, clock: Clock, session: Session
) -> None:
    state = cast(FastAPI, web.app).state.web
    for _ in range(5):
        assert sign_in(web, "officer.a", "wrong password here").status_code in (401, 429)
        # forget the address's failures: this test is about the lock on the account
        state.throttle.succeeded(session, state.throttle.key(state.secret, "testclient"))
        session.commit()
    r = sign_in(web, "officer.a")
    assert r.status_code == 429 and "quá nhiều lần" in r.text
    clock.advance(minutes=16)
    assert sign_in(web, "officer.a").status_code == 303


def test_one_address_guessing_many_usernames_is_throttled(
    web: TestClient, clock: Clock, session: Session
) -> None:
    for n in range(5):
        assert sign_in(web, f"nobody{n}", "whatever it is").status_code == 401
    assert sign_in(web, "admin").status_code == 429  # even with the right password
    # kept in the database, as a digest: another process sees the same count
    rows = session.scalars(sa.select(SignInFailures)).all()
    # five failures and the refused sixth attempt, counted before any password is checked
    assert [r.failures for r in rows] == [6] and "testclient" not in rows[0].address_key
    clock.advance(minutes=16)  # the window has passed
    assert sign_in(web, "admin").status_code == 303


def test_forms_without_the_csrf_token_are_refused(web: TestClient) -> None:
    web.get("/login")
    r = web.post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 403 and "CSRF" in r.text
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
    for n in range(4):
        assert sign_in(web, f"nobody{n}", "whatever it is").status_code == 401
    assert sign_in(web, "admin").status_code == 303  # one valid account of one's own…
    assert web.post("/logout", data={"csrf": csrf_of(web.get("/alerts"))}).status_code == 303
    assert sign_in(web, "nobody9", "whatever it is").status_code == 401
    assert sign_in(web, "admin").status_code == 429  # …does not buy more guesses
