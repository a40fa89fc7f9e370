"""The OpenAPI document says what the server does: checked against the document itself and
against the server's answers (schemathesis does the same at scale: tests/contract)."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from registry.api import deps, openapi
from registry.api.resources import RESOURCES
from registry.app import create_app
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from tests.api.helpers import API, assert_error, changing, etag, issue_fields
from tests.api.route_catalog import extra_resources
from tests.factories import World, person_payload

WRITES = {"post", "put", "patch", "delete"}


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()  # type: ignore[no-any-return]


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, item in spec["paths"].items() for m, op in item.items()]


def _param(op: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((p for p in op.get("parameters", []) if p["name"].lower() == name), None)


def test_the_token_is_a_security_scheme_not_a_header_parameter(spec: dict[str, Any]) -> None:
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    secured = 0
    for method, path, op in _operations(spec):
        assert _param(op, "authorization") is None, (method, path)
        if path.startswith(API) and path != f"{API}/audit/public-key":
            assert op.get("security") == [{"bearer": []}], (method, path)
            assert {"401", "403"} <= set(op["responses"]), (method, path)
            assert "WWW-Authenticate" in op["responses"]["401"]["headers"]
            secured += 1
    assert secured > 80


def test_if_match_is_required_where_it_is_taken_and_428_only_there(
    spec: dict[str, Any],
) -> None:
    changes = 0
    for method, path, op in _operations(spec):
        header = _param(op, "if-match")
        statuses = set(op["responses"])
        if header is None:
            assert "428" not in statuses, (method, path)
            if method == "get":  # 412 is a write's: stale If-Match or a concurrent change
                assert "412" not in statuses, (method, path)
            continue
        changes += 1
        assert method != "get" and header["required"] is True, (method, path)
        assert {"412", "428"} <= statuses, (method, path)
    assert changes > 40


def test_change_reason_is_declared_where_read_with_the_enforced_length(
    spec: dict[str, Any],
) -> None:
    for method, path, op in _operations(spec):
        reason, purpose = _param(op, "x-change-reason"), _param(op, "x-purpose")
        if method == "get":
            assert reason is None, path  # reads ignore it
        if _param(op, "if-match") is not None:
            assert reason is not None and reason["required"] is True, (method, path)
        if reason is not None:
            assert reason["schema"]["maxLength"] == deps.REASON_MAX == 500
        if purpose is not None:
            assert purpose["schema"]["maxLength"] == deps.PURPOSE_MAX == 200


@pytest.mark.parametrize(("length", "status"), [(500, 201), (501, 422)])
def test_the_reason_length_the_document_states_is_the_one_enforced(
    client: TestClient, world: World, length: int, status: int
) -> None:
    reason = quote("ệ" * length)  # percent-encoded: far longer than 500 on the wire
    r = client.post(
        f"{API}/persons",
        json=person_payload(world.cell_a.id, 77),
        headers=world.auth("officer_a") | {"X-Change-Reason": reason},
    )
    assert r.status_code == status, r.text
    if status == 422:
        assert issue_fields(r) == {"header.x-change-reason"}


@pytest.mark.parametrize(("length", "status"), [(200, 200), (201, 422)])
def test_the_purpose_length_the_document_states_is_the_one_enforced(
    client: TestClient, world: World, length: int, status: int
) -> None:
    pid = world.persons["a"].id
    headers = world.auth("auditor") | {"X-Purpose": quote("Thanh tra " + "ư" * (length - 10))}
    r = client.get(f"{API}/persons/{pid}", headers=headers)
    assert r.status_code == status, r.text


def test_each_resource_offers_only_its_own_parameters(spec: dict[str, Any]) -> None:
    common = {"cursor", "limit", "include_retired", "org_unit_id"}
    for res in [*RESOURCES, *extra_resources()]:
        listing = spec["paths"][f"{API}/{res.path}"]
        query = {p["name"] for p in listing["get"].get("parameters", []) if p["in"] == "query"}
        columns = set(res.model.__table__.c.keys())
        assert query - common <= columns & {"person_id", "position_id"}, res.path
        create = {p["name"] for p in listing["post"].get("parameters", []) if p["in"] == "query"}
        assert ("dry_run" in create) == (res.path in {"assignments", "planning-entries"})


def test_every_list_of_a_resource_is_one_page_shape(spec: dict[str, Any]) -> None:
    for res in [*RESOURCES, *extra_resources()]:
        answer = spec["paths"][f"{API}/{res.path}"]["get"]["responses"]["200"]
        ref = answer["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        assert set(spec["components"]["schemas"][ref]["properties"]) == {"items", "next_cursor"}


def test_401_names_the_scheme(client: TestClient) -> None:
    r = client.get(f"{API}/persons")
    assert_error(r, 401, "unauthorized")
    assert r.headers["www-authenticate"].startswith("Bearer")
    r = client.get(f"{API}/persons", headers={"Authorization": "Bearer cadre_not-a-token"})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")


def test_a_method_the_path_lacks_is_405_with_allow(client: TestClient, world: World) -> None:
    r = client.delete(f"{API}/persons", headers=world.auth("admin"))
    assert r.status_code == 405 and set(r.headers["allow"].split(", ")) == {"GET", "POST"}
    # /persons/lookup looks like /persons/{person_id}, which has PATCH: still 405 here.
    r = client.patch(f"{API}/persons/lookup", json={}, headers=world.auth("admin"))
    assert r.status_code == 405 and r.headers["allow"] == "POST"


def test_an_unknown_id_in_a_body_is_422_on_the_field(client: TestClient, world: World) -> None:
    r = client.post(
        f"{API}/persons",
        json=person_payload(uuid.uuid4(), 78),
        headers=world.auth("admin"),
    )
    assert_error(r, 422, "invalid")
    assert issue_fields(r) == {"body.org_unit_id"}
    pid = str(world.persons["a"].id)
    r = client.patch(
        f"{API}/persons/{pid}",
        json={"org_unit_id": str(uuid.uuid4())},
        headers=changing(world, "admin", etag(client, world, f"persons/{pid}")),
    )
    assert_error(r, 422, "invalid")
    assert issue_fields(r) == {"body.org_unit_id"}


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("persons/{pid}", {"as_of": "0001-01-01T00:00:00+23:59"}, "query.as_of"),
        ("persons/{pid}", {"as_of": "9999-12-31T23:59:59-23:59"}, "query.as_of"),
        ("persons/{pid}/timeline", {"as_of": "0001-01-01T00:30:00+14:00"}, "query.as_of"),
        ("changes", {"from": "0001-01-01T00:00:00+23:59"}, "query.from"),
        ("changes", {"to": "9999-12-31T23:59:59-23:59"}, "query.to"),
        ("changes", {"to": "0.5"}, "query.to"),
        ("changes", {"cursor": str(2**63)}, "query.cursor"),
        ("standards/findings", {"on": "9999-12-31"}, "query.on"),
        ("standards/findings", {"on": "0"}, "query.on"),
        ("persons", {"cursor": "A" * 23}, "query.cursor"),
    ],
)
def test_values_past_their_range_are_422_naming_the_parameter(
    client: TestClient, world: World, path: str, params: dict[str, str], field: str
) -> None:
    url = f"{API}/" + path.format(pid=world.persons["a"].id)
    r = client.get(url, params=params, headers=world.auth("admin"))
    assert_error(r, 422)
    assert field in issue_fields(r) or any(f.startswith(field) for f in issue_fields(r)), r.text


def test_an_outbox_id_past_int64_is_422(client: TestClient, world: World) -> None:
    r = client.post(
        f"{API}/sync/outbox/{2**63}/replay",
        headers=world.auth("admin") | {"X-Change-Reason": "replay"},
    )
    assert_error(r, 422)


def test_docs_run_only_local_scripts(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    assert "<script>" not in page.text  # no inline script: script-src 'self' holds
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources)
    for source in sources:
        assert source.startswith("/docs/"), source
        got = client.get(source)
        assert got.status_code == 200 and got.content, source
    assert "javascript" in client.get("/docs/init.js").headers["content-type"]


def test_applications_built_alike_share_the_document_and_a_new_route_changes_it(
    settings: Settings, keys: StaticKeyProvider
) -> None:
    """The generated document is kept per set of routes: a second application answers the
    same document as one generated afresh, changing one application's copy leaves the
    others' alone, and an application with one route more gets a document with it."""
    first, second = create_app(settings, keys=keys), create_app(settings, keys=keys)
    assert openapi._fingerprint(first) == openapi._fingerprint(second)
    document = first.openapi()
    assert openapi._fingerprint(second) in openapi._GENERATED  # served without generating
    assert second.openapi() == document == openapi._generate(second)
    document["paths"].clear()
    assert second.openapi()["paths"] and create_app(settings, keys=keys).openapi()["paths"]

    third = create_app(settings, keys=keys)

    @third.get("/api/v1/one-more", response_model=dict[str, str])
    def one_more() -> dict[str, str]:
        return {}

    assert openapi._fingerprint(third) != openapi._fingerprint(second)
    assert "/api/v1/one-more" in third.openapi()["paths"]
    assert "/api/v1/one-more" not in create_app(settings, keys=keys).openapi()["paths"]
