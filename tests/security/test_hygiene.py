"""One input hygiene for every request: hostile characters anywhere (body, query, headers,
cookies, form fields) are refused with the one error body naming the field, never stored and
never a 500; names are normalised instead of refused."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from registry.history import RecordVersion
from registry.persons.models import Person
from tests.api.helpers import API, assert_error, changing, etag
from tests.factories import World, person_payload
from tests.web.conftest import csrf_of, sign_in

HOSTILE = [
    "\x00",
    "\x01",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9f",
    "\u202e",
    "\u202a",
    "\u2066",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\u200d",
    "\u2060",
    "\ufeff",
]
BREAKS = ["\n", "\r", "\t", "\r\n"]


def persons(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Person)) or 0


def fields(r: Any) -> list[str]:
    return [i["field"] for i in r.json()["error"]["issues"]]


def create(client: TestClient, world: World, **over: Any) -> Any:
    body = person_payload(world.cell_a.id, 7, **over)
    return client.post(f"{API}/persons", json=body, headers=world.auth("officer_a"))


@pytest.mark.parametrize("char", HOSTILE, ids=lambda c: f"U+{ord(c):04X}")
def test_hostile_character_in_a_body_field_is_refused_naming_it(
    web: TestClient, world: World, session: Session, char: str
) -> None:
    before = persons(session)
    r = create(web, world, given_name=f"H{char}à")
    assert_error(r, 422, "invalid")
    assert fields(r) == ["body.given_name"]
    assert f"U+{ord(char):04X}" in r.text
    assert persons(session) == before


@pytest.mark.parametrize("brk", BREAKS, ids=repr)
def test_names_never_carry_line_breaks_or_tabs(web: TestClient, world: World, brk: str) -> None:
    r = create(web, world, family_name=f"Nguyễn{brk}Trần")
    assert_error(r, 422, "invalid")
    assert "body.family_name" in fields(r)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    prefix=st.text(alphabet="Nguyễn Thị Hà", max_size=8),
    char=st.sampled_from(HOSTILE),
    suffix=st.text(alphabet="Trần Văn Bình", max_size=8),
    key=st.sampled_from(["family_name", "middle_name", "given_name", "other_names"]),
)
def test_any_hostile_character_anywhere_in_any_name_is_refused(
    web: TestClient, world: World, prefix: str, char: str, suffix: str, key: str
) -> None:
    r = create(web, world, **{key: f"{prefix}{char}{suffix}"})
    assert r.status_code == 422, r.text
    assert fields(r) == [f"body.{key}"]


def test_nested_json_strings_and_keys_are_named_by_their_path(
    web: TestClient, world: World
) -> None:
    body = person_payload(world.cell_a.id, 8)
    body["birth_place"] = {"text": "Hà\x00Nội"}
    r = web.post(f"{API}/persons", json=body, headers=world.auth("officer_a"))
    assert_error(r, 422, "invalid")
    assert fields(r) == ["body.birth_place.text"]


def test_decomposed_and_spaced_names_are_stored_precomposed(
    web: TestClient, world: World, session: Session
) -> None:
    r = create(
        web,
        world,
        family_name=unicodedata.normalize("NFD", "  Nguyễn "),
        middle_name=unicodedata.normalize("NFD", "Thị   Thu"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["family_name"] == "Nguyễn"
    assert r.json()["middle_name"] == "Thị Thu"
    assert r.json()["full_name"] == "Nguyễn Thị Thu Hà"


@pytest.mark.parametrize("char", ["\x00", "\u202e", "\u200b", "\n"], ids=repr)
def test_hostile_query_parameter_is_refused_naming_it(
    web: TestClient, world: World, char: str
) -> None:
    r = web.get(f"{API}/persons", params={"q": f"Hà{char}"}, headers=world.auth("officer_a"))
    assert_error(r, 422, "invalid")
    assert fields(r) == ["query.q"]


def test_query_that_is_not_utf8_is_refused(web: TestClient, world: World) -> None:
    r = web.get(f"{API}/persons?q=%C3%28", headers=world.auth("officer_a"))
    assert_error(r, 422, "invalid")
    assert fields(r) == ["query.q"]


@pytest.mark.parametrize("value", [str(2**63), str(-(2**63) - 1), "9" * 40])
def test_integer_query_past_int64_is_refused(web: TestClient, world: World, value: str) -> None:
    r = web.get(f"{API}/persons", params={"limit": value}, headers=world.auth("officer_a"))
    assert_error(r, 422, "invalid")
    assert fields(r) == ["query.limit"]


def test_hostile_path_is_refused(web: TestClient, world: World) -> None:
    r = web.get(f"{API}/persons/%00", headers=world.auth("officer_a"))
    assert_error(r, 422, "invalid")
    assert fields(r) == ["path"]


def test_raw_utf8_in_a_header_is_refused_naming_it(web: TestClient, world: World) -> None:
    pid = create(web, world).json()["id"]
    tag = etag(web, world, f"persons/{pid}")
    headers = world.auth("officer_a") | {"If-Match": tag}
    raw = [*headers.items(), ("X-Change-Reason", "sửa tên".encode())]
    r = web.patch(f"{API}/persons/{pid}", json={"other_names": "Hà"}, headers=raw)  # type: ignore[arg-type]
    assert_error(r, 422, "invalid")
    assert fields(r) == ["header.x-change-reason"]


@pytest.mark.parametrize("char", ["\x01", "\t"], ids=repr)
def test_control_character_in_a_header_is_refused(web: TestClient, world: World, char: str) -> None:
    r = web.get(f"{API}/persons", headers=world.auth("officer_a") | {"X-Purpose": f"a{char}b"})
    assert_error(r, 422, "invalid")
    assert fields(r) == ["header.x-purpose"]


def test_percent_encoded_vietnamese_reason_is_stored_exactly(
    web: TestClient, world: World, session: Session
) -> None:
    reason = "Sửa họ tên theo quyết định số 12/QĐ-UBND — đúng chính tả"
    pid = create(web, world).json()["id"]
    tag = etag(web, world, f"persons/{pid}")
    r = web.patch(
        f"{API}/persons/{pid}",
        json={"other_names": "Hà"},
        headers=changing(world, "officer_a", tag, reason),
    )
    assert r.status_code == 200, r.text
    stored = session.scalars(
        sa.select(RecordVersion.reason).where(
            RecordVersion.table_name == "persons", RecordVersion.row_id == uuid.UUID(pid)
        )
    ).all()
    assert reason in stored


def test_body_that_is_not_utf8_is_a_clean_400(web: TestClient, world: World) -> None:
    raw = '{"family_name": "Nguyễn"}'.encode("utf-16")
    headers = world.auth("officer_a") | {"Content-Type": "application/json"}
    r = web.post(f"{API}/persons", content=raw, headers=headers)
    assert_error(r, 400)


@pytest.mark.parametrize("raw", [b'{"family_name": ', b"NaN", b'{"a": Infinity}', b"[" * 100000])
def test_body_that_is_not_json_is_a_clean_422(web: TestClient, world: World, raw: bytes) -> None:
    headers = world.auth("officer_a") | {"Content-Type": "application/json"}
    r = web.post(f"{API}/persons", content=raw, headers=headers)
    assert_error(r, 422, "invalid")
    assert fields(r) == ["body"]


def test_integer_in_a_body_past_int64_is_refused(web: TestClient, world: World) -> None:
    r = create(web, world, salary_step=2**64)
    assert_error(r, 422, "invalid")
    assert "body.salary_step" in fields(r)


@pytest.mark.parametrize(
    "media", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
def test_json_route_refuses_another_media_type_with_415(
    web: TestClient, world: World, media: str | None
) -> None:
    headers = world.auth("officer_a") | ({"Content-Type": media} if media else {})
    r = web.post(f"{API}/persons", content=b'{"a": 1}', headers=headers)
    assert_error(r, 415, "unsupported_media_type")
    assert fields(r) == ["header.content-type"]


def test_form_route_refuses_json_with_415(web: TestClient) -> None:
    r = web.post("/login", json={"username": "admin"})
    assert r.status_code == 415
    assert "text/html" in r.headers["content-type"]


def test_page_form_field_with_nul_gets_a_vietnamese_error_page(web: TestClient) -> None:
    form = web.get("/login")
    r = web.post(
        "/login",
        data={"csrf": csrf_of(form), "username": "admin\x00", "password": "x", "next": "/"},
    )
    assert r.status_code == 422
    assert "text/html" in r.headers["content-type"]
    assert '<html lang="vi">' in r.text and "\x00" not in r.text


@pytest.mark.parametrize(
    "cookie",
    [
        "cadre_session=Nguy\u1ec5n",
        "cadre_session=abc.def",
        "cadre_session=" + "a" * 5000,
        "cadre_session=e30.AAAA",
        "cadre_session=\x01\x02",
        "cadre_session=..",
    ],
    ids=["non-ascii", "wrong-mac", "huge", "forged-empty", "controls", "dots"],
)
def test_a_bad_session_cookie_is_no_session(web: TestClient, world: World, cookie: str) -> None:
    raw = cookie.encode("utf-8")
    r = web.get("/alerts", headers=[(b"cookie", raw)])  # type: ignore[list-item]
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/login")
    r = web.get("/login", headers=[(b"cookie", raw)])  # type: ignore[list-item]
    assert r.status_code == 200


def test_a_good_session_survives_a_bad_neighbour_cookie(web: TestClient, world: World) -> None:
    assert sign_in(web, "admin").status_code == 303
    good = web.cookies.get("cadre_session")
    web.cookies.clear()
    raw = f"other=Hà\u202e; cadre_session={good}".encode()
    r = web.get("/alerts", headers=[(b"cookie", raw)])  # type: ignore[list-item]
    assert r.status_code == 200, r.text


def test_query_with_percent_encoded_vietnamese_passes(web: TestClient, world: World) -> None:
    r = web.get(f"{API}/persons?q={quote('Nguyễn Thị')}", headers=world.auth("officer_a"))
    assert r.status_code == 200, r.text
