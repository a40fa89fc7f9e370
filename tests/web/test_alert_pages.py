"""Alert list, detail and actions: scope, bad input, CSRF, history."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.alerts.models import Alert, AlertComment
from registry.audit.models import AuditEvent
from registry.dates import today
from registry.history import RecordVersion
from tests.factories import World
from tests.web.conftest import csrf_of, sign_in

FUTURE = (today() + dt.timedelta(days=90)).isoformat()


def _alert(session: Session, world: World, key: str, rule: str) -> Alert:
    found = session.scalar(
        sa.select(Alert).where(Alert.person_id == world.persons[key].id, Alert.rule == rule)
    )
    assert found is not None
    return found


def _versions(session: Session, alert: Alert) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(RecordVersion)
            .where(RecordVersion.row_id == alert.id)
        )
        or 0
    )


def test_filters_and_sorting(web: TestClient) -> None:
    sign_in(web, "admin")
    page = web.get("/alerts", params={"rule": "party_member", "org": "CB-B"})
    assert page.status_code == 200
    assert page.text.count('href="/alerts/') == 1 and "Trần Văn Đức" in page.text
    page = web.get("/alerts", params={"org": "DU-P1", "sort": "rule"})
    body = page.text
    assert body.index("missing_evaluation") < body.index("party_member")
    assert "Nguyễn Thị Thu Hà" in body and "Trần Văn Đức" in body
    assert web.get("/alerts", params={"status": "resolved"}).text.count('href="/alerts/') == 0
    assert web.get("/alerts", params={"older_than_days": "36000"}).text.count('href="/alerts/') == 0


def test_bad_filters_answer_a_page_naming_the_field(web: TestClient) -> None:
    sign_in(web, "admin")
    r = web.get("/alerts", params={"older_than_days": "-3"})
    assert r.status_code == 422 and "query.older_than_days" in r.text
    r = web.get("/alerts", params={"status": "deleted"})
    assert r.status_code == 422 and "query.status" in r.text
    assert web.get("/alerts/not-a-uuid").status_code == 422


def test_officer_sees_only_their_subtree_and_other_alerts_are_404(
    web: TestClient, session: Session, world: World
) -> None:
    sign_in(web, "officer.a")
    page = web.get("/alerts")
    assert "Nguyễn Thị Thu Hà" in page.text and "Trần Văn Đức" not in page.text
    assert "CB-B" not in page.text  # not even as a filter choice
    other = _alert(session, world, "b", "party_member")
    assert web.get(f"/alerts/{other.id}").status_code == 404
    own = _alert(session, world, "a", "party_member")
    detail = web.get(f"/alerts/{own.id}")
    assert detail.status_code == 200 and "Chưa là đảng viên" in detail.text
    assert 'party_member"' not in detail.text.replace('data-rule="party_member"', "")
    r = web.post(
        f"/alerts/{other.id}/waive",
        data={"csrf": csrf_of(detail), "reason": "không", "until": FUTURE},
    )
    assert r.status_code == 404
    assert web.get("/alerts", params={"org": "CB-B"}).status_code == 404


def test_waive_without_reason_is_refused_and_changes_nothing(
    web: TestClient, session: Session, world: World
) -> None:
    sign_in(web, "officer.a")
    alert = _alert(session, world, "a", "qualification.political_theory")
    before = _versions(session, alert)
    detail = web.get(f"/alerts/{alert.id}")
    r = web.post(
        f"/alerts/{alert.id}/waive", data={"csrf": csrf_of(detail), "reason": " ", "until": FUTURE}
    )
    assert r.status_code == 422 and "form.reason" in r.text
    r = web.post(
        f"/alerts/{alert.id}/waive",
        data={"csrf": csrf_of(detail), "reason": "đang học", "until": "2020-01-01"},
    )
    assert r.status_code == 422 and "body.until" in r.text
    session.expire_all()
    assert session.get(Alert, alert.id).status == "open"  # type: ignore[union-attr]
    assert _versions(session, alert) == before


def test_waive_with_reason_and_expiry_is_recorded(
    web: TestClient, session: Session, world: World
) -> None:
    sign_in(web, "officer.a")
    alert = _alert(session, world, "a", "qualification.political_theory")
    detail = web.get(f"/alerts/{alert.id}")
    reason = "Đang học Trung cấp lý luận chính trị"
    r = web.post(
        f"/alerts/{alert.id}/waive",
        data={"csrf": csrf_of(detail), "reason": reason, "until": FUTURE},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/alerts/{alert.id}"
    page = web.get(f"/alerts/{alert.id}")
    shown_until = dt.date.fromisoformat(FUTURE).strftime("%d/%m/%Y")
    assert "Miễn trừ" in page.text and reason in page.text and shown_until in page.text
    history = page.text.split('id="history"')[1].split("</table>")[0]
    assert "officer.a" in history and "Miễn trừ" in history  # who waived, by name
    session.expire_all()
    last = session.scalars(
        sa.select(RecordVersion)
        .where(RecordVersion.row_id == alert.id)
        .order_by(RecordVersion.seq.desc())
    ).first()
    assert last is not None and last.actor == "user:officer.a"
    assert last.reason == f"waived: {reason}"


def test_acknowledge_assign_and_comment(web: TestClient, session: Session, world: World) -> None:
    sign_in(web, "admin")
    alert = _alert(session, world, "b", "party_member")
    detail = web.get(f"/alerts/{alert.id}")
    token = csrf_of(detail)
    assert web.post(f"/alerts/{alert.id}/acknowledge", data={"csrf": token}).status_code == 303
    assert (
        web.post(f"/alerts/{alert.id}/assign", data={"csrf": token, "to": "Ban XDĐ"}).status_code
        == 303
    )
    r = web.post(f"/alerts/{alert.id}/comment", data={"csrf": token, "text": "Đã nhắc"})
    assert r.status_code == 303
    page = web.get(f"/alerts/{alert.id}", params={"lang": "en"})
    assert "Acknowledged" in page.text and "Ban XDĐ" in page.text and "Đã nhắc" in page.text
    session.expire_all()
    notes = session.scalars(sa.select(AlertComment).where(AlertComment.alert_id == alert.id))
    assert [n.author for n in notes] == ["user:admin"]


def test_action_without_csrf_token_changes_nothing(
    web: TestClient, session: Session, world: World
) -> None:
    sign_in(web, "admin")
    alert = _alert(session, world, "b", "party_member")
    assert web.post(f"/alerts/{alert.id}/acknowledge", data={}).status_code == 403
    session.expire_all()
    assert session.get(Alert, alert.id).status == "open"  # type: ignore[union-attr]


def test_auditor_reads_but_cannot_act(web: TestClient, session: Session, world: World) -> None:
    sign_in(web, "auditor")
    alert = _alert(session, world, "b", "qualification.political_theory")
    detail = web.get(f"/alerts/{alert.id}")
    assert detail.status_code == 200 and 'action="/alerts/' not in detail.text
    r = web.post(f"/alerts/{alert.id}/acknowledge", data={"csrf": csrf_of(detail)})
    assert r.status_code == 403
    session.expire_all()
    assert session.get(Alert, alert.id).status == "open"  # type: ignore[union-attr]


def test_alert_reads_are_on_the_audit_log(web: TestClient, session: Session, world: World) -> None:
    sign_in(web, "officer.a")
    shown = _alert(session, world, "a", "party_member")
    hidden = _alert(session, world, "b", "party_member")  # another cell: not listed to them

    def events(action: str) -> list[AuditEvent]:
        session.expire_all()
        return list(session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))

    assert web.get("/alerts").status_code == 200
    listed = {e.object_id for e in events("alerts.list")}
    assert str(shown.id) in listed and str(hidden.id) not in listed
    assert {e.actor for e in events("alerts.list")} == {"user:officer.a"}
    assert web.get(f"/alerts/{shown.id}").status_code == 200
    (read,) = events("alerts.read")
    assert read.object_id == str(shown.id) and read.fields == ["details"]
    assert web.get(f"/alerts/{hidden.id}").status_code == 404
    assert len(events("alerts.read")) == 1  # an out-of-scope alert is not a read
