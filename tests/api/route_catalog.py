"""What the route walk knows of the API: the routes open to all or closed to some roles,
the request bodies and ids it sends, and the answer each role should get."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import (
    API,
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
    # The whole recorded file, signed as it is: refused to auditors without a purpose.
    ("GET", f"{API}/audit/persons/{{person_id}}/export"): {"admin"},
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


# The generic resources other areas add (registry/api/resources_file.py, resources_party.py):
# the walk builds their bodies from their own create models, so a new one needs no entry.
def extra_resources() -> list[Any]:
    from registry.api import resources_file, resources_party

    return [*resources_file.RESOURCES, *resources_party.RESOURCES]


# Ids a body refers to, by field name → the walk's record of that kind ("cell": the cell).
_REFERENCES = {
    "person_id": "persons",
    "position_id": "positions",
    "org_unit_id": "cell",
    "party_cell_id": "cell",
    "committee_id": "cell",
    "to_cell_id": "cell",
    "from_cell_id": "cell",
    "standard_profile_id": "standard-profiles",
}
# Strings for a pattern-bound field without an example: the first that fits is sent.
_PATTERNED = ("2020-2025", "2020-01", "2020-H1", "2020", "01", "a")


def _synthesised(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A value for one JSON-schema property: its example, enum, format or bounds."""
    if "$ref" in schema:
        return _synthesised(defs[schema["$ref"].split("/")[-1]], defs)
    if "anyOf" in schema:
        return _synthesised(next(s for s in schema["anyOf"] if s.get("type") != "null"), defs)
    if "examples" in schema:
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") == "date":
            return "2020-01-01"
        pattern = schema.get("pattern")
        if pattern:
            return next(v for v in _PATTERNED if re.search(pattern, v))
        return "Bản ghi của lượt đi"[: schema.get("maxLength", 60)]
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    return {}


def generic_body(model: Any, ids: Ids) -> dict[str, Any]:
    """A create body for a generic resource: the model's own example when it has one, else
    its required fields synthesised; every referenced id is the walk's record of that kind."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    examples = schema.get("examples") or ([schema["example"]] if "example" in schema else [])
    body = dict(examples[0]) if examples else {}
    for name in schema.get("required", []):
        if name not in body:
            body[name] = _synthesised(schema["properties"][name], defs)
    for name in body:
        if name in _REFERENCES and _REFERENCES[name] in ids:
            body[name] = ids[_REFERENCES[name]]
    return body


def _generic(model: Any) -> Any:
    def body(world: World, ids: Ids) -> dict[str, Any]:
        return generic_body(model, ids)

    return body


def _generic_routes(path: str) -> list[tuple[str, str]]:
    one = f"{API}/{path}/{{obj_id}}"
    many = f"{API}/{path}"
    return [("POST", many), ("GET", many), ("GET", one), ("PATCH", one), ("DELETE", one)]


# Generic resources that no org unit owns (no person or unit column): reference data.
GLOBAL |= {
    r.path
    for r in extra_resources()
    if not {"person_id", "org_unit_id"} & set(r.model.__table__.c.keys())
}
# Generic resources special as a whole: closed, reads and writes, to applications and to
# auditors without a purpose, like party memberships and disciplines.
ROLE_ONLY |= {
    route: ACTORS for r in extra_resources() if r.sensitive for route in _generic_routes(r.path)
}


# Bodies of the POST routes: (method, template) → builder(world, ids), or None for no body.
# PATCH sends ``{}`` and DELETE nothing, so those routes need no entry.
BODIES: dict[tuple[str, str], Any] = (
    {
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
    }
    | {
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
        ("POST", f"{API}/persons/lookup"): lambda w, i: {"numbers": ["031179000002", "12ab"]},
    }
    | {("POST", f"{API}/{r.path}"): _generic(r.create) for r in extra_resources()}
)
# A POST that reads: it answers 200 to whoever may look numbers up (not auditors without
# a purpose), and finds nothing outside the caller's scope.
LOOKUP = ("POST", f"{API}/persons/lookup")
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


def unknown_ids(ids: Ids) -> Ids:
    return {k: "987654321" if k in INTEGER_IDS else str(uuid.uuid4()) for k in ids}


def api_ops(client: TestClient) -> list[Op]:
    return [op for op in operations(client) if (op.method, op.template) not in PUBLIC]


def expected_for(op: Op, role: str) -> int:
    if role not in ROLE_ONLY.get((op.method, op.template), {role}):
        return 403
    if role == "auditor":
        return 200 if op.is_read else 403
    if op.resource in GLOBAL and role == "officer":
        return 200 if op.is_read else 403
    if (op.method, op.template) == LOOKUP:
        return 403 if role == "auditor" else 200
    if op.method == "POST" and not op.path_params and (op.method, op.template) != UPLOAD:
        # A create found its URL; its body names another unit's records: the body is invalid
        # (422 naming the field), exactly as for ids that do not exist.
        return 422
    return 200 if op.is_list else 404
