"""An evaluation capped by a discipline tells of it: the caps applied and the band before them
are closed as a discipline is (masked for service tokens and auditors without a purpose),
and the file's ETag does not move for them when a sanction is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import API, changing, issue_fields, post, send
from tests.factories import World

CAPS = ("applied_rules", "derived_classification")
PURPOSE = {"X-Purpose": "thanh-tra-ho-so-2026"}


def _discipline(client: TestClient, world: World, on: str = "2025-03-01") -> None:
    post(
        client,
        world,
        "officer_a",
        "disciplines",
        {
            "person_id": str(world.persons["a"].id),
            "authority": "party",
            "form": "reprimand",
            "decided_on": on,
            "effective_from": on,
        },
    )


def _capped(client: TestClient, world: World) -> dict[str, Any]:
    _discipline(client, world)
    body = {
        "person_id": str(world.persons["a"].id),
        "period": "2025",
        "general_points": 30,
        "task_points": 65,
    }
    return post(client, world, "officer_a", "evaluations", body)


def _answers(
    client: TestClient, world: World, eid: str, headers: dict[str, str]
) -> list[dict[str, Any]]:
    pid = str(world.persons["a"].id)
    one = client.get(f"{API}/evaluations/{eid}", headers=headers)
    many = client.get(f"{API}/evaluations", params={"person_id": pid}, headers=headers)
    file = client.get(f"{API}/persons/{pid}", headers=headers)
    for r in (one, many, file):
        assert r.status_code == 200, r.text
    listed = [e for e in many.json()["items"] if e["id"] == eid]
    filed = [e for e in file.json()["evaluations"] if e["id"] == eid]
    assert len(listed) == 1 and len(filed) == 1
    return [one.json(), listed[0], filed[0]]


@pytest.mark.parametrize("who", ["service", "auditor"])
def test_the_caps_of_an_evaluation_are_masked_for_who_may_not_see_disciplines(
    client: TestClient, world: World, who: str
) -> None:
    created = _capped(client, world)
    assert created["applied_rules"] == ["discipline-reprimand-or-warning-in-year"]
    for answer in _answers(client, world, created["id"], world.auth(who)):
        assert all(answer[name] is None for name in CAPS), answer
        assert set(CAPS) <= set(answer["masked_fields"]), answer
        assert answer["classification"] == "HT"
        assert "reprimand" not in str(answer)


@pytest.mark.parametrize("who", ["admin", "officer_a", "auditor+purpose"])
def test_the_caps_are_shown_to_who_may_see_disciplines(
    client: TestClient, world: World, who: str
) -> None:
    created = _capped(client, world)
    headers = world.auth("auditor") | PURPOSE if who == "auditor+purpose" else world.auth(who)
    for answer in _answers(client, world, created["id"], headers):
        assert answer["applied_rules"] == ["discipline-reprimand-or-warning-in-year"]
        assert answer["derived_classification"] == "HTXS"
        assert answer["masked_fields"] == []


def test_the_answer_of_a_write_is_masked_too(client: TestClient, world: World) -> None:
    _discipline(client, world)
    body = {
        "person_id": str(world.persons["a"].id),
        "period": "2025",
        "general_points": 30,
        "task_points": 65,
    }
    r = send(client, world, "evaluations", body, who="service")
    assert r.status_code == 201, r.text
    assert r.json()["applied_rules"] is None and r.json()["derived_classification"] is None
    assert set(CAPS) <= set(r.json()["masked_fields"])
    r = client.patch(
        f"{API}/evaluations/{r.json()['id']}",
        json={"task_points": 66},
        headers=changing(world, "service", r.headers["etag"]),
    )
    assert r.status_code == 200, r.text
    assert r.json()["applied_rules"] is None and set(CAPS) <= set(r.json()["masked_fields"])


def test_the_refused_override_names_no_discipline_to_who_may_not_see_it(
    client: TestClient, world: World
) -> None:
    _discipline(client, world)
    body = {
        "person_id": str(world.persons["a"].id),
        "period": "2025",
        "general_points": 30,
        "task_points": 65,
        "override_classification": "HTXS",
        "override_reason": "xin nâng",
    }
    hidden = send(client, world, "evaluations", body, who="service")
    assert hidden.status_code == 422 and "body.override_classification" in issue_fields(hidden)
    assert "disciplin" not in hidden.text
    shown = send(client, world, "evaluations", body, who="officer_a")
    assert shown.status_code == 422 and "disciplined in 2025" in shown.text


def _etag(client: TestClient, world: World, headers: dict[str, str]) -> str:
    r = client.get(f"{API}/persons/{world.persons['a'].id}", headers=headers)
    assert r.status_code == 200, r.text
    return str(r.headers["etag"])


def test_the_file_etag_does_not_tell_a_service_token_of_a_new_sanction(
    client: TestClient, world: World
) -> None:
    callers = {
        "service": world.auth("service"),
        "auditor": world.auth("auditor"),
        "admin": world.auth("admin"),
        "auditor+purpose": world.auth("auditor") | PURPOSE,
    }
    before = {who: _etag(client, world, h) for who, h in callers.items()}
    _discipline(client, world)
    after = {who: _etag(client, world, h) for who, h in callers.items()}
    assert after["service"] == before["service"]
    assert after["auditor"] == before["auditor"]
    assert after["admin"] != before["admin"]
    assert after["auditor+purpose"] != before["auditor+purpose"]
    # What they may see still moves it.
    r = client.post(
        f"{API}/qualifications",
        json={"person_id": str(world.persons["a"].id), "kind": "it", "level": "co_ban"},
        headers=world.auth("officer_a"),
    )
    assert r.status_code == 201, r.text
    assert _etag(client, world, callers["service"]) != after["service"]


def test_if_match_compares_with_the_etag_of_the_same_principal(
    client: TestClient, world: World
) -> None:
    _discipline(client, world)
    pid = world.persons["a"].id
    service_tag = _etag(client, world, world.auth("service"))
    admin_tag = _etag(client, world, world.auth("admin"))
    assert service_tag != admin_tag
    stale = client.patch(
        f"{API}/persons/{pid}",
        json={"other_names": "Hà"},
        headers=changing(world, "admin", service_tag),
    )
    assert stale.status_code == 412, stale.text
    r = client.patch(
        f"{API}/persons/{pid}",
        json={"other_names": "Hà"},
        headers=changing(world, "service", service_tag),
    )
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == _etag(client, world, world.auth("service"))
