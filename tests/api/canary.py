"""A registry whose every sensitive value is a canary, and the oracle that says who may see it.

The canary person lives in party cell A. What is planted is read from the field catalogue:
every field of ``persons`` whose class is special or secret, every field (and the id) of the
kinds that are special as a whole, the documents attached to those records, and the
credentials of users and tokens. A sensitive field the builder does not know how to fill
fails ``build`` loudly with its name, so a newly declared field cannot go unchecked.

The oracle does not ask the implementation anything: it knows the roles from the README
("API rules", "Review pages") and the classes from the catalogue.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.access.models import ApiToken
from registry.access.service import create_token
from registry.catalogue import KINDS, Sensitivity, kind, sensitive_fields, sensitive_tables
from registry.codes import ethnic_groups, religions
from registry.crypto import FieldCipher
from registry.dates import utcnow
from registry.persons.models import Person
from registry.users.models import User
from registry.users.service import create_user
from sync.models import Conflict
from sync.quarantine import quarantine
from tests.api.helpers import API
from tests.factories import World, nid_for

# How a canary is recognised in an answer:
# - "text": the value is unique, found as a substring anywhere (bodies, headers, files);
# - "value": the value is a distinctive date or code, found as a whole JSON string or as the
#   whole text of an HTML/XML element;
# - "keyed": the value is common (a status, a cell id that is public elsewhere), found only
#   next to its field name (``"status": "official"``, or ``{"field": "status", "new": …}``),
#   or as the whole text of an HTML/XML element.
Mode = Literal["text", "value", "keyed"]
# Who may receive a canary: "sensitive" needs scope and the right to see sensitive data,
# "personal" needs scope, "never" is a credential no answer may carry.
Need = Literal["sensitive", "personal", "never"]

PASSWORD = "mật khẩu canary đủ dài 2026"
PURPOSE = "Thanh tra hồ sơ cán bộ năm 2026 — kiểm tra kỷ luật"


@dataclass(frozen=True)
class Canary:
    value: str
    what: str  # "disciplines.reason_text", "persons.nid", "documents(disciplines).content"
    need: Need
    mode: Mode = "text"
    shown: bool = True  # some route shows it to a caller allowed to see it

    @property
    def field(self) -> str:
        return self.what.split(".")[-1].split("(")[0]


@dataclass(frozen=True)
class Access:
    """What a caller may receive of the canary person, by the README's rules."""

    in_scope: bool
    sees_sensitive: bool

    def forbids(self, c: Canary) -> bool:
        if c.need == "never":
            return True
        if not self.in_scope:
            return True
        return c.need == "sensitive" and not self.sees_sensitive


# API callers: name → (token key in World.tokens, X-Purpose header or None, access).
API_PRINCIPALS: dict[str, tuple[str, str | None, Access]] = {
    "admin": ("admin", None, Access(True, True)),
    "admin_elsewhere": ("admin_ubnd", None, Access(False, True)),
    "officer_in_scope": ("officer_a", None, Access(True, True)),
    "officer_out_of_scope": ("officer_b", None, Access(False, True)),
    "auditor_with_purpose": ("auditor", quote(PURPOSE), Access(True, True)),
    "auditor_without_purpose": ("auditor", None, Access(True, False)),
    "service": ("service", None, Access(True, False)),
}
# Page users: name → (username, ?purpose= or None, access). Service tokens have no pages.
PAGE_PRINCIPALS: dict[str, tuple[str, str | None, Access]] = {
    "user_admin": ("canary.admin", None, Access(True, True)),
    "user_admin_elsewhere": ("canary.admin.ubnd", None, Access(False, True)),
    "user_officer_in_scope": ("canary.officer.a", None, Access(True, True)),
    "user_officer_out_of_scope": ("canary.officer.b", None, Access(False, True)),
    "user_auditor_with_purpose": ("canary.auditor", PURPOSE, Access(True, True)),
    "user_auditor_without_purpose": ("canary.auditor", None, Access(True, False)),
}


def _digits(n: int) -> str:
    return "".join(secrets.choice("123456789") for _ in range(n))


# Values of the sensitive fields of a person, by field. A sensitive field of ``persons`` the
# catalogue declares and this table lacks makes ``person_body`` fail with its name.
# (wire value, mode, extra canaries such as the code's label)
def person_planters(tag: str) -> dict[str, tuple[str, Mode, tuple[str, ...]]]:
    # Codes no other person of the world has; their labels are unique words as well.
    eth, rel = "53", "14"
    return {
        "nid": (nid_for(1988, "F", int(_digits(6)), prefix="001"), "text", ()),
        "cmnd": (_digits(9), "text", ()),
        "ethnicity_code": (eth, "keyed", (ethnic_groups()[eth],)),
        "religion_code": (rel, "keyed", (religions()[rel],)),
        "phone": ("09" + _digits(8), "text", ()),
        "email": (f"khue.{tag}@phuong-lechan.vn", "text", ()),
        "social_insurance_no": (_digits(10), "text", ()),
    }


# Values of the kinds that are special as a whole, by (table, field): what the create body
# or the party actions send. Fields the registry fills itself (the event's kind, from/to)
# are listed with None: they are read back from the answer.
def record_planters(tag: str, cells: tuple[str, str]) -> dict[tuple[str, str], Any]:
    return {
        ("disciplines", "authority"): "state",
        ("disciplines", "form"): "demotion",
        ("disciplines", "decided_on"): "2025-03-13",
        ("disciplines", "effective_from"): "2025-03-14",
        ("disciplines", "effective_to"): "2031-03-17",
        ("disciplines", "decision_no"): f"07-QĐ/UBKT-{tag}",
        ("disciplines", "reason_text"): f"Vi phạm quy chế làm việc (canary {tag})",
        ("party_memberships", "party_cell_id"): cells[0],
        ("party_memberships", "admitted_on"): "2008-08-27",
        ("party_memberships", "official_on"): None,  # set by the status change
        ("party_memberships", "card_no"): f"TD{tag[:8]}",
        ("party_memberships", "party_cv_no"): f"CV-{tag[8:16]}",
        ("party_memberships", "status"): "probationary",
        ("party_events", "membership_id"): None,
        ("party_events", "kind"): None,
        ("party_events", "from_status"): None,
        ("party_events", "to_status"): "official",
        ("party_events", "from_cell_id"): None,
        ("party_events", "to_cell_id"): cells[1],
        ("party_events", "effective_on"): "2009-08-26",  # the status change
        ("party_events", "decision_no"): f"125-QĐ/ĐU-{tag}",
        **party_record_planters(tag, cells),
        **file_record_planters(tag),
    }


def file_record_planters(tag: str) -> dict[tuple[str, str], Any]:
    """The special parts of the rest of the file: a health record (special as a whole) and a
    relative's party status (special as a field; the relation itself is personal)."""
    n = int(_digits(4))
    return {
        ("health_records", "examined_on"): "2011-05-17",
        ("health_records", "status"): "loai_3",
        ("health_records", "height_cm"): 150 + n % 40,
        ("health_records", "weight_kg"): f"{45 + n % 30}.7",
        ("health_records", "notes"): f"Theo dõi huyết áp {tag}",
        ("family_relations", "side"): "own",
        ("family_relations", "relation"): "father",
        ("family_relations", "full_name"): f"Lò Văn Canary {tag[:4]}",
        ("family_relations", "party_status"): "member",
    }


# Paths of the file records planted by ``file_record_planters``.
FILE_RECORD_PATHS = {"health_records": "health-records", "family_relations": "family-relations"}


def party_record_planters(tag: str, cells: tuple[str, str]) -> dict[tuple[str, str], Any]:
    """The party records beyond membership: committee seat, probation, transfer, dues,
    register reconciliation (membership_id of the probation is filled by the registry)."""
    n = int(_digits(5))
    return {
        ("party_committee_memberships", "committee_id"): cells[0],
        ("party_committee_memberships", "level"): "dang_bo_bo_phan",
        ("party_committee_memberships", "role"): "uy_vien_thuong_vu",
        ("party_committee_memberships", "standing_committee"): True,
        ("party_committee_memberships", "term"): "2020-2025",
        ("party_committee_memberships", "area_of_responsibility"): f"Phụ trách tổ chức {tag}",
        ("party_committee_memberships", "valid_from"): "2020-09-17",
        ("party_committee_memberships", "valid_to"): "2025-09-16",
        ("party_committee_memberships", "decision_no"): f"31-QĐ/ĐU-{tag}",
        ("party_probations", "membership_id"): None,
        ("party_probations", "started_on"): "2008-08-27",
        ("party_probations", "outcome"): "official",
        ("party_probations", "decided_on"): "2009-08-26",
        ("party_probations", "decision_no"): f"126-QĐ/ĐU-{tag}",
        ("party_transfers", "direction"): "out",
        ("party_transfers", "from_cell_id"): cells[0],
        ("party_transfers", "from_organisation"): f"Chi bộ khu dân cư {tag}",
        ("party_transfers", "to_cell_id"): cells[1],
        ("party_transfers", "to_organisation"): f"Tổ đảng nhận {tag}",
        ("party_transfers", "decided_on"): "2013-03-14",
        ("party_transfers", "letter_issued_on"): "2013-03-21",
        ("party_transfers", "presented_on"): "2013-04-09",
        ("party_transfers", "decision_no"): f"89-QĐ/ĐU-{tag}",
        ("party_dues_payments", "month"): "2012-07",
        ("party_dues_payments", "amount_vnd"): 40000 + n % 9999,
        ("party_dues_payments", "paid_on"): "2012-07-23",
        ("party_dues_payments", "exempt_reason"): f"Giảm theo quy định {tag}",
        ("party_register_reconciliations", "org_unit_id"): cells[1],
        ("party_register_reconciliations", "period"): "2013-H1",
        ("party_register_reconciliations", "reconciled_on"): "2013-06-26",
        ("party_register_reconciliations", "members_in_register"): 10000 + n % 89999,
        ("party_register_reconciliations", "members_in_files"): 10000 + (n * 7) % 89999,
        ("party_register_reconciliations", "discrepancies"): f"Chênh lệch {tag}",
    }


# Paths of the party records planted by ``party_record_planters`` (a cell's reconciliation
# carries no person).
PARTY_RECORD_PATHS = {
    "party_committee_memberships": "party-committee-memberships",
    "party_probations": "party-probations",
    "party_transfers": "party-transfers",
    "party_dues_payments": "party-dues-payments",
    "party_register_reconciliations": "party-register-reconciliations",
}


TRANSFER_ON = "2013-04-11"
# Set by a correction once the member is official (cards are issued only to official members).
AFTER_OFFICIAL = ("card_no",)
# Values that are common words or public ids: only recognised beside their field name.
# A discipline's form is one of six words every rule's configuration lists: keyed as well.
KEYED = {
    "authority",
    "form",
    "status",
    "kind",
    "from_status",
    "to_status",
    "level",
    "role",
    "standing_committee",
    "outcome",
    "direction",
    "period",
    "month",
    "term",
    "party_status",
    # Numbers: only recognised beside their field name.
    "height_cm",
    "weight_kg",
    "amount_vnd",
    "members_in_register",
    "members_in_files",
}
CELL_FIELDS = {"party_cell_id", "from_cell_id", "to_cell_id", "committee_id", "org_unit_id"}


@dataclass
class CanaryRegistry:
    person_id: str
    unit_id: str
    canaries: list[Canary] = field(repr=False)
    ids: dict[str, list[str]]  # path parameter or resource → ids to fill it with
    built_from: str  # instants bracketing the build (RFC 3339)
    built_to: str
    tag: str
    nid: str
    tokens: dict[str, str] = field(default_factory=dict)


def _post(client: TestClient, world: World, who: str, path: str, body: Any, **kw: Any) -> Any:
    r = client.post(f"{API}/{path}", json=body, headers=world.auth(who) | kw.pop("headers", {}))
    assert r.status_code == 201, (path, r.status_code, r.text)
    return r.json()


def _get(client: TestClient, world: World, path: str) -> Any:
    r = client.get(f"{API}/{path}", headers=world.auth("admin"))
    assert r.status_code == 200, (path, r.text)
    return r


def person_body(world: World, tag: str) -> tuple[dict[str, Any], list[Canary]]:
    planters = person_planters(tag)
    body: dict[str, Any] = {
        "org_unit_id": str(world.cell_a.id),
        "family_name": "Lò",
        "middle_name": "Thị Ngọc",
        "given_name": "Khuê",
        "other_names": f"Khuê-{tag[:6]}",
        "birth_date": "1988-07-21",
        "sex": "F",
    }
    extra: list[Canary] = []
    missing = []
    for name in sensitive_fields("persons"):
        if name not in planters:
            missing.append(f"persons.{name}")
            continue
        value, _, labels = planters[name]
        body[name] = value
        # The pages may one day show the code's name: it must not reach those who may not
        # see the code (nobody is required to receive it).
        extra += [
            Canary(label, f"persons.{name}(label)", "sensitive", shown=False) for label in labels
        ]
    assert not missing, f"the canary test does not know how to plant {missing}: teach it"
    return body, extra


def _canaries_of_record(
    table: str, record: dict[str, Any], sent: dict[tuple[str, str], Any]
) -> list[Canary]:
    """One canary per sensitive field of ``record`` (as the API read it back) and its id."""
    k = kind(table)
    assert k is not None
    # A record special as a whole is a closed fact by its id; one with a special field is not.
    need = "sensitive" if k.sensitivity >= Sensitivity.SPECIAL else "personal"
    out = [Canary(str(record["id"]), f"{table}.id", need)]
    for name in sensitive_fields(table):
        if (table, name) not in sent:
            raise AssertionError(f"the canary test does not know how to plant {table}.{name}")
        value = record.get(name)
        assert value not in (None, ""), f"{table}.{name} was not planted (read back {value!r})"
        out.append(Canary(str(value), f"{table}.{name}", "sensitive", _mode(name, str(value))))
    return out


def _mode(name: str, value: str) -> Mode:
    if name in KEYED or name in CELL_FIELDS:
        return "keyed"
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[a-z_]+", value):
        return "value"  # a distinctive date or code word
    return "text"  # an id or a tagged free text


def _upload(
    client: TestClient, world: World, owner_table: str, owner_id: str, filename: str, body: bytes
) -> Any:
    return client.post(
        f"{API}/documents",
        params={"owner_table": owner_table, "owner_id": owner_id, "filename": filename},
        content=body,
        headers=world.auth("officer_a") | {"Content-Type": "application/pdf"},
    )


def _document(
    client: TestClient, world: World, owner_table: str, owner_id: str, tag: str, need: Need
) -> tuple[str | None, list[Canary]]:
    filename = f"quyet-dinh-{owner_table}-{tag[:10]}.pdf"
    content = f"%PDF-1.4 canary noi dung {owner_table} {tag}".encode()
    r = _upload(client, world, owner_table, owner_id, filename, content)
    if r.status_code == 422 and "query.owner_table" in r.text:
        return None, []  # the registry attaches no documents to this kind
    assert r.status_code == 201, (owner_table, r.text)
    doc = r.json()
    what = f"documents({owner_table})"
    return doc["id"], [
        Canary(doc["id"], f"{what}.id", need),
        Canary(filename, f"{what}.filename", need),
        Canary(doc["sha256"], f"{what}.sha256", need),
        # README: "A document's content is likewise refused to them" — whatever it is attached to.
        Canary(content.decode(), f"{what}.content", "sensitive"),
    ]


def build(
    client: TestClient, world: World, session: Session, cipher: FieldCipher
) -> CanaryRegistry:
    """The canary person of party cell A and every record of theirs, through the API."""
    tag = secrets.token_hex(10)
    built_from = utcnow().isoformat()
    ids: dict[str, list[str]] = {}
    canaries: list[Canary] = []
    cell = str(world.cell_a.id)
    cells = tuple(
        _post(
            client,
            world,
            "officer_a",
            "org-units",
            {"code": f"TO-K{i}", "name": f"Tổ đảng {i}", "kind": "party_cell", "parent_id": cell},
        )["id"]
        for i in (1, 2)
    )
    profile = _post(
        client,
        world,
        "admin",
        "standard-profiles",
        {
            "code": "SP-CANARY",
            "name": "Bí thư chi bộ (canary)",
            "effective_from": "2020-01-01",
            "requirements": {"no_discipline_in_effect": True, "party_member": True},
        },
    )["id"]
    post = _post(
        client,
        world,
        "officer_a",
        "positions",
        {
            "org_unit_id": cell,
            "title": "Bí thư chi bộ khu dân cư",
            "is_leadership": True,
            "headcount": 1,
            "standard_profile_id": profile,
        },
    )["id"]
    body, extra = person_body(world, tag)
    person = _post(client, world, "officer_a", "persons", body)
    pid = person["id"]
    canaries += extra
    for name in sensitive_fields("persons"):
        mode = person_planters(tag)[name][1]
        assert person.get(name) == body[name], (name, person.get(name))
        canaries.append(Canary(body[name], f"persons.{name}", "sensitive", mode))
    canaries += [
        Canary(pid, "persons.id", "personal"),
        Canary("Lò Thị Ngọc Khuê", "persons.full_name", "personal"),
        Canary(body["other_names"], "persons.other_names", "personal"),
    ]

    sent = record_planters(tag, cells)  # type: ignore[arg-type]
    for table in sorted(sensitive_tables()):
        for name in sensitive_fields(table):
            if (table, name) not in sent:
                raise AssertionError(f"the canary test does not know how to plant {table}.{name}")

    def body_of(table: str) -> dict[str, Any]:
        return {
            n: v
            for (t, n), v in sent.items()
            if t == table and v is not None and n not in AFTER_OFFICIAL
        } | {"person_id": pid}

    discipline = _post(client, world, "officer_a", "disciplines", body_of("disciplines"))
    membership = _post(
        client, world, "officer_a", "party-memberships", body_of("party_memberships")
    )
    mid = membership["id"]
    tag_of = {"If-Match": "*", "X-Change-Reason": "canary"}
    status_event = _post(
        client,
        world,
        "officer_a",
        f"party-memberships/{mid}/status",
        {
            "to_status": sent[("party_events", "to_status")],
            "effective_on": sent[("party_events", "effective_on")],
            "decision_no": sent[("party_events", "decision_no")],
        },
        headers=tag_of,
    )
    transfer_event = _post(
        client,
        world,
        "officer_a",
        f"party-memberships/{mid}/transfers",
        {
            "to_cell_id": sent[("party_events", "to_cell_id")],
            "effective_on": TRANSFER_ON,
            "decision_no": f"88-QĐ/ĐU-{tag[::-1]}",
        },
        headers=tag_of,
    )
    r = client.patch(
        f"{API}/party-memberships/{mid}",
        json={n: sent[("party_memberships", n)] for n in AFTER_OFFICIAL},
        headers=world.auth("officer_a") | tag_of,
    )
    assert r.status_code == 200, r.text
    membership_now = _get(client, world, f"party-memberships/{mid}").json()
    canaries += _canaries_of_record("disciplines", discipline, sent)
    canaries += _canaries_of_record("party_memberships", membership_now, sent)
    # The membership was probationary: the status it had then is a canary too.
    canaries.append(
        Canary(membership["status"], "party_memberships.status(before)", "sensitive", "keyed")
    )
    # The status change carries the statuses; the transfer the cells: together they plant
    # every field of a party event.
    merged = {k: v if v is not None else transfer_event.get(k) for k, v in status_event.items()}
    canaries += _canaries_of_record("party_events", merged, sent)
    canaries += [
        Canary(transfer_event["id"], "party_events.id", "sensitive"),
        Canary(transfer_event["decision_no"], "party_events.decision_no", "sensitive"),
        Canary(transfer_event["kind"], "party_events.kind", "sensitive", "keyed"),
        Canary(TRANSFER_ON, "party_events.effective_on", "sensitive", "value"),
        Canary(transfer_event["from_cell_id"], "party_events.from_cell_id", "sensitive", "keyed"),
    ]
    ids["disciplines"] = [discipline["id"]]
    ids["party-memberships"] = [mid]
    for table, path in (PARTY_RECORD_PATHS | FILE_RECORD_PATHS).items():
        record_body = body_of(table)
        if table == "party_register_reconciliations":
            record_body.pop("person_id")
        rec = _post(client, world, "officer_a", path, record_body)
        canaries += _canaries_of_record(table, rec, sent)
        ids[path] = [rec["id"]]

    personal = {
        "assignments": {
            "position_id": post,
            "kind": "appointment",
            "valid_from": "2025-06-02",
            "decision_no": f"QĐ-BN-{tag[:12]}",
        },
        "planning-entries": {
            "position_id": post,
            "term": "2025-2030",
            "decided_on": "2025-07-08",
            "decision_no": f"QĐ-QH-{tag[:12]}",
        },
        "qualifications": {
            "kind": "professional",
            "level": "dai_hoc",
            "major": f"Luật hành chính {tag[:8]}",
        },
        "trainings": {"course": f"Bồi dưỡng {tag[:10]}", "valid_from": "2024-03-04"},
        "evaluations": {"period": "2025", "general_points": 27, "task_points": 60},
        "commendations": {
            "title": f"Giấy khen {tag[:10]}",
            "decided_on": "2024-12-20",
            "decision_no": f"KT-{tag[:12]}",
        },
    }
    for path, record_body in personal.items():
        rec = _post(client, world, "officer_a", path, record_body | {"person_id": pid})
        ids[path] = [rec["id"]]
        canaries.append(Canary(rec["id"], f"{path}.id", "personal"))
        canaries += [
            Canary(v, f"{path}.{k}", "personal")
            for k, v in record_body.items()
            if isinstance(v, str) and tag[:8] in v
        ]
        if path == "evaluations":
            # The discipline of 2025 caps the canary's evaluation of 2025: the caps applied
            # and the band before them are made of the discipline (the catalogue's).
            assert rec["applied_rules"] and rec["derived_classification"], rec
            canaries += [
                Canary(r, "evaluations.applied_rules", "sensitive") for r in rec["applied_rules"]
            ]
            canaries.append(
                Canary(
                    rec["derived_classification"],
                    "evaluations.derived_classification",
                    "sensitive",
                    "keyed",
                )
            )

    documents = []
    owners = [("persons", pid, "personal")] + [
        (t, i, "sensitive")
        for t, i in (
            ("disciplines", discipline["id"]),
            ("party_memberships", mid),
            ("party_events", status_event["id"]),
        )
        if t in sensitive_tables()
    ]
    for owner_table, owner_id, need in owners:
        doc_id, found = _document(client, world, owner_table, owner_id, tag, need)  # type: ignore[arg-type]
        if doc_id is not None:
            documents.append(doc_id)
            canaries += found
    ids["documents"] = documents

    r = client.post(
        f"{API}/standards/evaluate",
        headers=world.auth("admin") | {"X-Change-Reason": "canary"},
    )
    assert r.status_code < 300, r.text
    alerts = _get(client, world, "alerts?limit=200").json()["items"]
    ids["alerts"] = [a["id"] for a in alerts if a.get("person_id") == pid]
    assert ids["alerts"], "the canary's post raised no alert: the walk would miss alert routes"
    canaries += [Canary(a, "alerts.id", "personal") for a in ids["alerts"]]

    ids |= {
        "persons": [pid],
        "org-units": [cell],
        "positions": [post],
        "standard-profiles": [profile],
        "cells": list(cells),
        "rule-parameters": [
            _post(
                client,
                world,
                "admin",
                "rule-parameters",
                {
                    "key": "retirement.warning_months",
                    "value": "12",
                    "source": "Cấu hình của phường",
                    "effective_from": "2020-01-01",
                },
            )["id"]
        ],
    }
    # Every other generic resource (the rest of the file, added areas): one record each,
    # from its create model's example, so the walk can fill its ids.
    from tests.api.route_catalog import extra_resources, generic_body

    refs = {"persons": pid, "positions": post, "cell": cells[0], "standard-profiles": profile}
    for res in extra_resources():
        if res.path in ids:
            continue
        rec = _post(client, world, "officer_a", res.path, generic_body(res.create, refs))
        ids[res.path] = [rec["id"]]
    canaries += sync_rows(session, cipher, pid, tag)
    canaries += credentials(session, world)
    check_planted(canaries)
    return CanaryRegistry(
        person_id=pid,
        unit_id=cell,
        canaries=_unique(canaries),
        ids=ids,
        built_from=built_from,
        built_to=utcnow().isoformat(),
        tag=tag,
        nid=body["nid"],
    )


def principals(session: Session, world: World) -> None:
    """The caller the API walk needs beyond the world's: an administrator of another unit."""
    world.tokens["admin_ubnd"] = create_token(
        session, role="admin", org_code="UBND-P1", name="t-admin-ubnd"
    )
    # One account from the start, so a password hash is planted before the walk begins.
    create_user(session, username="canary.admin", password=PASSWORD, role="admin", org_code=None)
    session.commit()


def page_users(session: Session) -> None:
    """A user for each kind of page caller (passwords are slow to hash: only where needed)."""
    for username, role, org in (
        ("canary.admin.ubnd", "admin", "UBND-P1"),
        ("canary.officer.a", "officer", "CB-A"),
        ("canary.officer.b", "officer", "CB-B"),
        ("canary.auditor", "auditor", "DU-P1"),
    ):
        create_user(session, username=username, password=PASSWORD, role=role, org_code=org)
    session.commit()


def credentials(session: Session, world: World) -> list[Canary]:
    """Secret fields of users and tokens (from the catalogue), and the plaintexts: no answer
    may carry any of them, whoever asks."""
    out = [Canary(t, "api_tokens(plaintext)", "never") for t in world.tokens.values()]
    out.append(Canary(PASSWORD, "users(password)", "never"))
    models = {"users": User, "api_tokens": ApiToken}
    for table, model in models.items():
        for name in sensitive_fields(table):
            column = getattr(model, name)
            out += [
                Canary(str(v), f"{table}.{name}", "never")
                for v in session.scalars(sa.select(column))
                if v
            ]
    return out


def sync_rows(session: Session, cipher: FieldCipher, pid: str, tag: str) -> list[Canary]:
    """Rows no route creates: a conflict about the canary's phone and a refused reply that
    names them, written as sync writes them (values encrypted, bound to their row)."""
    conflict_id, remote = uuid.uuid4(), "08" + _digits(8)

    def seal(value: str, column: str) -> bytes:
        return cipher.encrypt(
            json.dumps(value), table="sync_conflicts", column=column, row_id=conflict_id
        )

    local = session.scalar(sa.select(Person).where(Person.id == uuid.UUID(pid)))
    assert local is not None and local.phone_ct is not None
    phone = cipher.decrypt(local.phone_ct, table="persons", column="phone_ct", row_id=local.id)
    session.add(
        Conflict(
            id=conflict_id,
            person_id=uuid.UUID(pid),
            system="population",
            field="phone",
            reason="not_owned",
            local_ct=seal(phone, "local_ct"),
            remote_ct=seal(remote, "remote_ct"),
        )
    )
    note = f"tra loi bi tu choi {tag[::-1][:12]}"
    quarantine(
        session,
        cipher,
        system="population",
        job="population-verify",
        reason="signature does not verify",
        subject=pid,
        payload={"nid": "001188000000", "note": note},
    )
    session.commit()
    return [
        Canary(phone, "sync_conflicts.local", "sensitive"),
        Canary(remote, "sync_conflicts.remote", "sensitive"),
        # No route shows a refused reply: nobody need receive it, nobody may.
        Canary(note, "sync_quarantine.payload", "sensitive", shown=False),
    ]


def check_planted(canaries: list[Canary]) -> None:
    """Every field the catalogue declares special or secret holds a canary: a field declared
    tomorrow fails here until this module plants it."""
    planted = {c.what for c in canaries}
    missing = sorted(
        f"{t}.{f.name}"
        for t, k in KINDS.items()
        for f in k.fields
        if k.sensitivity_of(f.name) >= Sensitivity.SPECIAL and f"{t}.{f.name}" not in planted
    )
    assert not missing, f"the canary test does not know how to plant {missing}: teach it"


def _unique(canaries: Iterable[Canary]) -> list[Canary]:
    seen: dict[tuple[str, str], Canary] = {}
    for c in canaries:
        key = (c.value, c.mode, c.field)
        # The stricter need wins when two fields hold the same value.
        order = {"personal": 0, "sensitive": 1, "never": 2}
        if key not in seen or order[c.need] > order[seen[key].need]:
            seen[key] = c
    return list(seen.values())
