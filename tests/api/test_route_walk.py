"""Walk every route of the OpenAPI document with every role.

Records of every kind are created under party cell B; then officer A, the auditor, strangers
and the others call every operation on them. A new route is walked automatically; a new write
route fails ``test_every_route_is_handled`` until the walk knows a body for it.
"""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.helpers import (
    API,
    ERROR_KEYS,
    assert_error,
    counts,
    records_of_every_kind,
    unrouted_records,
)
from tests.api.route_catalog import (
    BODIES,
    GLOBAL,
    INTEGER_IDS,
    PARAM_RESOURCE,
    PUBLIC,
    QUERY_VALUES,
    ROLE_ONLY,
    UPLOAD,
    Ids,
    api_ops,
    expected_for,
    operations,
    request,
    unknown_ids,
)
from tests.factories import World


@pytest.fixture
def other(client: TestClient, world: World, session: Session) -> Ids:
    """Records of every kind belonging to party cell B, created by B's officer; the records
    no route creates (sync conflicts, outbox items, alerts) are written directly."""
    cell, person = str(world.cell_b.id), world.persons["b"].id
    ids = records_of_every_kind(client, world, "officer_b", str(person), cell, 1)
    return ids | {"cell": cell} | unrouted_records(session, world.persons["b"], ids["positions"])


def test_every_route_is_handled(client: TestClient) -> None:
    ops = operations(client)
    assert len(ops) > 60
    unhandled = []
    for op in ops:
        if (op.method, op.template) in PUBLIC:
            continue
        if not op.template.startswith(f"{API}/"):
            unhandled.append(f"{op.method} {op.template}: outside {API} and not public")
        for param in op.path_params:
            if param != "obj_id" and param not in PARAM_RESOURCE:
                unhandled.append(f"{op.method} {op.template}: unknown path parameter {param}")
        if op.method == "POST" and (op.method, op.template) not in BODIES:
            unhandled.append(f"{op.method} {op.template}: no request body known to the walk")
        for query in op.required_query:
            if query not in QUERY_VALUES and (op.method, op.template) != UPLOAD:
                unhandled.append(f"{op.method} {op.template}: required query parameter {query}")
        if op.method not in ("GET", "POST", "PATCH", "DELETE"):
            unhandled.append(f"{op.method} {op.template}: method the walk does not classify")
    templates = {(op.method, op.template) for op in ops}
    stale = (set(BODIES) | set(ROLE_ONLY)) - templates
    assert not unhandled, "\n".join(unhandled)
    assert not stale, f"walk knows routes the API no longer has: {stale}"


def test_owner_reads_every_record_it_created(client: TestClient, world: World, other: Ids) -> None:
    """The ids the walk uses exist and are readable in scope: a 404 elsewhere means hidden."""
    for op in api_ops(client):
        if op.is_read and op.path_params and expected_for(op, "officer") != 403:
            r = client.request(**request(op, world, other, world.auth("officer_b")))
            assert r.status_code == 200, (op, r.text)


def test_officer_of_another_cell_gets_404_and_changes_nothing(
    client: TestClient, world: World, other: Ids, session: Session
) -> None:
    """Cell B's records answer officer A exactly like records that do not exist."""
    before = counts(session)
    unknown = unknown_ids(other)
    hidden = {v for k, v in other.items() if k not in GLOBAL and k not in INTEGER_IDS}
    wrong = []
    for op in api_ops(client):
        r = client.request(**request(op, world, other, world.auth("officer_a")))
        expected = expected_for(op, "officer")
        if r.status_code != expected:
            wrong.append(f"{op.method} {op.template} → {r.status_code}, not {expected}")
            continue
        if r.status_code == 200:
            leaked = {i for i in hidden if i in r.text}
            if leaked:
                wrong.append(f"{op.method} {op.template} shows cell B's records {leaked}")
            continue
        assert_error(r, expected)
        if op.path_params and op.resource not in GLOBAL:
            same = client.request(**request(op, world, unknown, world.auth("officer_a")))
            if same.status_code != r.status_code:
                wrong.append(f"{op.method} {op.template}: unknown id → {same.status_code}")
    assert not wrong, "\n".join(wrong)
    assert counts(session) == before


def test_references_into_another_cell_answer_like_unknown_ids(
    client: TestClient, world: World, other: Ids, session: Session
) -> None:
    """Officer A filing records of its own person that point at cell B's unit or post gets
    the answer an unknown id gets: nothing lands in B, and B's ids are not confirmed."""
    own = other | {"persons": str(world.persons["a"].id)}
    unknown = own | {k: str(uuid.uuid4()) for k in ("cell", "positions", "org-units")}
    before = counts(session)
    checked = set()
    for op in api_ops(client):
        build = BODIES.get((op.method, op.template))
        if op.method != "POST" or op.path_params or build is None:
            continue
        into_b, nowhere = build(world, own), build(world, unknown)
        if into_b == nowhere:
            continue
        r_b = client.post(op.template, json=into_b, headers=world.auth("officer_a"))
        r_u = client.post(op.template, json=nowhere, headers=world.auth("officer_a"))
        assert r_b.status_code >= 400, (op.template, r_b.text)
        err_b, err_u = assert_error(r_b, r_u.status_code), r_u.json()["error"]
        assert (err_b["code"], err_b["issues"]) == (err_u["code"], err_u["issues"]), op.template
        checked.add(op.resource)
    assert checked >= {"persons", "org-units", "positions", "party-memberships", "assignments"}
    assert "planning-entries" in checked
    assert counts(session) == before


def test_list_filters_do_not_open_another_cell(
    client: TestClient, world: World, other: Ids
) -> None:
    lists = [op for op in api_ops(client) if op.is_list]
    assert any("org_unit_id" in op.query_params for op in lists)
    for op in lists:
        if "org_unit_id" in op.query_params:
            r = client.get(
                op.template,
                params={"org_unit_id": str(world.cell_b.id)},
                headers=world.auth("officer_a"),
            )
            assert_error(r, 404)
        for param, value in (("person_id", other["persons"]), ("position_id", other["positions"])):
            if param in op.query_params:
                r = client.get(op.template, params={param: value}, headers=world.auth("officer_a"))
                assert r.status_code in (200, 422), (op, r.text)
                if r.status_code == 200:
                    assert r.json()["items"] == [], (op, param)


def test_auditor_reads_everything_and_writes_nothing(
    client: TestClient, world: World, other: Ids, session: Session
) -> None:
    before = counts(session)
    wrong = []
    for op in api_ops(client):
        r = client.request(**request(op, world, other, world.auth("auditor")))
        expected = expected_for(op, "auditor")
        if r.status_code != expected:
            wrong.append(f"{op.method} {op.template} → {r.status_code}, not {expected}")
        elif expected == 403:
            assert_error(r, 403, "forbidden")
        elif op.is_list and op.resource in other and other[op.resource] not in r.text:
            wrong.append(f"{op.method} {op.template} hides {other[op.resource]}")
    assert not wrong, "\n".join(wrong)
    assert counts(session) == before


@pytest.mark.parametrize("authorization", [None, "Bearer cadre_not-a-token", "Basic YTpi", ""])
def test_unauthenticated_gets_401_with_the_error_body(
    client: TestClient, world: World, other: Ids, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    for op in operations(client):
        r = client.request(**request(op, world, other, headers))
        if (op.method, op.template) in PUBLIC:
            assert r.status_code == 200, (op, r.text)
            continue
        err = assert_error(r, 401, "unauthorized")
        assert err["issues"] == [], op


@pytest.mark.parametrize("who", ["admin", "officer_a", "officer_b", "auditor", "service"])
def test_no_route_answers_500(client: TestClient, world: World, other: Ids, who: str) -> None:
    unknown = unknown_ids(other)
    garbage = dict.fromkeys(other, "not-a-uuid")
    for op in operations(client):
        for ids in (other, unknown, garbage):
            r = client.request(**request(op, world, ids, world.auth(who)))
            assert r.status_code < 500, (who, op, r.status_code, r.text)
            if r.status_code >= 400:
                assert set(r.json()["error"]) == ERROR_KEYS
            if op.path_params and ids is unknown:
                role = who.removesuffix("_a").removesuffix("_b")
                closed = role not in ROLE_ONLY.get((op.method, op.template), {role})
                expected = 403 if closed or (role == "auditor" and not op.is_read) else 404
                assert r.status_code == expected, (who, op, r.text)
            if op.path_params and ids is garbage:
                assert r.status_code in (401, 403, 422), (who, op, r.text)
