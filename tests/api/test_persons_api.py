"""Personnel files over HTTP: validation with field paths, preconditions, search, lookup,
pagination, masking by role, and the whole file in one answer."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry import catalogue
from registry.access.service import create_token
from registry.config import Settings
from schemas.person_file import PersonFile
from tests.api.helpers import (
    API,
    assert_error,
    changing,
    counts,
    etag,
    issue_fields,
    new_person,
    records_of_every_kind,
)
from tests.factories import World, nid_for, person_payload

NFD_NGUYEN = unicodedata.normalize("NFD", "Nguyễn")


def create(client: TestClient, world: World, body: dict[str, Any], who: str = "officer_a") -> Any:
    return client.post(f"{API}/persons", json=body, headers=world.auth(who))


BAD_CREATES = {
    "nid-letters": ({"nid": "03118500123a"}, "body.nid"),
    "nid-short": ({"nid": "03118500123"}, "body.nid"),
    "nid-long": ({"nid": "0311850012345"}, "body.nid"),
    "nid-unknown-province": ({"nid": "003185001234"}, "body.nid"),
    "nid-full-width-digits": ({"nid": "０３１１８５００１２３４"}, "body.nid"),
    "nid-other-birth-year": ({"nid": nid_for(1986, "F", 5)}, "body.nid"),
    "nid-other-sex": ({"nid": nid_for(1985, "M", 5)}, "body.nid"),
    "birth-in-future": ({"nid": None, "birth_date": "2099-01-01"}, "body.birth_date"),
    "birth-year-in-future": ({"nid": None, "birth_date": "2099"}, "body.birth_date"),
    "birth-date-impossible": ({"birth_date": "1985-02-30"}, "body.birth_date"),
    "unknown-ethnicity": ({"ethnicity_code": "77"}, "body.ethnicity_code"),
    "unknown-religion": ({"religion_code": "42"}, "body.religion_code"),
    "family-name-too-long": ({"family_name": "N" * 61}, "body.family_name"),
    "other-names-too-long": ({"other_names": "Hà " * 70}, "body.other_names"),
    "agency-too-long": ({"recruiting_agency": "Ủy ban " * 40}, "body.recruiting_agency"),
    "nul-in-name": ({"given_name": "Hà\x00"}, "body.given_name"),
    "control-in-middle-name": ({"middle_name": "Thị\x1bThu"}, "body.middle_name"),
    "bad-phone": ({"phone": "09x1234567"}, "body.phone"),
    "phone-in-arabic-indic-digits": ({"phone": "٠٩١٢٣٤٥٦٧٨"}, "body.phone"),
    "bad-email": ({"email": "ha at example.vn"}, "body.email"),
    "unknown-field": ({"nickname": "Hà"}, "body.nickname"),
    "death-while-alive": ({"death_date": "2020-01-01"}, "body.death_date"),
}


@pytest.mark.parametrize("case", list(BAD_CREATES))
def test_bad_person_is_refused_with_the_field_and_changes_nothing(
    client: TestClient, world: World, session: Session, case: str
) -> None:
    over, field = BAD_CREATES[case]
    before = counts(session)
    r = create(client, world, person_payload(world.cell_a.id, 5, **over))
    assert_error(r, 422, "invalid")
    assert field in issue_fields(r), r.json()
    assert "031185" not in r.text  # the refused input is never echoed back
    assert counts(session) == before


def test_decomposed_names_are_stored_composed(client: TestClient, world: World) -> None:
    """Names keyed in on a system that sends decomposed letters (NFD) are the same names:
    stored NFC, never refused."""
    r = create(
        client,
        world,
        person_payload(
            world.cell_a.id,
            6,
            family_name=NFD_NGUYEN,
            given_name=unicodedata.normalize("NFD", "Hà"),
        ),
    )
    assert r.status_code == 201, r.text
    assert (r.json()["family_name"], r.json()["given_name"]) == ("Nguyễn", "Hà")


def test_same_payload_with_the_fault_fixed_is_accepted(client: TestClient, world: World) -> None:
    """The bad-input cases above fail for their stated reason, not for the base payload."""
    r = create(client, world, person_payload(world.cell_a.id, 5, phone="0912345678"))
    assert r.status_code == 201, r.text
    assert r.json()["family_name"] == "Nguyễn"
    assert unicodedata.is_normalized("NFC", r.json()["full_name"])


def test_duplicate_nid_conflicts_and_changes_nothing(
    client: TestClient, world: World, session: Session
) -> None:
    taken = person_payload(world.cell_a.id, 1)["nid"]
    before = counts(session)
    r = create(client, world, person_payload(world.cell_a.id, 9, nid=taken))
    assert_error(r, 409, "conflict")
    assert "body.nid" in issue_fields(r)
    # Also when the other holder is outside the caller's cell (officer B, person of cell A).
    r = create(client, world, person_payload(world.cell_b.id, 9, nid=taken), who="officer_b")
    assert_error(r, 409)
    assert counts(session) == before


def test_changing_to_a_taken_nid_conflicts(client: TestClient, world: World) -> None:
    pid = new_person(client, world, "officer_a", world.cell_a.id, 11)["id"]
    tag = etag(client, world, f"persons/{pid}")
    r = client.patch(
        f"{API}/persons/{pid}",
        json={"nid": person_payload(world.cell_a.id, 1)["nid"]},
        headers=changing(world, "officer_a", tag),
    )
    assert_error(r, 409)


def test_preconditions_on_change(client: TestClient, world: World, session: Session) -> None:
    pid = str(world.persons["a"].id)
    tag = etag(client, world, f"persons/{pid}")
    before = counts(session)
    url = f"{API}/persons/{pid}"
    body = {"other_names": "Hà Thu"}
    r = client.patch(url, json=body, headers=world.auth("officer_a") | {"X-Change-Reason": "x"})
    assert_error(r, 428, "precondition_required")
    r = client.patch(url, json=body, headers=changing(world, "officer_a", '"0123456789abcdef"'))
    assert_error(r, 412, "precondition_failed")
    for reason in (None, "   "):
        headers = world.auth("officer_a") | {"If-Match": tag}
        if reason is not None:
            headers["X-Change-Reason"] = reason
        r = client.patch(url, json=body, headers=headers)
        assert_error(r, 422, "invalid")
        assert "header.x-change-reason" in issue_fields(r)
    r = client.patch(url, json={"given_name": "Hà\x00"}, headers=changing(world, "officer_a", tag))
    assert_error(r, 422)
    assert "body.given_name" in issue_fields(r)
    r = client.patch(url, json={"birth_date": "2099"}, headers=changing(world, "officer_a", tag))
    assert_error(r, 422)
    assert counts(session) == before
    r = client.patch(url, json=body, headers=changing(world, "officer_a", tag))
    assert r.status_code == 200, r.text
    assert r.headers["etag"] != tag
    # The ETag that just worked is now stale.
    r = client.patch(url, json={"other_names": ""}, headers=changing(world, "officer_a", tag))
    assert_error(r, 412)


def test_moving_a_person_into_another_cell_answers_like_an_unknown_cell(
    client: TestClient, world: World, session: Session
) -> None:
    pid = str(world.persons["a"].id)
    tag = etag(client, world, f"persons/{pid}")
    before = counts(session)
    answers = []
    for target in (world.cell_b.id, "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69"):
        r = client.patch(
            f"{API}/persons/{pid}",
            json={"org_unit_id": str(target)},
            headers=changing(world, "officer_a", tag),
        )
        # The URL was found; the body names a unit the caller cannot see: 422 on the field.
        answers.append(assert_error(r, 422, "invalid")["issues"])
    assert answers[0] == answers[1] and {i["field"] for i in answers[0]} == {"body.org_unit_id"}
    assert counts(session) == before


def test_file_etag_changes_when_a_section_changes(client: TestClient, world: World) -> None:
    pid = str(world.persons["a"].id)
    tag = etag(client, world, f"persons/{pid}")
    r = client.post(
        f"{API}/qualifications",
        json={"person_id": pid, "kind": "it", "level": "co_ban"},
        headers=world.auth("officer_a"),
    )
    assert r.status_code == 201, r.text
    assert etag(client, world, f"persons/{pid}") != tag
    r = client.patch(
        f"{API}/persons/{pid}", json={"other_names": "Hà"}, headers=changing(world, "admin", tag)
    )
    assert_error(r, 412)


def search(client: TestClient, world: World, q: str, who: str = "admin") -> list[str]:
    r = client.get(f"{API}/persons", params={"q": q}, headers=world.auth(who))
    assert r.status_code == 200, r.text
    return [p["full_name"] for p in r.json()["items"]]


def test_accent_free_search(client: TestClient, world: World) -> None:
    new_person(client, world, "admin", world.cell_a.id, 21, middle_name="Thị", given_name="Hà")
    new_person(client, world, "admin", world.cell_a.id, 22, family_name="Đặng", middle_name="Đình")
    # Every word starts a word of the name: "Nguyễn Thị Thu Hà" has them all too.
    for q in ("nguyen thi ha", "Nguyễn Thị Hà", "NGUYEN  THI   HA", NFD_NGUYEN + " thi ha"):
        assert sorted(search(client, world, q)) == ["Nguyễn Thị Hà", "Nguyễn Thị Thu Hà"], q
    assert search(client, world, "nguyen thi thu") == ["Nguyễn Thị Thu Hà"]
    assert search(client, world, "duc") == ["Trần Văn Đức"]
    assert search(client, world, "Đức") == ["Trần Văn Đức"]
    assert sorted(search(client, world, "dang dinh")) == ["Đặng Đình Hà"]
    assert sorted(search(client, world, "ha")) == [
        "Nguyễn Thị Hà",
        "Nguyễn Thị Thu Hà",
        "Đặng Đình Hà",
    ]
    assert search(client, world, "duc", who="officer_a") == []  # Đức is in cell B
    assert search(client, world, "%") == []  # no wildcard injection
    assert search(client, world, "_") == []
    r = client.get(f"{API}/persons", params={"q": "  "}, headers=world.auth("admin"))
    assert_error(r, 422)
    assert "query.q" in issue_fields(r)


def test_exact_nid_lookup_is_scoped_and_rate_limited(
    client: TestClient, world: World, settings: Settings, session: Session
) -> None:
    nid_a = person_payload(world.cell_a.id, 1)["nid"]
    found = client.get(f"{API}/persons", params={"nid": nid_a}, headers=world.auth("officer_a"))
    assert [p["id"] for p in found.json()["items"]] == [str(world.persons["a"].id)]
    r = client.get(f"{API}/persons", params={"nid": nid_a}, headers=world.auth("officer_b"))
    assert r.status_code == 200 and r.json()["items"] == []
    r = client.get(f"{API}/persons", params={"nid": "0311"}, headers=world.auth("officer_a"))
    assert_error(r, 422)
    assert "query.nid" in issue_fields(r)
    # A token held to the strict quota (people's default): the 31st lookup is refused.
    strict = create_token(
        session,
        role="officer",
        org_code="CB-A",
        name="t-strict",
        lookups_per_minute=settings.nid_lookups_per_minute,
    )
    session.commit()
    held = {"Authorization": f"Bearer {strict}"}
    for serial in range(settings.nid_lookups_per_minute):
        r = client.get(f"{API}/persons", params={"nid": nid_for(1990, "M", serial)}, headers=held)
        assert r.status_code == 200, (serial, r.text)
    r = client.get(f"{API}/persons", params={"nid": nid_a}, headers=held)
    assert_error(r, 429, "too_many_requests")
    assert nid_a not in r.text
    # The limit is per caller; name search stays open to the limited caller.
    r = client.get(f"{API}/persons", params={"nid": nid_a}, headers=world.auth("admin"))
    assert r.status_code == 200 and len(r.json()["items"]) == 1
    assert client.get(f"{API}/persons", params={"q": "ha"}, headers=held).status_code == 200


def test_cursor_pagination_walks_every_page_once(client: TestClient, world: World) -> None:
    for serial in range(30, 41):
        new_person(client, world, "admin", world.cell_a.id, serial)
    everyone = client.get(f"{API}/persons", params={"limit": 500}, headers=world.auth("admin"))
    expected = [p["id"] for p in everyone.json()["items"]]
    assert len(expected) == 13 and everyone.json()["next_cursor"] is None
    seen: list[str] = []
    cursor, pages = None, 0
    while True:
        params: dict[str, Any] = {"limit": 4} | ({"cursor": cursor} if cursor else {})
        r = client.get(f"{API}/persons", params=params, headers=world.auth("admin"))
        assert r.status_code == 200, r.text
        seen += [p["id"] for p in r.json()["items"]]
        pages += 1
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert len(seen) == len(set(seen)) == 13
    assert sorted(seen) == sorted(expected)
    r = client.get(f"{API}/persons", params={"cursor": "@@not-ours"}, headers=world.auth("admin"))
    assert_error(r, 422)
    assert "query.cursor" in issue_fields(r)


@pytest.fixture
def contact_person(client: TestClient, world: World) -> str:
    return str(
        new_person(
            client,
            world,
            "admin",
            world.cell_a.id,
            50,
            phone="0912345678",
            email="ha.nguyen@lechan.gov.vn",
            cmnd="031456789",
            ethnicity_code="02",
            religion_code="01",
        )["id"]
    )


@pytest.mark.parametrize(
    ("who", "purpose"), [("service", None), ("auditor", None), ("service", "thong ke")]
)
def test_sensitive_fields_are_masked(
    client: TestClient, world: World, contact_person: str, who: str, purpose: str | None
) -> None:
    headers = world.auth(who) | ({"X-Purpose": purpose} if purpose else {})
    one = client.get(f"{API}/persons/{contact_person}", headers=headers)
    many = client.get(f"{API}/persons", params={"q": "nguyen"}, headers=headers)
    assert one.status_code == 200 and many.status_code == 200
    listed = next(p for p in many.json()["items"] if p["id"] == contact_person)
    person_fields = set(catalogue.sensitive_fields("persons"))
    for answer, is_file in ((one.json(), True), (listed, False)):
        masked = set(answer["masked_fields"])
        assert person_fields <= masked
        sections = masked - person_fields  # the file's sections closed as a whole
        if is_file:
            closed = {"disciplines", "party_membership", "party_events"}
            assert closed <= sections <= set(PersonFile.model_fields), sections
        else:
            assert sections == set()
        for field in ("nid", "cmnd", "ethnicity_code", "religion_code", "phone", "email"):
            assert answer[field] is None, field
    for secret in ("0912345678", "ha.nguyen@", "031456789", nid_for(1985, "F", 50)):
        assert secret not in one.text and secret not in many.text


@pytest.mark.parametrize(
    ("who", "purpose"),
    [("admin", None), ("officer_a", None), ("auditor", "thanh tra theo QD 12/QD-UBKT")],
)
def test_sensitive_fields_are_shown(
    client: TestClient, world: World, contact_person: str, who: str, purpose: str | None
) -> None:
    headers = world.auth(who) | ({"X-Purpose": purpose} if purpose else {})
    answer = client.get(f"{API}/persons/{contact_person}", headers=headers).json()
    assert answer["masked_fields"] == []
    assert answer["nid"] == nid_for(1985, "F", 50)
    assert (answer["phone"], answer["email"]) == ("0912345678", "ha.nguyen@lechan.gov.vn")
    assert (answer["cmnd"], answer["ethnicity_code"], answer["religion_code"]) == (
        "031456789",
        "02",
        "01",
    )


SECTIONS = (
    "work_history",
    "qualifications",
    "trainings",
    "evaluations",
    "commendations",
    "disciplines",
    "planning",
    "documents",
)


def test_the_whole_file_in_one_answer(client: TestClient, world: World) -> None:
    pid = str(world.persons["a"].id)
    empty = client.get(f"{API}/persons/{pid}", headers=world.auth("officer_a")).json()
    assert all(empty[s] == [] for s in SECTIONS)
    assert empty["party_membership"] is None and empty["party_events"] == []
    ids = records_of_every_kind(client, world, "officer_a", pid, str(world.cell_a.id), 2)
    r = client.get(f"{API}/persons/{pid}", headers=world.auth("officer_a"))
    assert r.status_code == 200, r.text
    file = r.json()
    assert file["id"] == pid and file["full_name"] == "Nguyễn Thị Thu Hà"
    assert file["work_history"][0]["id"] == ids["assignments"]
    assert file["qualifications"][0]["id"] == ids["qualifications"]
    assert file["trainings"][0]["id"] == ids["trainings"]
    assert file["evaluations"][0]["id"] == ids["evaluations"]
    assert file["commendations"][0]["id"] == ids["commendations"]
    assert file["disciplines"][0]["id"] == ids["disciplines"]
    assert file["planning"][0]["id"] == ids["planning-entries"]
    assert file["documents"][0]["id"] == ids["documents"]
    assert file["party_membership"]["id"] == ids["party-memberships"]
    assert {p["field_group"] for p in file["provenance"]} >= {"identity"}
    assert all(len(file[s]) == 1 for s in SECTIONS)


def test_unknown_and_malformed_ids(client: TestClient, world: World) -> None:
    r = client.get(
        f"{API}/persons/00000000-0000-4000-8000-000000000000", headers=world.auth("admin")
    )
    assert_error(r, 404, "not_found")
    r = client.get(f"{API}/persons/031185000001", headers=world.auth("admin"))
    assert_error(r, 422)
    assert "031185000001" not in r.text


@pytest.mark.parametrize(("who", "purpose"), [("service", None), ("auditor", None)])
def test_party_and_discipline_sections_are_masked_and_their_records_refused(
    client: TestClient, world: World, who: str, purpose: str | None
) -> None:
    pid = str(world.persons["a"].id)
    ids = records_of_every_kind(client, world, "officer_a", pid, str(world.cell_a.id), 2)
    headers = world.auth(who)
    file = client.get(f"{API}/persons/{pid}", headers=headers).json()
    assert file["disciplines"] == [] and file["party_membership"] is None
    assert file["party_events"] == []
    assert {"disciplines", "party_membership", "party_events"} <= set(file["masked_fields"])
    assert file["qualifications"][0]["id"] == ids["qualifications"]  # the rest is shown
    for path in ("disciplines", "party-memberships"):
        listed = client.get(f"{API}/{path}", headers=headers)
        one = client.get(f"{API}/{path}/{ids[path]}", headers=headers)
        assert listed.status_code == one.status_code == 403, path
        assert ids[path] not in listed.text + one.text
    now = dt.datetime.now(dt.UTC).isoformat()
    for past in (
        client.get(f"{API}/persons/{pid}", params={"as_of": now}, headers=headers),
        client.get(f"{API}/persons/{pid}/timeline", params={"as_of": now}, headers=headers),
    ):  # the file as recorded, and its timeline, are masked the same way
        assert past.status_code in (200, 403) and ids["disciplines"] not in past.text
        assert ids["party-memberships"] not in past.text
    patch = client.patch(
        f"{API}/disciplines/{ids['disciplines']}",
        json={},
        headers=headers | {"If-Match": "*", "X-Change-Reason": "x"},
    )
    assert patch.status_code == 403 and ids["disciplines"] not in patch.text
    if who == "auditor":  # with a stated purpose the auditor reads them
        stated = headers | {"X-Purpose": "thanh tra theo QD 12/QD-UBKT"}
        assert (
            client.get(f"{API}/disciplines/{ids['disciplines']}", headers=stated).json()["id"]
            == ids["disciplines"]
        )
        file = client.get(f"{API}/persons/{pid}", headers=stated).json()
        assert file["disciplines"][0]["id"] == ids["disciplines"]
