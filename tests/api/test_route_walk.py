"""Walk every route of the OpenAPI document with every role.

Records of every kind are created under party cell B; then officer A, the auditor, strangers
and the others call every operation on them. A new route is walked automatically; a new write
route fails ``test_every_route_is_handled`` until the walk knows a body for it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

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
from tests.factories import World, person_payload

PUBLIC = {
    ("GET", "/health"),
    ("GET", "/ready"),
    # A verification key is meant to be fetched by whoever checks a signed bundle.
    ("GET", f"{API}/audit/public-key"),
    ("GET", "/metrics"),  # Prometheus scrape: aggregates only, no record or id
}
# Registry-wide reference data: no org unit owns it, so there is no existence to hide.
GLOBAL = {"standard-profiles"}
# Routes closed to some roles whatever the record: 403 there says nothing about existence.
READERS, ACTORS = {"admin", "auditor"}, {"admin", "officer"}
ROLE_ONLY = {
    ("GET", f"{API}/changes"): READERS,
    ("GET", f"{API}/audit/persons/{{person_id}}/export"): READERS,
    ("GET", f"{API}/sync/runs"): READERS,
    ("GET", f"{API}/sync/outbox"): READERS,
    ("POST", f"{API}/sync/outbox/{{item_id}}/replay"): {"admin"},
    ("POST", f"{API}/sync/conflicts/{{conflict_id}}/resolve"): ACTORS,
    ("GET", f"{API}/standards/findings"): READERS,
    ("POST", f"{API}/standards/evaluate"): {"admin"},
    ("POST", f"{API}/alerts/{{alert_id}}/acknowledge"): ACTORS,
    ("POST", f"{API}/alerts/{{alert_id}}/waive"): ACTORS,
    ("POST", f"{API}/alerts/{{alert_id}}/assign"): ACTORS,
    ("POST", f"{API}/alerts/{{alert_id}}/comments"): ACTORS,
    # Sensitive personal data: auditors only with X-Purpose (which this walk does not send),
    # service tokens never.
    ("GET", f"{API}/party-memberships"): ACTORS,
    ("GET", f"{API}/party-memberships/{{obj_id}}"): ACTORS,
    ("GET", f"{API}/disciplines"): ACTORS,
    ("GET", f"{API}/disciplines/{{obj_id}}"): ACTORS,
    ("GET", f"{API}/documents/{{document_id}}/content"): ACTORS,
    # ... and writing them answers with the record: closed the same way.
    ("POST", f"{API}/party-memberships"): ACTORS,
    ("PATCH", f"{API}/party-memberships/{{obj_id}}"): ACTORS,
    ("DELETE", f"{API}/party-memberships/{{obj_id}}"): ACTORS,
    ("POST", f"{API}/party-memberships/{{membership_id}}/status"): ACTORS,
    ("POST", f"{API}/party-memberships/{{membership_id}}/transfers"): ACTORS,
    ("POST", f"{API}/disciplines"): ACTORS,
    ("PATCH", f"{API}/disciplines/{{obj_id}}"): ACTORS,
    ("DELETE", f"{API}/disciplines/{{obj_id}}"): ACTORS,
    # Cadre work, not for applications.
    ("GET", f"{API}/alerts"): ACTORS | READERS,
    ("GET", f"{API}/alerts/{{alert_id}}"): ACTORS | READERS,
    ("GET", f"{API}/alerts/{{alert_id}}/comments"): ACTORS | READERS,
    ("GET", f"{API}/positions/{{position_id}}/candidates"): ACTORS | READERS,
}
PARAM_RESOURCE = {
    "person_id": "persons",
    "membership_id": "party-memberships",
    "document_id": "documents",
    "position_id": "positions",
    "conflict_id": "sync-conflicts",
    "item_id": "sync-outbox",
    "alert_id": "alerts",
}
INTEGER_IDS = {"sync-outbox"}
# Values for required query parameters.
QUERY_VALUES = {"on": "2025-06-01"}
Ids = dict[str, str]  # resource path → id, and "cell" → the party cell to file under


def _create(resource: str) -> Any:
    def body(world: World, ids: Ids) -> dict[str, Any]:
        on_person, cell = {"person_id": ids["persons"]}, ids["cell"]
        return {
            "persons": person_payload(cell, 901),
            "org-units": {
                "code": "TO-X",
                "name": "Tổ mới",
                "kind": "party_cell",
                "parent_id": cell,
            },
            "positions": {"org_unit_id": cell, "title": "Ủy viên"},
            "standard-profiles": {"code": "SP-X", "name": "Mới", "effective_from": "2025-07-01"},
            "party-memberships": on_person | {"party_cell_id": cell, "admitted_on": "2010-01-01"},
            "assignments": on_person
            | {"position_id": ids["positions"], "kind": "acting", "valid_from": "2030-01-01"},
            "qualifications": on_person | {"kind": "it", "level": "co_ban"},
            "trainings": on_person | {"course": "Tin học", "valid_from": "2024-01-01"},
            "evaluations": on_person | {"period": "2023", "general_points": 20, "task_points": 50},
            "commendations": on_person | {"title": "Bằng khen", "decided_on": "2024-01-01"},
            "disciplines": on_person
            | {
                "authority": "state",
                "form": "warning",
                "decided_on": "2022-01-01",
                "effective_from": "2022-01-01",
            },
            "planning-entries": on_person
            | {"position_id": ids["positions"], "term": "2030-2035", "decided_on": "2025-01-01"},
        }[resource]

    return body


# Bodies of the POST routes: (method, template) → builder(world, ids), or None for no body.
# PATCH sends ``{}`` and DELETE nothing, so those routes need no entry.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", f"{API}/{r}"): _create(r)
    for r in (
        "persons",
        "org-units",
        "positions",
        "standard-profiles",
        "party-memberships",
        "assignments",
        "qualifications",
        "trainings",
        "evaluations",
        "commendations",
        "disciplines",
        "planning-entries",
    )
} | {
    ("POST", f"{API}/party-memberships/{{membership_id}}/status"): lambda w, i: {
        "to_status": "left",
        "effective_on": "2020-01-01",
    },
    ("POST", f"{API}/party-memberships/{{membership_id}}/transfers"): lambda w, i: {
        "to_cell_id": str(w.cell_a.id),
        "effective_on": "2020-01-01",
    },
    ("POST", f"{API}/sync/conflicts/{{conflict_id}}/resolve"): lambda w, i: {
        "resolution": "keep_local"
    },
    ("POST", f"{API}/sync/outbox/{{item_id}}/replay"): None,  # no body
    ("POST", f"{API}/alerts/{{alert_id}}/acknowledge"): None,
    ("POST", f"{API}/alerts/{{alert_id}}/waive"): lambda w, i: {
        "reason": "Đang học lớp Trung cấp lý luận chính trị",
        "until": "2099-07-01",
    },
    ("POST", f"{API}/alerts/{{alert_id}}/assign"): lambda w, i: {"to": "Ban Xây dựng Đảng"},
    ("POST", f"{API}/alerts/{{alert_id}}/comments"): lambda w, i: {"text": "Đã nhắc đồng chí"},
    ("POST", f"{API}/standards/evaluate"): None,
}
# Raw upload: the owner goes in the query, the content is the body (see ``request``).
UPLOAD = ("POST", f"{API}/documents")
BODIES[UPLOAD] = None


@dataclass(frozen=True)
class Op:
    method: str
    template: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    required_query: tuple[str, ...] = ()

    @property
    def resource(self) -> str:
        return self.template.removeprefix(f"{API}/").split("/")[0]

    @property
    def is_read(self) -> bool:
        return self.method == "GET"

    @property
    def is_list(self) -> bool:
        return self.is_read and not self.path_params

    def id_for(self, param: str, ids: Ids) -> str:
        return ids[self.resource if param == "obj_id" else PARAM_RESOURCE[param]]


def operations(client: TestClient) -> list[Op]:
    spec = client.app.openapi()  # type: ignore[attr-defined]
    ops = []
    for template, item in spec["paths"].items():
        for method, op in item.items():
            params = op.get("parameters", [])
            ops.append(
                Op(
                    method.upper(),
                    template,
                    tuple(p["name"] for p in params if p["in"] == "path"),
                    tuple(p["name"] for p in params if p["in"] == "query"),
                    tuple(p["name"] for p in params if p["in"] == "query" and p.get("required")),
                )
            )
    return ops


def request(op: Op, world: World, ids: Ids, headers: dict[str, str]) -> dict[str, Any]:
    url = op.template
    for param in op.path_params:
        url = url.replace(f"{{{param}}}", op.id_for(param, ids))
    kwargs: dict[str, Any] = {"method": op.method, "url": url, "headers": dict(headers)}
    kwargs["params"] = {q: QUERY_VALUES[q] for q in op.required_query if q in QUERY_VALUES}
    if op.is_read:
        return kwargs
    kwargs["headers"] |= {"If-Match": "*", "X-Change-Reason": "route walk"}
    if (op.method, op.template) == UPLOAD:
        kwargs["params"] = {
            "owner_table": "persons",
            "owner_id": ids["persons"],
            "filename": "a.pdf",
        }
        kwargs["content"] = b"%PDF-1.4 walk"
        kwargs["headers"]["Content-Type"] = "application/pdf"
    elif op.method == "POST" and BODIES[(op.method, op.template)] is not None:
        kwargs["json"] = BODIES[(op.method, op.template)](world, ids)
    elif op.method == "PATCH":
        kwargs["json"] = {}
    return kwargs


@pytest.fixture
def other(client: TestClient, world: World, session: Session) -> Ids:
    """Records of every kind belonging to party cell B, created by B's officer; the records
    no route creates (sync conflicts, outbox items, alerts) are written directly."""
    cell, person = str(world.cell_b.id), world.persons["b"].id
    ids = records_of_every_kind(client, world, "officer_b", str(person), cell, 1)
    return ids | {"cell": cell} | unrouted_records(session, world.persons["b"], ids["positions"])


def unknown_ids(ids: Ids) -> Ids:
    return {k: "987654321" if k in INTEGER_IDS else str(uuid.uuid4()) for k in ids}


def api_ops(client: TestClient) -> list[Op]:
    return [op for op in operations(client) if (op.method, op.template) not in PUBLIC]


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


def expected_for(op: Op, role: str) -> int:
    if role not in ROLE_ONLY.get((op.method, op.template), {role}):
        return 403
    if role == "auditor":
        return 200 if op.is_read else 403
    if op.resource in GLOBAL and role == "officer":
        return 200 if op.is_read else 403
    return 200 if op.is_list else 404


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
