"""The API's name filter (``GET /persons?q=``) matches as the people page does: each word of
the query starts a word of the name, accent-free; never a piece inside a word."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import API, new_person
from tests.factories import World


def _names(client: TestClient, world: World, q: str) -> list[str]:
    r = client.get(f"{API}/persons", params={"q": q}, headers=world.auth("admin"))
    assert r.status_code == 200, r.text
    return sorted(p["full_name"] for p in r.json()["items"])


def test_a_query_word_starts_a_word_of_the_name(client: TestClient, world: World) -> None:
    for serial, given in ((31, "Hạnh"), (32, "Thành"), (33, "Thanh"), (34, "Hạ")):
        new_person(
            client, world, "admin", world.cell_a.id, serial, family_name="Lê", given_name=given
        )
    assert _names(client, world, "Hạnh") == ["Lê Thị Thu Hạnh"]
    assert _names(client, world, "hanh") == ["Lê Thị Thu Hạnh"]
    assert _names(client, world, "thanh") == ["Lê Thị Thu Thanh", "Lê Thị Thu Thành"]
    assert _names(client, world, "le ha") == ["Lê Thị Thu Hạ", "Lê Thị Thu Hạnh"]  # a start
    assert _names(client, world, "anh") == []  # inside a word: no match
    assert _names(client, world, "%") == []  # no wildcard, no letters: nothing
