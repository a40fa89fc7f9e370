"""Alerts and standards over HTTP: scope, bad input, dry runs, candidates, in-request
re-evaluation."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from fastapi.testclient import TestClient

from registry.alerts.models import Alert
from registry.alerts.service import run_full
from registry.assignments.models import Assignment
from registry.audit.models import AuditEvent
from registry.history import RecordVersion
from registry.positions.models import Position
from tests.standards.conftest import TODAY, Lab

REASON = {"X-Change-Reason": "review"}


def _setup(lab: Lab) -> tuple[str, str]:
    profile = lab.profile(
        "BT", {"political_theory": {"min_level": "trung_cap"}, "party_member": True}
    )
    post = lab.post(profile)
    lab.session.commit()
    return str(post.id), str(profile.id)


def test_appointment_raises_alerts_in_the_same_request_and_fixing_resolves(
    client: TestClient, lab: Lab
) -> None:
    post, _ = _setup(lab)
    w = lab.world
    r = client.post(
        "/api/v1/assignments",
        headers=w.auth("admin"),
        json={
            "person_id": str(w.persons["b"].id),
            "position_id": post,
            "kind": "appointment",
            "valid_from": "2025-01-01",
        },
    )
    assert r.status_code == 201, r.text
    alerts = client.get(
        "/api/v1/alerts", params={"status": "open"}, headers=w.auth("admin")
    ).json()["items"]
    rules = sorted(a["rule"] for a in alerts if a["person_id"] == str(w.persons["b"].id))
    # the standard's two requirements, and the quarter's missing evaluation
    assert rules == ["missing_evaluation", "party_member", "qualification.political_theory"]
    r = client.post(
        "/api/v1/qualifications",
        headers=w.auth("admin"),
        json={"person_id": str(w.persons["b"].id), "kind": "political_theory", "level": "cao_cap"},
    )
    assert r.status_code == 201
    still = client.get("/api/v1/alerts", params={"status": "open"}, headers=w.auth("admin")).json()[
        "items"
    ]
    assert "qualification.political_theory" not in {a["rule"] for a in still}


def test_dry_run_returns_findings_and_writes_nothing(client: TestClient, lab: Lab) -> None:
    post, _ = _setup(lab)
    w = lab.world
    before = lab.session.scalar(sa.select(sa.func.count()).select_from(RecordVersion))
    r = client.post(
        "/api/v1/assignments",
        params={"dry_run": "true"},
        headers=w.auth("admin"),
        json={
            "person_id": str(w.persons["a"].id),
            "position_id": post,
            "kind": "appointment",
            "valid_from": TODAY.isoformat(),
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["dry_run"] is True
    assert {f["rule"] for f in r.json()["findings"]} >= {"qualification.political_theory"}
    assert lab.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
    assert lab.session.scalar(sa.select(sa.func.count()).select_from(RecordVersion)) == before
    # ``dry_run`` is offered only where a resource has one (the OpenAPI document says so)
    spec = client.get("/openapi.json").json()["paths"]["/api/v1/qualifications"]["post"]
    assert "dry_run" not in {p["name"] for p in spec.get("parameters", [])}


def test_waive_bad_input_and_scope(client: TestClient, lab: Lab) -> None:
    post, _ = _setup(lab)
    w = lab.world
    client.post(
        "/api/v1/assignments",
        headers=w.auth("admin"),
        json={
            "person_id": str(w.persons["b"].id),
            "position_id": post,
            "kind": "appointment",
            "valid_from": "2025-01-01",
        },
    )
    alert = lab.session.scalars(sa.select(Alert).where(Alert.rule == "party_member")).one()
    url = f"/api/v1/alerts/{alert.id}"
    r = client.post(
        f"{url}/waive", headers=w.auth("admin"), json={"reason": "", "until": "2030-01-01"}
    )
    assert r.status_code == 422 and r.json()["error"]["issues"][0]["field"] == "body.reason"
    r = client.post(
        f"{url}/waive",
        headers=w.auth("admin"),
        json={"reason": "chờ kết nạp", "until": "2020-01-01"},
    )
    assert r.status_code == 422 and "future" in r.json()["error"]["message"]
    # the post is in the People's Committee office: an officer of a party cell sees nothing
    assert client.get(url, headers=w.auth("officer_a")).status_code == 404
    r = client.post(f"{url}/acknowledge", headers=w.auth("officer_a") | REASON)
    assert r.status_code == 404
    assert client.post(f"{url}/acknowledge", headers=w.auth("auditor") | REASON).status_code == 403
    r = client.post(
        f"{url}/waive",
        headers=w.auth("admin"),
        json={"reason": "chờ kết nạp", "until": (TODAY + dt.timedelta(days=60)).isoformat()},
    )
    assert r.status_code == 200 and r.json()["status"] == "waived"
    r = client.post(f"{url}/comments", headers=w.auth("admin"), json={"text": "Đã nhắc"})
    assert r.status_code == 201
    comments = client.get(f"{url}/comments", headers=w.auth("admin")).json()
    assert comments["next_cursor"] is None
    assert [c["text"] for c in comments["items"]] == ["Đã nhắc"]


def test_unknown_or_contradictory_requirement_is_refused(client: TestClient, lab: Lab) -> None:
    w = lab.world
    for requirements, field in (
        ({"political_theory": {"min_level": "tien_si"}}, "body.requirements"),
        ({"charisma": True}, "body.requirements.charisma"),
        ({"it": {"min_level": "co_ban", "majors": ["cntt"]}}, "body.requirements"),
    ):
        r = client.post(
            "/api/v1/standard-profiles",
            headers=w.auth("admin"),
            json={
                "code": "X",
                "name": "X",
                "effective_from": "2025-01-01",
                "requirements": requirements,
            },
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"]["issues"][0]["field"].startswith(field)


def test_candidates_meet_or_say_what_they_lack(client: TestClient, lab: Lab) -> None:
    post, _ = _setup(lab)
    w = lab.world
    client.post(
        "/api/v1/qualifications",
        headers=w.auth("admin"),
        json={
            "person_id": str(w.persons["a"].id),
            "kind": "political_theory",
            "level": "trung_cap",
        },
    )
    client.post(
        "/api/v1/party-memberships",
        headers=w.auth("admin"),
        json={
            "person_id": str(w.persons["a"].id),
            "party_cell_id": str(w.cell_a.id),
            "admitted_on": "2010-05-19",
            "official_on": "2011-05-19",
            "status": "official",
        },
    )
    r = client.get(f"/api/v1/positions/{post}/candidates", headers=w.auth("admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert str(w.persons["a"].id) in body["meets"]
    near = {n["person_id"]: {x["rule"] for x in n["lacks"]} for n in body["near_misses"]}
    assert near[str(w.persons["b"].id)] == {"party_member", "qualification.political_theory"}


def test_alert_reads_over_the_api_are_on_the_audit_log(client: TestClient, lab: Lab) -> None:
    post, _ = _setup(lab)
    lab.appoint(lab.world.persons["b"], lab.session.get_one(Position, uuid.UUID(post)), TODAY)
    run_full(lab.session)
    lab.session.commit()
    w = lab.world
    items = client.get("/api/v1/alerts", headers=w.auth("auditor")).json()["items"]
    assert items
    listed = lab.session.scalars(
        sa.select(AuditEvent.object_id).where(AuditEvent.action == "alerts.list")
    ).all()
    assert sorted(listed) == sorted(a["id"] for a in items)
    one = items[0]["id"]
    assert client.get(f"/api/v1/alerts/{one}", headers=w.auth("auditor")).status_code == 200
    read = lab.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "alerts.read")
    ).one()
    assert (read.object_id, read.role) == (one, "auditor")
