"""A new user in a real Chromium (Debian's), from ``make run``'s setup to the report.

The server is set up by ``registry.devrun.prepare`` — the function ``make run`` runs — on a
small demo ward; the test signs in with the one-time password it returned, chooses a
password, sees open alerts, finds a person by a name with diacritics, reads the file (no raw
code anywhere), records a training through the form, loses its session on a form and gets
the typed text back after signing in again, and downloads the report as XLSX and PDF. Every
page it visits leaves a screenshot in ``var/screenshots/``.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy.engine import Engine

from registry.app import create_app
from registry.assignments.models import Assignment
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.dates import today, utcnow
from registry.db import make_sessionmaker
from registry.devrun import WayIn, prepare
from registry.persons.models import Person
from registry.runtime import Runtime
from registry.text import full_name
from tests.web.conftest import Clock

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "apt-get update && apt-get install -y chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WARD = 60  # persons: enough for posts, alerts and party cells, quick to build
# Codes that must never reach the eyes of a reader.
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
RAW = ("trung_cap", "appointment", "dai_hoc", "political_theory", "HTT", "HTXS")


@dataclass
class Served:
    url: str
    way_in: WayIn
    person: str  # a cadre's full name with diacritics
    clock: Clock


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _cadre_with_diacritics(engine: Engine) -> str:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Person.family_name, Person.middle_name, Person.given_name)
            .join(Assignment, Assignment.person_id == Person.id)
            .order_by(Person.search_key)
        ).all()
    for fam, mid, given in rows:
        name = full_name(fam, mid, given)
        if unicodedata.normalize("NFD", given) != given:  # the given name carries a mark
            return name
    raise AssertionError("the demo ward has no cadre with a diacritic in the given name")


@pytest.fixture
def served(committed_engine: Engine, keys: StaticKeyProvider, tmp_path: Path) -> Iterator[Served]:
    settings = Settings(
        var_dir=tmp_path / "var", database_url="sqlite://", session_cookie_secure=False
    )
    rt = Runtime(settings, keys=keys, engine_override=committed_engine)
    way_in = prepare(rt, persons=WARD)  # what `make run` does before it serves
    app = create_app(settings, sessions=make_sessionmaker(committed_engine), keys=keys)
    clock = Clock(now=utcnow())
    app.state.web.clock = clock
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield Served(
        f"http://127.0.0.1:{port}", way_in, _cadre_with_diacritics(committed_engine), clock
    )
    srv.should_exit = True
    thread.join(timeout=10)


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _no_raw_codes(text: str) -> None:
    for code in RAW:
        found = re.search(rf"\b{re.escape(code)}\b", text)
        assert not found, text[max(0, found.start() - 200) : found.end() + 50]
    assert not SNAKE.search(text), SNAKE.search(text)


def test_new_user_from_make_run_to_the_report(served: Served) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"Debian's Chromium is missing at {CHROMIUM}: {INSTALL}")
    from playwright.sync_api import expect, sync_playwright

    base, way_in = served.url, served.way_in
    assert way_in.username == "admin" and way_in.password and (way_in.findings or 0) > 0
    new_password = "mật khẩu của quản trị 2026"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        # Sign in with what make run printed; choose a password first.
        page.goto(f"{base}/")
        expect(page.locator("h1")).to_have_text("Đăng nhập")
        _shot(page, "01-login")
        page.fill("input[name=username]", way_in.username)
        page.fill("input[name=password]", way_in.password)
        page.click("form.card button[type=submit]")
        expect(page.locator("#password-due")).to_be_visible()
        _shot(page, "02-choose-password")
        page.fill("input[name=current]", way_in.password)
        page.fill("input[name=new]", new_password)
        page.fill("input[name=again]", new_password)
        page.click("form.card button[type=submit]")
        page.wait_for_url(f"{base}/alerts")

        # Open alerts, in words.
        rows = page.locator("#alerts tbody tr")
        expect(rows.first.locator("a")).to_be_visible()
        assert rows.count() > 1
        _no_raw_codes(page.inner_text("main"))
        _shot(page, "03-alerts")
        rows.first.locator("a").click()
        expect(page.locator("#evidence li").first).to_be_visible()
        _no_raw_codes(page.inner_text("main"))
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", page.inner_text("main"))  # no UUIDs
        _shot(page, "04-alert")

        # Find a person by a name with diacritics; open the file.
        page.goto(f"{base}/persons")
        _shot(page, "05-persons")
        page.fill("#person-search input[name=q]", served.person)
        page.click("#person-search button[type=submit]")
        link = page.locator("#persons tbody a", has_text=served.person).first
        expect(link).to_be_visible()
        _shot(page, "06-persons-found")
        link.click()
        expect(page.locator("#full-name")).to_have_text(served.person)
        main = page.inner_text("main")
        _no_raw_codes(main)
        assert page.inner_text("#f-sex") in ("Nam", "Nữ")
        assert not re.fullmatch(r"[0-9]{2}", page.inner_text("#f-ethnicity_code"))
        assert "—" not in page.inner_text("#current-post").split(":")[1][:3]
        _shot(page, "07-person")
        file_url = page.url

        # Record a training through the form.
        page.click("a[href$='/trainings/new']")
        expect(page.locator("#record-form")).to_be_visible()
        _shot(page, "08-training-form")
        course = "Bồi dưỡng cập nhật kiến thức cho cán bộ lãnh đạo, quản lý"
        page.fill("#in-course", course)
        page.fill("#in-valid_from", today().replace(day=1).isoformat())
        page.select_option("#in-mode", "in_service")
        page.fill("#in-reason", "Quyết định cử đi học số 45-QĐ/ĐU")
        page.click("#save")
        expect(page.locator("#saved-notice")).to_be_visible()
        expect(page.locator("#section-trainings")).to_contain_text(course)
        _no_raw_codes(page.inner_text("main"))
        _shot(page, "09-training-saved")

        # Correct it: the form opens on the record, a fixed-free box changed, saved.
        page.locator("#section-trainings tr", has_text=course).locator("a.edit").click()
        expect(page.locator("#in-course")).to_have_value(course)
        _shot(page, "09b-training-edit")
        page.fill("#in-institution", "Trường Chính trị thành phố Hải Phòng")
        page.fill("#in-reason", "Bổ sung nơi học theo giấy chứng nhận")
        page.click("#save")
        expect(page.locator("#saved-notice")).to_be_visible()
        expect(page.locator("#section-trainings")).to_contain_text("Trường Chính trị thành phố")

        # The session ends while a form is open: the notice, sign-in, the text comes back.
        page.click("a[href$='/commendations/new']")
        title = "Giấy khen của Ban Thường vụ Đảng ủy phường"
        page.fill("#in-title", title)
        page.fill("#in-decided_on", today().isoformat())
        page.fill("#in-reason", "Khen thưởng tháng")
        served.clock.advance(minutes=31)
        page.click("#save")
        expect(page.locator("#expired-notice")).to_be_visible()
        _shot(page, "10-session-expired")
        page.click("#sign-in-again")
        page.fill("input[name=username]", way_in.username)
        page.fill("input[name=password]", new_password)
        page.click("form.card button[type=submit]")
        page.wait_for_url(re.compile(r".*/commendations/new$"))
        expect(page.locator("#in-title")).to_have_value(title)
        expect(page.locator(".restored")).to_be_visible()
        _shot(page, "11-form-restored")

        # Dashboard, sync runs, an error page, the file in English.
        page.goto(f"{base}/dashboard")
        expect(page.locator("svg").first).to_be_visible()
        _shot(page, "12-dashboard")
        page.goto(f"{base}/sync/runs")
        _shot(page, "13-sync-runs")
        page.goto(f"{base}/persons/{uuid.uuid4()}")
        expect(page.locator("h1")).to_contain_text("Không tìm thấy")
        _shot(page, "14-error")
        page.goto(f"{file_url}?lang=en")
        expect(page.locator("h1")).to_contain_text("Personnel file")
        _no_raw_codes(page.inner_text("main"))
        _shot(page, "15-person-en")
        page.goto(f"{base}/persons?lang=vi")
        for n, kind in enumerate(
            ("qualifications", "evaluations", "disciplines", "assignments", "contact"), 16
        ):
            page.goto(f"{file_url}/{kind}/new")
            expect(page.locator("#record-form")).to_be_visible()
            _no_raw_codes(page.inner_text("main"))
            _shot(page, f"{n}-form-{kind}")

        # The monthly report, both ways.
        page.goto(f"{base}/reports/monthly")
        _shot(page, "21-report")
        with page.expect_download() as got:
            page.click("#download")
        xlsx = Path(got.value.path())
        assert xlsx.read_bytes()[:2] == b"PK" and got.value.suggested_filename.endswith(".xlsx")
        page.select_option("select[name=format]", "pdf")
        with page.expect_download() as got:
            page.click("#download")
        assert Path(got.value.path()).read_bytes()[:4] == b"%PDF"
        assert not [e for e in errors if "Content Security Policy" in e], errors
        browser.close()
    first_and_last = ((1, "login"), (21, "report"))
    assert all((SCREENSHOTS / f"{n:02d}-{s}.png").exists() for n, s in first_and_last)
    assert len(list(SCREENSHOTS.glob("[0-2][0-9]-*.png"))) >= 21
