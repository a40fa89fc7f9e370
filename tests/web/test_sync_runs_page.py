"""The sync runs page: every run, crashed and abandoned ones included, in words, with times in
Vietnam; open to operators, refused to officers."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sync.models import SyncRun
from tests.web.conftest import sign_in


def _runs(session: Session) -> None:
    started = dt.datetime(2026, 11, 30, 17, 5, tzinfo=dt.UTC)  # 01/12/2026 00:05 in Vietnam
    session.add_all(
        [
            SyncRun(
                job="civil-service-push",
                runner="h:1",
                started_at=started,
                finished_at=started + dt.timedelta(seconds=3),
                status="partial",
                counts={"pushed": 4, "left": {"pending": 19}},
                errors=["civil-service-push stopped: CircuitOpen"],
            ),
            SyncRun(job="population-verify", runner="h:2", started_at=started, status="abandoned"),
            SyncRun(
                job="reconcile",
                runner="h:3",
                started_at=started,
                finished_at=started,
                status="failed",
                counts={"errors": 1},
                errors=["OperationalError"],
            ),
        ]
    )
    session.commit()


def test_operators_see_every_run_in_words(web: TestClient, session: Session) -> None:
    _runs(session)
    assert sign_in(web, "admin").status_code == 303
    page = web.get("/sync/runs")
    assert page.status_code == 200, page.text
    text = page.text
    for words in (
        "Gửi hồ sơ sang CSDL cán bộ, công chức",
        "Dừng khi còn việc",
        "Bỏ dở (tiến trình đã dừng)",
        "Lỗi",
        "01/12/2026 00:05:00",
        "mục chờ gửi: 19",
        "đã gửi: 4",
    ):
        assert words in text, words
    assert "partial" not in text.split('id="sync-runs"')[1].replace('class="run-partial"', "")
    english = web.get("/sync/runs", params={"lang": "en"}).text
    assert "Stopped with work left" in english and "items pending: 19" in english


def test_officers_are_refused(web: TestClient, session: Session) -> None:
    _runs(session)
    assert sign_in(web, "officer.a").status_code == 303
    assert web.get("/sync/runs").status_code == 403
