"""Party membership over HTTP: dates, the status machine, and transfers between cells."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import API, assert_error, changing, etag, issue_fields, send
from tests.factories import World


def membership(client: TestClient, world: World, **over: Any) -> Any:
    body = {
        "person_id": str(world.persons["a"].id),
        "party_cell_id": str(world.cell_a.id),
        "admitted_on": "2010-05-19",
    }
    return send(client, world, "party-memberships", body | over)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"official_on": "2010-05-18", "status": "official"}, "body.official_on"),
        ({"admitted_on": "2099-01-01"}, "body.admitted_on"),
        ({"admitted_on": "1995-01-01"}, "body.admitted_on"),  # aged 10
        ({"status": "official"}, "body.official_on"),  # official without its date
        ({"card_no": "123456"}, "body.card_no"),  # cards are for official members
    ],
)
def test_bad_membership_dates_are_refused(
    client: TestClient, world: World, over: dict[str, Any], field: str
) -> None:
    r = membership(client, world, **over)
    assert_error(r, 422)
    assert field in issue_fields(r)


def change_status(
    client: TestClient, world: World, mid: str, to: str, on: str, who: str = "officer_a"
) -> Any:
    return client.post(
        f"{API}/party-memberships/{mid}/status",
        json={"to_status": to, "effective_on": on},
        headers=changing(world, who, etag(client, world, f"party-memberships/{mid}")),
    )


def test_status_transitions(client: TestClient, world: World) -> None:
    m = membership(client, world)
    assert m.status_code == 201, m.text
    mid = m.json()["id"]
    r = client.post(
        f"{API}/party-memberships/{mid}/status",
        json={"to_status": "official", "effective_on": "2011-05-19"},
        headers=world.auth("officer_a"),
    )
    assert_error(r, 428)
    assert_error(
        change_status(client, world, mid, "official", "2009-01-01"), 422
    )  # before admission
    ok = change_status(client, world, mid, "official", "2011-05-19")
    assert ok.status_code == 201, ok.text
    assert (ok.json()["from_status"], ok.json()["to_status"]) == ("probationary", "official")
    read = client.get(f"{API}/party-memberships/{mid}", headers=world.auth("officer_a")).json()
    assert (read["status"], read["official_on"]) == ("official", "2011-05-19")
    assert_error(change_status(client, world, mid, "probationary", "2012-01-01"), 409)
    assert_error(change_status(client, world, mid, "official", "2012-01-01"), 409)
    assert change_status(client, world, mid, "left", "2020-01-01").status_code == 201
    for target in ("official", "probationary", "transferred_out", "expelled"):
        assert_error(change_status(client, world, mid, target, "2021-01-01"), 409)
    events = client.get(
        f"{API}/persons/{world.persons['a'].id}", headers=world.auth("officer_a")
    ).json()["party_events"]
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        ("probationary", "official"),
        ("official", "left"),
    ]


def test_transfer_between_cells(client: TestClient, world: World) -> None:
    mid = membership(client, world, official_on="2011-05-19", status="official").json()["id"]
    assert_error(client.get(f"{API}/party-memberships/{mid}", headers=world.auth("officer_b")), 404)

    def transfer(to: object, who: str = "officer_a") -> Any:
        return client.post(
            f"{API}/party-memberships/{mid}/transfers",
            json={"to_cell_id": str(to), "effective_on": "2025-08-01"},
            headers=changing(world, who, etag(client, world, f"party-memberships/{mid}")),
        )

    assert "body.to_cell_id" in issue_fields(transfer(world.cell_a.id))  # already there
    assert "body.to_cell_id" in issue_fields(transfer(world.office.id))  # not a party cell
    r = transfer(world.cell_b.id)
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["from_cell_id"], r.json()["to_cell_id"]) == (
        "transfer",
        str(world.cell_a.id),
        str(world.cell_b.id),
    )
    moved = client.get(f"{API}/party-memberships/{mid}", headers=world.auth("officer_b"))
    assert moved.status_code == 200 and moved.json()["party_cell_id"] == str(world.cell_b.id)
    # The receiving cell keeps the record now, corrections included.
    fix = client.patch(
        f"{API}/party-memberships/{mid}",
        json={"card_no": "09123456"},
        headers=changing(world, "officer_b", moved.headers["etag"]),
    )
    assert fix.status_code == 200, fix.text
    assert (
        change_status(client, world, mid, "transferred_out", "2025-09-01", "officer_b").status_code
        == 201
    )
    assert_error(transfer(world.cell_a.id, "officer_b"), 409)  # no longer a current member
