"""The change log passes the read policy: org scope for unit-scoped administrators, closed
kinds withheld (and refused as a filter) for auditors without a purpose, another unit's
history answered 404 like the record itself."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.access.service import create_token
from tests.factories import World, build_world


def _world(session: Session, settings: object, keys: object) -> World:
    world = build_world(session, settings, keys)  # type: ignore[arg-type]
    world.tokens["admin_a"] = create_token(session, role="admin", org_code="CB-A", name="t-adm-a")
    session.commit()
    return world


def test_a_unit_scoped_admin_reads_its_units_history_only(
    client: TestClient, session: Session, settings: object, keys: object
) -> None:
    world = _world(session, settings, keys)
    a, b = str(world.persons["a"].id), str(world.persons["b"].id)
    r = client.get("/api/v1/changes", params={"limit": 200}, headers=world.auth("admin_a"))
    assert r.status_code == 200, r.text
    seen = {c["object_id"] for c in r.json()["items"]}
    assert a in seen and b not in seen
    assert (
        client.get(
            "/api/v1/changes", params={"object": b}, headers=world.auth("admin_a")
        ).status_code
        == 404
    )
    everything = client.get("/api/v1/changes", params={"limit": 200}, headers=world.auth("admin"))
    assert b in {c["object_id"] for c in everything.json()["items"]}


def test_closed_kinds_are_withheld_and_refused_as_a_filter(
    client: TestClient, session: Session, settings: object, keys: object
) -> None:
    world = _world(session, settings, keys)
    body = {
        "person_id": str(world.persons["a"].id),
        "authority": "party",
        "form": "reprimand",
        "decided_on": "2025-03-01",
        "effective_from": "2025-03-01",
        "reason_text": "lý do kỷ luật",
    }
    made = client.post("/api/v1/disciplines", json=body, headers=world.auth("admin"))
    assert made.status_code == 201, made.text
    did = made.json()["id"]
    bare = world.auth("auditor")
    purposed = bare | {"X-Purpose": "thanh tra"}
    r = client.get("/api/v1/changes", params={"limit": 200}, headers=bare)
    assert r.status_code == 200 and "lý do kỷ luật" not in r.text and did not in r.text
    refused = client.get("/api/v1/changes", params={"table": "disciplines"}, headers=bare)
    assert refused.status_code == 403
    assert refused.json()["error"]["issues"][0]["field"] == "query.table"
    assert client.get("/api/v1/changes", params={"object": did}, headers=bare).status_code == 404
    opened = client.get("/api/v1/changes", params={"table": "disciplines"}, headers=purposed)
    assert opened.status_code == 200 and "lý do kỷ luật" in opened.text
