"""The auditors' endpoints over HTTP: as-of, timeline, holders, changes, logging, bundles."""

from __future__ import annotations

import datetime as dt
import json
import time
from urllib.parse import quote

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.audit.bundle import verify_bundle
from registry.audit.models import AuditEvent
from tests.factories import World, build_world


def _world(session: Session, settings: object, keys: object) -> World:
    return build_world(session, settings, keys)  # type: ignore[arg-type]


def _events(session: Session, **where: str) -> list[AuditEvent]:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.seq)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, key) == value)
    return list(session.scalars(stmt))


def _patch(client: TestClient, world: World, pid: str, body: dict[str, str], why: str) -> str:
    etag = client.get(f"/api/v1/persons/{pid}", headers=world.auth("admin")).headers["etag"]
    r = client.patch(
        f"/api/v1/persons/{pid}",
        json=body,
        headers=world.auth("admin") | {"If-Match": etag, "X-Change-Reason": why},
    )
    assert r.status_code == 200, r.text
    return str(r.json()["updated_at"])


def test_file_as_of_shows_what_was_recorded_then(
    client: TestClient, session: Session, settings: object, keys: object
) -> None:
    world = _world(session, settings, keys)
    pid = str(world.persons["a"].id)
    _patch(client, world, pid, {"other_names": "Thu Hà"}, "first correction")
    between = dt.datetime.now(dt.UTC).isoformat()
    time.sleep(0.002)
    _patch(client, world, pid, {"other_names": "Hà Nguyễn"}, "second correction")
    then = client.get(
        f"/api/v1/persons/{pid}", params={"as_of": between}, headers=world.auth("admin")
    )
    assert then.status_code == 200, then.text
    assert then.json()["other_names"] == "Thu Hà"
    assert (
        client.get(f"/api/v1/persons/{pid}", headers=world.auth("admin")).json()["other_names"]
        == "Hà Nguyễn"
    )


def test_as_of_before_creation_is_404_and_malformed_is_422(
    client: TestClient, session: Session, settings: object, keys: object
) -> None:
    world = _world(session, settings, keys)
    pid = str(world.persons["a"].id)
    r = client.get(
        f"/api/v1/persons/{pid}",
        params={"as_of": "2001-01-01T00:00:00Z"},
        headers=world.auth("admin"),
    )
    assert r.status_code == 404
    assert "not yet recorded" in r.json()["error"]["message"]
    for bad in ("yesterday", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00"):
        r = client.get(f"/api/v1/persons/{pid}", params={"as_of": bad}, headers=world.auth("admin"))
        assert r.status_code == 422, bad
        assert r.json()["error"]["issues"][0]["field"] == "query.as_of"


def test_changes_show_old_and_new_with_who_and_why(
    client: TestClient, session: Session, settings: object, keys: object
) -> None:
    world = _world(session, settings, keys)
    pid = str(world.persons["a"].id)
    _patch(client, world, pid, {"other_names": "Thu Hà"}, "typo in the decision")
    r = client.get("/api/v1/changes", params={"object": pid}, headers=world.auth("auditor"))
    assert r.status_code == 200, r.text
    last = r.json()["items"][-1]
    assert last["reason"] == "typo in the decision" and last["op"] == "update"
    assert {"field": "other_names", "old": "", "new": "Thu Hà"} in last["changes"]
    first = r.json()["items"][0]
    nid_change = [c for c in first["changes"] if c["field"] == "nid"]
    # Without a stated purpose the identification number's change is withheld and named ...
    assert nid_change == [{"field": "nid", "old": None, "new": None}]
    assert {"nid", "ethnicity_code", "religion_code"} <= set(first["masked_fields"])
    # ... with one, it is shown as changed (ciphertext is never shown).
    purposed = {**world.auth("auditor"), "X-Purpose": "inspection"}
    r = client.get("/api/v1/changes", params={"object": pid}, headers=purposed)
    first = r.json()["items"][0]
    nid_change = [c for c in first["changes"] if c["field"] == "nid"]
    assert nid_change == [{"field": "nid", "old": None, "new": "[protected]"}]
    assert first["masked_fields"] == []
    assert client.get("/api/v1/changes", headers=world.auth("officer_a")).status_code == 403


def test_holders_on_a_date_and_as_recorded(
    client: TestClient, session: Session, settings: object, keys: object
) -> None:
    world = _world(session, settings, keys)
    pos = str(world.positions["office_clerk"].id)
    body = {
        "person_id": str(world.persons["b"].id),
        "position_id": pos,
        "kind": "appointment",
        "valid_from": "2021-03-01",
        "valid_to": "2024-06-30",
    }
    r = client.post("/api/v1/assignments", json=body, headers=world.auth("admin"))
    assert r.status_code == 201, r.text
    recorded = dt.datetime.now(dt.UTC).isoformat()
    time.sleep(0.002)
    aid = r.json()["id"]
    client.patch(
        f"/api/v1/assignments/{aid}",
        json={"valid_to": "2022-12-31"},
        headers=world.auth("admin")
        | {"If-Match": r.headers["etag"], "X-Change-Reason": "decision corrected"},
    )
    on = {"on": "2023-05-01"}
    now_holders = client.get(
        f"/api/v1/positions/{pos}/holders", params=on, headers=world.auth("auditor")
    ).json()
    then_holders = client.get(
        f"/api/v1/positions/{pos}/holders",
        params=on | {"as_of": recorded},
        headers=world.auth("auditor"),
    ).json()
    assert now_holders == {"items": [], "next_cursor": None}
    assert [h["person_id"] for h in then_holders["items"]] == [str(world.persons["b"].id)]


def test_timeline_is_in_date_order(
    client: TestClient, session: Session, settings: object, keys: object
) -> None:
    world = _world(session, settings, keys)
    pid = str(world.persons["a"].id)
    for kind, level, on in (
        ("political_theory", "trung_cap", "2019-06-30"),
        ("it", "co_ban", "2015-01-10"),
    ):
        r = client.post(
            "/api/v1/qualifications",
            headers=world.auth("admin"),
            json={"person_id": pid, "kind": kind, "level": level, "awarded_on": on},
        )
        assert r.status_code == 201, r.text
    r = client.get(f"/api/v1/persons/{pid}/timeline", headers=world.auth("officer_a"))
    assert r.status_code == 200
    starts = [e["start"] for e in r.json()["items"]]
    assert starts == sorted(starts) and len(starts) == 2


def test_auditor_reads_are_logged_masked_without_purpose(
    client: TestClient, session: Session, settings: object, keys: object
) -> None:
    world = _world(session, settings, keys)
    pid = str(world.persons["a"].id)
    r = client.get(f"/api/v1/persons/{pid}", headers=world.auth("auditor"))
    assert r.status_code == 200 and r.json()["nid"] is None
    r = client.get(
        f"/api/v1/persons/{pid}",
        headers=world.auth("auditor") | {"X-Purpose": quote("Kiểm tra hồ sơ theo QĐ 12-QĐ/UBKT")},
    )
    assert r.json()["nid"] is not None
    reads = _events(session, action="persons.read", object_id=pid)
    assert [e.outcome for e in reads] == ["masked", "ok"]
    assert (
        reads[1].purpose == "Kiểm tra hồ sơ theo QĐ 12-QĐ/UBKT"
        and "nid" in reads[1].fields
        and reads[0].fields == ["file"]
    )


def test_auditor_write_is_refused_and_logged(
    client: TestClient, session: Session, settings: object, keys: object
) -> None:
    world = _world(session, settings, keys)
    r = client.post(
        "/api/v1/qualifications",
        headers=world.auth("auditor"),
        json={"person_id": str(world.persons["a"].id), "kind": "it", "level": "co_ban"},
    )
    assert r.status_code == 403
    denied = _events(session, outcome="denied")
    assert len(denied) == 1 and denied[0].role == "auditor"


def test_writes_are_logged_with_fields_not_values(
    client: TestClient, session: Session, settings: object, keys: object
) -> None:
    world = _world(session, settings, keys)
    pid = str(world.persons["a"].id)
    _patch(client, world, pid, {"phone": "0912345678"}, "new phone")
    ev = _events(session, action="persons.update", object_id=pid)[-1]
    assert "phone_ct" in ev.fields
    blob = json.dumps([ev.fields, ev.action, ev.object_id, ev.purpose])
    assert "0912345678" not in blob


def test_export_bundle_verifies_and_tampering_fails(
    client: TestClient, session: Session, settings: object, keys: object
) -> None:
    world = _world(session, settings, keys)
    pid = str(world.persons["a"].id)
    _patch(client, world, pid, {"other_names": "Thu Hà"}, "correction")
    key = client.get("/api/v1/audit/public-key", headers=world.auth("auditor")).json()
    r = client.get(f"/api/v1/audit/persons/{pid}/export", headers=world.auth("auditor"))
    assert r.status_code == 403, r.text  # the whole file: not without a stated purpose
    purposed = {**world.auth("auditor"), "X-Purpose": "thanh tra"}
    r = client.get(f"/api/v1/audit/persons/{pid}/export", headers=purposed)
    assert r.status_code == 200, r.text
    bundle = r.json()
    assert verify_bundle(bundle, key["public_key"]) == []
    assert len(bundle["bundle"]["versions"]) >= 2 and bundle["bundle"]["events"]
    forged = json.loads(json.dumps(bundle))
    forged["bundle"]["versions"][0]["reason"] = "nothing happened"
    assert "bundle signature does not verify" in verify_bundle(forged, key["public_key"])
    assert (
        client.get(
            f"/api/v1/audit/persons/{pid}/export", headers=world.auth("officer_a")
        ).status_code
        == 403
    )
