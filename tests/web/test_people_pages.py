"""People pages, the person file in words, the record forms, expired sessions on a form and
the one-time password."""

from __future__ import annotations

import html
import re
import uuid

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.assignments.models import Assignment
from registry.dates import utcnow
from registry.history import RecordVersion
from registry.qualifications.models import Training
from registry.users.service import issue_one_time
from tests.factories import World
from tests.web.conftest import Clock, csrf_of, sign_in

RAW_CODES = ("trung_cap", "appointment", "political_theory", ">F<", ">M<", ">01<", ">00<")


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden {name}"
    return html.unescape(found.group(1))


def test_people_list_finds_by_name_with_diacritics_scoped(web: TestClient, world: World) -> None:
    sign_in(web, "officer.a")
    page = web.get("/persons", params={"q": "Hà"})
    assert page.status_code == 200 and "Nguyễn Thị Thu Hà" in page.text
    assert re.search(r'id="total">[^<]*<strong>1</strong>', page.text)
    assert "Trần Văn Đức" not in web.get("/persons").text  # another unit's person
    sign_in(web, "officer.b")
    assert "Nguyễn Thị Thu Hà" not in web.get("/persons", params={"q": "ha"}).text


def test_party_status_filter_only_for_who_may_see_it(web: TestClient) -> None:
    sign_in(web, "auditor")
    page = web.get("/persons")
    assert page.status_code == 200 and 'name="party_status"' not in page.text
    refused = web.get("/persons", params={"party_status": "official"})
    assert refused.status_code == 403
    sign_in(web, "admin")
    page = web.get("/persons", params={"party_status": "official"})
    assert page.status_code == 200 and 'name="party_status"' in page.text


def test_person_file_reads_in_words(web: TestClient, world: World) -> None:
    sign_in(web, "admin")
    page = web.get(f"/persons/{world.persons['a'].id}")
    assert page.status_code == 200
    main = page.text.split("<main>")[1]
    assert "Nữ" in main and "Kinh" in main and "14/03/1985" in main
    assert "Phó Bí thư CB-A" in page.text.split('id="current-post"')[1].split("</p>")[0]
    assert "Bổ nhiệm" in main  # the assignment's kind in words
    for code in RAW_CODES:
        assert code not in main, code
    english = web.get(f"/persons/{world.persons['a'].id}", params={"lang": "en"}).text
    assert "Female" in english and "Appointment" in english


def test_training_form_needs_a_reason_and_a_fresh_etag(
    web: TestClient, session: Session, world: World
) -> None:
    person = world.persons["a"]
    sign_in(web, "officer.a")
    form = web.get(f"/persons/{person.id}/trainings/new")
    assert form.status_code == 200 and 'data-keep="trainings:' in form.text
    fields = {
        "csrf": csrf_of(form),
        "etag": _hidden(form.text, "etag"),
        "course": "Bồi dưỡng kỹ năng lãnh đạo, quản lý cấp phòng",
        "valid_from": "2026-10-05",
        "valid_to": "2026-10-09",
        "mode": "in_service",
        "reason": "",
    }
    count = sa.select(sa.func.count()).select_from(Training)
    before = session.scalar(count)
    missing = web.post(f"/persons/{person.id}/trainings", data=fields)
    assert missing.status_code == 422 and 'id="error-reason"' in missing.text
    assert "Bắt buộc phải nhập" in missing.text and fields["course"] in missing.text
    bad_date = web.post(
        f"/persons/{person.id}/trainings", data=fields | {"reason": "x", "valid_from": "05/10"}
    )
    assert bad_date.status_code == 422 and 'id="error-valid_from"' in bad_date.text
    stale = web.post(
        f"/persons/{person.id}/trainings", data=fields | {"reason": "x", "etag": '"0"'}
    )
    assert stale.status_code == 422 and 'id="error-etag"' in stale.text
    session.expire_all()
    assert session.scalar(count) == before  # nothing half-written
    saved = web.post(f"/persons/{person.id}/trainings", data=fields | {"reason": "Lớp tháng 10"})
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=trainings")
    session.expire_all()
    assert session.scalar(count) == before + 1
    version = session.scalars(
        sa.select(RecordVersion)
        .where(RecordVersion.table_name == "trainings")
        .order_by(RecordVersion.seq.desc())
    ).first()
    assert version is not None and version.reason == "Lớp tháng 10"
    assert version.actor == "user:officer.a"
    page = web.get(saved.headers["location"])
    assert fields["course"] in page.text and 'data-forget="trainings:' in page.text


def test_assignment_form_shows_the_dry_run_before_saving(
    web: TestClient, session: Session, world: World
) -> None:
    person = world.persons["a"]
    sign_in(web, "admin")
    form = web.get(f"/persons/{person.id}/assignments/new")
    post = world.positions["cell_a_secretary"]
    fields = {
        "csrf": csrf_of(form),
        "etag": _hidden(form.text, "etag"),
        "position_id": str(post.id),
        "kind": "appointment",
        "valid_from": "2026-11-01",
        "reason": "Quyết định 12-QĐ/ĐU",
    }
    count = sa.select(sa.func.count()).select_from(Assignment)
    before = session.scalar(count)
    checked = web.post(f"/persons/{person.id}/assignments", data=fields)
    assert checked.status_code == 200 and 'id="dry-run"' in checked.text
    assert 'name="confirmed" value="1"' in checked.text
    session.expire_all()
    assert session.scalar(count) == before  # the dry run wrote nothing
    saved = web.post(f"/persons/{person.id}/assignments", data=fields | {"confirmed": "1"})
    assert saved.status_code == 303
    session.expire_all()
    assert session.scalar(count) == before + 1


def test_an_expired_session_on_a_form_sends_to_the_forms_page(
    web: TestClient, clock: Clock, world: World
) -> None:
    person = world.persons["a"]
    sign_in(web, "officer.a")
    form = web.get(f"/persons/{person.id}/trainings/new")
    clock.advance(minutes=31)
    late = web.post(
        f"/persons/{person.id}/trainings",
        data={
            "csrf": csrf_of(form),
            "etag": _hidden(form.text, "etag"),
            "back": f"/persons/{person.id}/trainings/new",
            "course": "Lớp cập nhật kiến thức",
            "reason": "x",
        },
    )
    assert late.status_code == 401 and 'id="expired-notice"' in late.text
    target = f"/login?next=/persons/{person.id}/trainings/new"
    assert f'href="{target}"' in late.text
    assert web.get(target).status_code == 200  # a GET page, not the POST-only address
    # An address from elsewhere is never a target.
    other = web.post(
        f"/persons/{person.id}/trainings",
        data={"csrf": csrf_of(form), "back": "//evil.example/x"},
    )
    assert 'href="/login?next=/"' in other.text


def test_a_one_time_password_must_be_changed_before_anything_opens(
    web: TestClient, session: Session
) -> None:
    issued = issue_one_time(session, username="demo.admin", now=utcnow())
    session.commit()
    assert issued.password is not None
    assert sign_in(web, "demo.admin", issued.password).status_code == 303
    first = web.get("/alerts")
    assert first.status_code == 303
    assert first.headers["location"] == "/account/password?next=/alerts"
    page = web.get(first.headers["location"])
    assert 'id="password-due"' in page.text
    new = "mật khẩu riêng của tôi 2026"
    short = web.post(
        "/account/password",
        data={"csrf": csrf_of(page), "current": issued.password, "new": "ngắn", "again": "ngắn"},
    )
    assert short.status_code == 422 and 'id="error-new"' in short.text
    done = web.post(
        "/account/password",
        data={
            "csrf": csrf_of(page),
            "current": issued.password,
            "new": new,
            "again": new,
            "next": "/alerts",
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/alerts"
    assert web.get("/alerts").status_code == 200
    assert issue_one_time(session, username="demo.admin", now=utcnow()).password is None
    assert sign_in(web, "demo.admin", issued.password).status_code == 401  # used up
    assert sign_in(web, "demo.admin", new).status_code == 303


def test_post_only_addresses_opened_as_pages_lead_to_their_page(
    web: TestClient, world: World, session: Session
) -> None:
    person = world.persons["a"]
    sign_in(web, "officer.a")
    r = web.get(f"/persons/{person.id}/trainings")
    assert r.status_code == 303 and r.headers["location"] == f"/persons/{person.id}/trainings/new"
    r = web.get(f"/persons/{person.id}/view")
    assert r.status_code == 303 and r.headers["location"] == f"/persons/{person.id}"
    alert_id = session.scalars(sa.text("SELECT id FROM alerts")).first()
    r = web.get(f"/alerts/{uuid.UUID(str(alert_id))}/waive")
    assert r.status_code == 303 and r.headers["location"].startswith("/alerts/")
    assert web.get(f"/alerts/{uuid.UUID(str(alert_id))}/nothing").status_code == 404
