"""A real headless Chromium (Debian's, never a downloaded one) through the review pages:
sign in, filter the alerts, open one, waive it, and keep a screenshot of the list."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.engine import Engine

from registry.app import create_app
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.dates import today
from registry.db import make_sessionmaker
from tests.factories import build_world
from tests.web.conftest import PASSWORD, make_alerts, users

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(committed_engine: Engine, keys: StaticKeyProvider, tmp_path: Path) -> Iterator[str]:
    sessions = make_sessionmaker(committed_engine)
    settings = Settings(
        var_dir=tmp_path / "var", database_url="sqlite://", session_cookie_secure=False
    )
    with sessions() as session:
        world = build_world(session, settings, keys)
        make_alerts(session, settings, keys, world)
        users(session, world)
    app = create_app(settings, sessions=sessions, keys=keys)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_sign_in_filter_open_and_waive(server: str) -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's Chromium is missing at /usr/bin/chromium: "
            "apt-get update && apt-get install -y chromium"
        )
    from playwright.sync_api import expect, sync_playwright

    until = (today() + dt.timedelta(days=120)).isoformat()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page.goto(f"{server}/alerts")
        expect(page.locator("h1")).to_have_text("Đăng nhập")  # sent to sign in first

        page.fill("input[name=username]", "officer.a")
        page.fill("input[name=password]", PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_url(f"{server}/alerts")
        rows = page.locator("#alerts tbody tr")
        expect(rows).to_have_count(5)  # two posts short of holders, the holder's three shortfalls
        expect(page.locator("#alerts")).not_to_contain_text("Trần Văn Đức")

        page.select_option("select[name=rule]", "qualification.political_theory")
        page.click(".filters button[type=submit]")
        page.wait_for_url("**/alerts?*rule=qualification.political_theory*")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Nguyễn Thị Thu Hà")
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "review-alerts.png"), full_page=True)

        rows.first.locator("a").click()
        expect(page.locator("#status")).to_have_text("Đang mở")
        expect(page.locator(".evidence")).to_contain_text("Trung cấp")  # in words, not a code
        expect(page.locator(".evidence")).not_to_contain_text("trung_cap")

        page.fill("#waive textarea[name=reason]", "Đang học lớp Trung cấp lý luận chính trị")
        page.fill("#waive input[name=until]", until)
        page.click("#waive button[type=submit]")
        expect(page.locator("#status")).to_have_text("Miễn trừ")
        expect(page.locator("#waived-reason")).to_have_text(
            "Đang học lớp Trung cấp lý luận chính trị"
        )
        shown = dt.date.fromisoformat(until).strftime("%d/%m/%Y")
        expect(page.locator("#waived-until")).to_have_text(shown)

        page.goto(f"{server}/alerts?status=waived&lang=en")
        expect(page.locator("#alerts tbody tr")).to_have_count(1)
        expect(page.locator("#alerts")).to_contain_text("Waived")
        browser.close()
    assert (SCREENSHOTS / "review-alerts.png").stat().st_size > 10_000
