"""The rest of the personnel file over HTTP (form 2C-BNV/2008, Decree 27/2026 data groups):
family relations, personal history, military service, health, socio-political organisations,
salary history, and on the person the card's issue and the social insurance number."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.dates import utcnow
from registry.history import RecordVersion
from registry.persons.models import Person
from tests.api.helpers import (
    API,
    assert_error,
    changing,
    counts,
    issue_fields,
    new_person,
    send,
)
from tests.factories import World

BODIES: dict[str, dict[str, Any]] = {
    "family-relations": {
        "side": "own",
        "relation": "father",
        "full_name": "Nguyễn Văn Bình",
        "birth_year": 1955,
        "occupation": "Hưu trí",
        "party_status": "member",
    },
    "personal-history": {
        "valid_from": "09/2003",
        "valid_to": "06/2007",
        "activity": "Sinh viên khoa Luật",
        "place": "Trường Đại học Luật Hà Nội",
    },
    "military-services": {
        "enlisted_on": "2004-02-15",
        "discharged_on": "2006-02-15",
        "rank": "Thượng sĩ",
        "unit": "Sư đoàn 363",
    },
    "health-records": {
        "examined_on": "2026-03-10",
        "status": "loai_2",
        "height_cm": 160,
        "weight_kg": "52.5",
    },
    "organisation-memberships": {
        "organisation": "cong_doan",
        "role": "Đoàn viên",
        "joined_on": "2008-07-01",
    },
    "salary-history": {
        "valid_from": "2024-07-01",
        "rank_code": "01.003",
        "salary_step": 4,
        "salary_coefficient": "3.33",
        "allowances": [{"kind": "chuc_vu", "coefficient": "0.20"}],
    },
}
SECTIONS = {
    "family-relations": "family_relations",
    "personal-history": "personal_history",
    "military-services": "military_services",
    "health-records": "health_records",
    "organisation-memberships": "organisation_memberships",
    "salary-history": "salary_history",
}


def person_id(world: World) -> str:
    return str(world.persons["a"].id)


def create(client: TestClient, world: World, path: str, **over: Any) -> Any:
    return send(client, world, path, BODIES[path] | {"person_id": person_id(world)} | over)


@pytest.mark.parametrize("path", list(BODIES))
def test_each_section_is_created_read_changed_retired_with_history(
    client: TestClient, world: World, session: Session, path: str
) -> None:
    r = create(client, world, path)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    got = client.get(f"{API}/{path}/{rid}", headers=world.auth("officer_a"))
    assert got.status_code == 200 and got.json()["person_id"] == person_id(world)
    listed = client.get(
        f"{API}/{path}", params={"person_id": person_id(world)}, headers=world.auth("officer_a")
    )
    assert [i["id"] for i in listed.json()["items"]] == [rid]
    # Another cell's officer does not see it at all.
    assert client.get(f"{API}/{path}/{rid}", headers=world.auth("officer_b")).status_code == 404
    # A change needs If-Match and a reason; a stale ETag is 412.
    patch = {"notes": "Đã cập nhật"} if path in ("military-services", "health-records") else {}
    patch = (
        patch
        or {
            "family-relations": {"occupation": "Nông dân"},
            "personal-history": {"place": "Hà Nội"},
            "organisation-memberships": {"role": "Tổ trưởng"},
            "salary-history": {"salary_step": 5},
        }[path]
    )
    url = f"{API}/{path}/{rid}"
    no_match = world.auth("officer_a") | {"X-Change-Reason": "correction"}
    nm = client.patch(url, json=patch, headers=no_match)
    assert nm.status_code == 428, nm.text
    stale = client.patch(url, json=patch, headers=changing(world, "officer_a", '"99"'))
    assert stale.status_code == 412
    changed = client.patch(
        url, json=patch, headers=changing(world, "officer_a", got.headers["etag"])
    )
    assert changed.status_code == 200, changed.text
    for key, value in patch.items():
        assert changed.json()[key] == value
    retired = client.delete(url, headers=changing(world, "officer_a", changed.headers["etag"]))
    assert retired.status_code == 200 and retired.json()["retired_at"] is not None
    versions = session.scalars(
        sa.select(RecordVersion.version).where(
            RecordVersion.table_name == SECTIONS[path],
            RecordVersion.row_id == uuid.UUID(rid),
        )
    ).all()
    assert sorted(versions) == [1, 2, 3]


def test_the_file_has_a_section_per_table_filled_with_its_records(
    client: TestClient, world: World
) -> None:
    ids = {path: create(client, world, path).json()["id"] for path in BODIES}
    r = client.get(f"{API}/persons/{person_id(world)}", headers=world.auth("officer_a"))
    assert r.status_code == 200
    file = r.json()
    for path, section in SECTIONS.items():
        assert [rec["id"] for rec in file[section]] == [ids[path]], section


def test_health_and_a_relatives_party_membership_are_closed_to_applications(
    client: TestClient, world: World
) -> None:
    family = create(client, world, "family-relations").json()
    health = create(client, world, "health-records").json()
    svc = world.auth("service")
    seen = client.get(f"{API}/family-relations/{family['id']}", headers=svc)
    assert seen.status_code == 200
    assert seen.json()["party_status"] is None and "party_status" in seen.json()["masked_fields"]
    assert seen.json()["full_name"] == "Nguyễn Văn Bình"
    assert client.get(f"{API}/health-records/{health['id']}", headers=svc).status_code == 403
    # Auditors without a purpose: masked too; with one, shown.
    aud = world.auth("auditor")
    assert client.get(f"{API}/health-records/{health['id']}", headers=aud).status_code == 403
    shown = client.get(
        f"{API}/health-records/{health['id']}", headers=aud | {"X-Purpose": "kiem-tra"}
    )
    assert shown.status_code == 200 and shown.json()["status"] == "loai_2"
    file = client.get(f"{API}/persons/{person_id(world)}", headers=svc).json()
    assert file["health_records"] == []
    assert [f["party_status"] for f in file["family_relations"]] == [None]


def test_no_one_is_their_own_relative(client: TestClient, world: World, session: Session) -> None:
    before = counts(session)
    r = create(client, world, "family-relations", relative_person_id=person_id(world))
    assert_error(r, 422)
    assert issue_fields(r) == {"body.relative_person_id"}
    in_law = create(client, world, "family-relations", relation="father_in_law")
    assert_error(in_law, 422)
    assert issue_fields(in_law) == {"body.relation"}
    assert counts(session) == before
    # Linking another file of the registry is allowed.
    other = new_person(client, world, "officer_a", world.cell_a.id, 77)["id"]
    linked = create(client, world, "family-relations", relation="spouse", relative_person_id=other)
    assert linked.status_code == 201, linked.text
    assert linked.json()["relative_person_id"] == other


def test_a_military_service_ending_before_it_starts_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    before = counts(session)
    r = create(client, world, "military-services", discharged_on="2003-02-15")
    assert_error(r, 422)
    assert issue_fields(r) == {"body.discharged_on"}
    assert counts(session) == before
    ok = create(client, world, "military-services").json()
    # Changing it into the same shape is refused as well, and changes nothing.
    bad = client.patch(
        f"{API}/military-services/{ok['id']}",
        json={"enlisted_on": "2007-01-01"},
        headers=changing(world, "officer_a", f'"{ok["version"]}"'),
    )
    assert_error(bad, 422)
    again = client.get(f"{API}/military-services/{ok['id']}", headers=world.auth("officer_a"))
    assert again.json()["enlisted_on"] == "2004-02-15"


@pytest.mark.parametrize(
    ("path", "field", "value", "words"),
    [
        ("family-relations", "relation", "cousin", "is not in the list family_relations.relation"),
        ("health-records", "status", "excellent", "is not in the list health_records.status"),
        (
            "organisation-memberships",
            "organisation",
            "hoi_cau_long",
            "is not in the list organisation_memberships.organisation",
        ),
        (
            "salary-history",
            "allowances",
            [{"kind": "xang_xe", "percent": 5}],
            "is not in the list salary_history.allowances",
        ),
        ("personal-history", "valid_from", "31/02/2001", "day is out of range"),
        ("organisation-memberships", "joined_on", "1800-01-01", "1900"),
    ],
)
def test_an_unknown_code_or_impossible_date_is_a_422_naming_field_and_list(
    client: TestClient,
    world: World,
    session: Session,
    path: str,
    field: str,
    value: Any,
    words: str,
) -> None:
    before = counts(session)
    r = create(client, world, path, **{field: value})
    assert_error(r, 422)
    issues = r.json()["error"]["issues"]
    assert any(i["field"].startswith(f"body.{field}") and words in i["reason"] for i in issues), (
        issues
    )
    assert counts(session) == before


def test_a_relatives_name_in_nfd_is_stored_nfc(client: TestClient, world: World) -> None:
    nfd = unicodedata.normalize("NFD", "  Trần   Thị Ngọc  ")
    r = create(client, world, "family-relations", relation="mother", full_name=nfd)
    assert r.status_code == 201, r.text
    assert r.json()["full_name"] == "Trần Thị Ngọc"


def test_the_social_insurance_number_is_encrypted_and_masked(
    client: TestClient, world: World, session: Session
) -> None:
    pid = person_id(world)
    url = f"{API}/persons/{pid}"
    tag = client.get(url, headers=world.auth("officer_a")).headers["etag"]
    body = {
        "social_insurance_no": "0123456789",
        "id_issued_on": "2021-06-01",
        "id_issue_place": "Cục Cảnh sát QLHC về TTXH",
    }
    r = client.patch(url, json=body, headers=changing(world, "officer_a", tag))
    assert r.status_code == 200, r.text
    assert r.json()["social_insurance_no"] == "0123456789"
    stored = session.scalar(
        sa.select(Person.social_insurance_no_ct).where(Person.id == uuid.UUID(pid))
    )
    assert stored is not None and b"0123456789" not in stored
    svc = client.get(url, headers=world.auth("service")).json()
    assert svc["social_insurance_no"] is None and "social_insurance_no" in svc["masked_fields"]
    assert svc["id_issue_place"] == "Cục Cảnh sát QLHC về TTXH"
    tag = client.get(url, headers=world.auth("officer_a")).headers["etag"]
    bad = client.patch(
        url,
        json={"social_insurance_no": "12345"},
        headers=changing(world, "officer_a", tag),
    )
    assert_error(bad, 422)
    assert issue_fields(bad) == {"body.social_insurance_no"}
    future = client.patch(
        url, json={"id_issued_on": "2099-01-01"}, headers=changing(world, "officer_a", tag)
    )
    assert_error(future, 422)
    assert issue_fields(future) == {"body.id_issued_on"}


def test_the_file_as_recorded_at_an_instant_has_the_sections_as_they_were(
    client: TestClient, world: World
) -> None:
    url = f"{API}/persons/{person_id(world)}"
    before = utcnow().isoformat()
    ids = {path: create(client, world, path).json()["id"] for path in BODIES}
    after = utcnow().isoformat()
    then = client.get(url, params={"as_of": before}, headers=world.auth("officer_a"))
    assert then.status_code == 200, then.text
    now = client.get(url, params={"as_of": after}, headers=world.auth("officer_a"))
    assert now.status_code == 200, now.text
    for path, section in SECTIONS.items():
        assert then.json()[section] == [], section
        assert [r["id"] for r in now.json()[section]] == [ids[path]], section
    # Health stays closed to an application in the file as recorded, too.
    svc = client.get(url, params={"as_of": after}, headers=world.auth("service"))
    assert svc.status_code == 403 or svc.json()["health_records"] == []
