"""Small request helpers shared by the API tests, and a set of records of every kind."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.alerts.models import Alert
from registry.dates import utcnow
from registry.history import RecordVersion
from registry.persons.models import Person
from registry.wiring import metadata
from sync.models import Conflict as SyncConflict
from sync.models import OutboxItem
from tests.factories import World, person_payload

API = "/api/v1"
ERROR_KEYS = {"code", "message", "issues", "request_id"}


def post(client: TestClient, world: World, who: str, path: str, body: Any) -> dict[str, Any]:
    r = client.post(f"{API}/{path}", json=body, headers=world.auth(who))
    assert r.status_code == 201, (path, r.status_code, r.text)
    data: dict[str, Any] = r.json()
    return data


def send(
    client: TestClient, world: World, path: str, body: dict[str, Any], who: str = "officer_a"
) -> Any:
    """POST without judging the answer (``post`` insists on 201)."""
    return client.post(f"{API}/{path}", json=body, headers=world.auth(who))


def changing(world: World, who: str, etag: str, reason: str = "correction") -> dict[str, str]:
    """Headers of a change: headers are ASCII, so the reason travels percent-encoded."""
    return world.auth(who) | {"If-Match": etag, "X-Change-Reason": quote(reason)}


def etag(client: TestClient, world: World, path: str, who: str = "admin") -> str:
    r = client.get(f"{API}/{path}", headers=world.auth(who))
    assert r.status_code == 200, r.text
    return r.headers["etag"]


def assert_error(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error body shape, with the request id the response header carries."""
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error"}, body
    err: dict[str, Any] = body["error"]
    assert set(err) == ERROR_KEYS, err
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["issues"], list)
    assert err["request_id"] == r.headers["x-request-id"]
    if code is not None:
        assert err["code"] == code, err
    return err


def issue_fields(r: Any) -> set[str]:
    return {i["field"] for i in r.json()["error"]["issues"]}


def counts(session: Session) -> dict[str, int]:
    """Rows of every registry table and of ``record_versions``, for "a refused request changes
    nothing". The audit log is left out: it may rightly record the refused attempt; so are
    the lookup-quota counters, which count lookups answered, not records."""
    tables = [
        t
        for t in metadata().sorted_tables
        if not t.name.startswith("audit_") and t.name != "lookup_windows"
    ]
    assert RecordVersion.__table__ in tables
    return {
        t.name: int(session.scalar(sa.select(sa.func.count()).select_from(t)) or 0) for t in tables
    }


def records_of_every_kind(
    client: TestClient, world: World, who: str, person_id: str, org_id: str, serial: int
) -> dict[str, str]:
    """One record of each kind for ``person_id`` under ``org_id``, created through the API by
    ``who``; returns resource path → id (``persons`` and ``org-units`` are the sub-unit and
    the person given)."""
    ids: dict[str, str] = {"persons": person_id}
    ids["org-units"] = post(
        client,
        world,
        who,
        "org-units",
        {"code": f"TO-{serial}", "name": "Tổ Đảng số 1", "kind": "party_cell", "parent_id": org_id},
    )["id"]
    ids["positions"] = post(
        client,
        world,
        who,
        "positions",
        {"org_unit_id": org_id, "title": "Phó Bí thư chi bộ", "headcount": 2},
    )["id"]
    ids["standard-profiles"] = post(
        client,
        world,
        "admin",
        "standard-profiles",
        {"code": f"SP-{serial}", "name": "Bí thư chi bộ", "effective_from": "2025-07-01"},
    )["id"]
    bodies: dict[str, dict[str, Any]] = {
        "party-memberships": {
            "party_cell_id": org_id,
            "admitted_on": "2005-05-19",
            "official_on": "2006-05-19",
            "status": "official",
        },
        "assignments": {
            "position_id": ids["positions"],
            "kind": "appointment",
            "valid_from": "2021-01-04",
        },
        "qualifications": {"kind": "political_theory", "level": "trung_cap"},
        "trainings": {"course": "Bồi dưỡng chuyên viên", "valid_from": "2024-03-04"},
        "evaluations": {"period": "2024", "general_points": 27, "task_points": 60},
        "commendations": {"title": "Giấy khen", "decided_on": "2024-12-20"},
        "disciplines": {
            "authority": "party",
            "form": "reprimand",
            "decided_on": "2023-02-10",
            "effective_from": "2023-02-10",
        },
        "planning-entries": {
            "position_id": ids["positions"],
            "term": "2025-2030",
            "decided_on": "2025-10-15",
        },
    }
    for path, body in bodies.items():
        ids[path] = post(client, world, who, path, body | {"person_id": person_id})["id"]
    from tests.api.route_catalog import extra_resources, generic_body

    known = ids | {"cell": org_id}
    for res in extra_resources():  # the generic resources other areas add, one record each
        body = generic_body(res.create, known)
        writer = who if "officer" in res.writable_by else "admin"
        ids[res.path] = post(client, world, writer, res.path, body)["id"]
    r = client.post(
        f"{API}/documents",
        params={"owner_table": "persons", "owner_id": person_id, "filename": "quyet-dinh.pdf"},
        content=b"%PDF-1.4 quyet dinh bo nhiem",
        headers=world.auth(who) | {"Content-Type": "application/pdf"},
    )
    assert r.status_code == 201, r.text
    ids["documents"] = r.json()["id"]
    return ids


def new_person(
    client: TestClient, world: World, who: str, org_id: uuid.UUID, serial: int, **over: Any
) -> dict[str, Any]:
    body = person_payload(org_id, serial, **over)
    return post(client, world, who, "persons", body)


def unrouted_records(session: Session, person: Person, position_id: str) -> dict[str, str]:
    """Records no route creates (sync conflicts, outbox items, alerts), written directly."""
    conflict = SyncConflict(person_id=person.id, system="population", field="phone", reason="x")
    item = OutboxItem(system="civil_service", person_id=person.id, status="dead")
    now = utcnow()
    alert = Alert(
        rule="walk.probe",
        person_id=person.id,
        position_id=uuid.UUID(position_id),
        org_unit_id=person.org_unit_id,
        status="open",
        active_key=f"walk.probe:{person.id}",
        details={},
        since=now.date(),
        first_seen_at=now,
        last_seen_at=now,
    )
    session.add_all([conflict, item, alert])
    session.commit()
    return {
        "sync-conflicts": str(conflict.id),
        "sync-outbox": str(item.id),
        "alerts": str(alert.id),
    }
