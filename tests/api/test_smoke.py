from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import World, person_payload


def test_create_read_update_person(client: TestClient, world: World) -> None:
    r = client.post(
        "/api/v1/persons", json=person_payload(world.cell_a.id, 77), headers=world.auth("officer_a")
    )
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = client.get(f"/api/v1/persons/{pid}", headers=world.auth("officer_a"))
    assert r.status_code == 200
    assert r.json()["nid"] == person_payload(world.cell_a.id, 77)["nid"]
    etag = r.headers["etag"]
    r = client.patch(
        f"/api/v1/persons/{pid}",
        json={"other_names": "Hà Thu"},
        headers=world.auth("officer_a") | {"If-Match": etag, "X-Change-Reason": "typo"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["other_names"] == "Hà Thu"
