"""Name search: whole words only, ranked, in a stable order (registry/persons/search.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from registry.access.principal import Principal
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.errors import Forbidden, Invalid
from registry.persons.search import PersonQuery, search_persons
from registry.persons.service import create_person
from registry.text import search_key
from schemas.persons import PersonCreate
from tests.factories import World, admin_ctx, person_payload

ADMIN = Principal(subject="t", role="admin", org_unit_id=None, org_path=None)
PEOPLE = [  # (family, middle, given)
    ("Lê", "Thị", "Hạnh"),
    ("Phạm", "Văn", "Thành"),
    ("Hoàng", "Thị", "Thanh"),
    ("Hạnh", "Văn", "Nam"),  # Hạnh as a family name is a whole-word match too
    ("Trịnh", "Hạnh", "Mai"),  # Hạnh as a middle name: "the rest"
    ("Đỗ", "Thị", "Hạnhs"),  # a prefix of the given name, not a whole word
    ("Vũ", "Văn", "Thạnh"),  # accents differ, words do not: "thanh"
]


@pytest.fixture
def named(session: Session, settings: Settings, keys: StaticKeyProvider, world: World) -> None:
    ctx = admin_ctx(session, settings, keys)
    for n, (family, middle, given_name) in enumerate(PEOPLE, 50):
        data = person_payload(
            world.office.id, n, family_name=family, middle_name=middle, given_name=given_name
        )
        create_person(session, ctx, PersonCreate.model_validate(data))
    session.flush()


def _names(session: Session, text: str) -> list[tuple[str, int]]:
    found = search_persons(session, ADMIN, PersonQuery(text=text, limit=100))
    return [
        (f"{p.family_name} {p.middle_name} {p.given_name}", rank)
        for p, rank in zip(found.persons, found.ranks, strict=True)
    ]


def test_hanh_finds_hanh_ranked_and_never_thanh(session: Session, named: None) -> None:
    found = _names(session, "Hạnh")
    names = [n for n, _ in found]
    assert not any("Thành" in n or "Thanh" in n or "Thạnh" in n for n in names)
    assert found == [
        ("Hạnh Văn Nam", 0),  # whole word, family name
        ("Lê Thị Hạnh", 0),  # whole word, given name (same rank: by name)
        ("Đỗ Thị Hạnhs", 1),  # prefix of the given name
        ("Trịnh Hạnh Mai", 2),  # middle name only
    ]
    assert _names(session, "hanh") == found  # accent-free


def test_order_is_stable_across_pages(session: Session, named: None) -> None:
    whole = search_persons(session, ADMIN, PersonQuery(text="thi", limit=100)).persons
    pages = [
        p
        for offset in range(0, len(whole), 2)
        for p in search_persons(
            session, ADMIN, PersonQuery(text="thi", offset=offset, limit=2)
        ).persons
    ]
    assert [p.id for p in pages] == [p.id for p in whole] and len(whole) >= 3
    assert search_persons(session, ADMIN, PersonQuery(text="thi", limit=1)).total == len(whole)


def test_a_query_without_letters_and_a_closed_filter_are_refused(
    session: Session, world: World
) -> None:
    with pytest.raises(Invalid):
        search_persons(session, ADMIN, PersonQuery(text="%_ ."))
    auditor = Principal(subject="a", role="auditor", org_unit_id=None, org_path=None)
    with pytest.raises(Forbidden):
        search_persons(session, auditor, PersonQuery(party_status="official"))


SYLLABLE = st.sampled_from(["Hà", "Hạnh", "Thành", "Thanh", "An", "Anh", "Nam", "Năm", "Lan", "Hạ"])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(given_name=SYLLABLE, middle=SYLLABLE, query=SYLLABLE)
def test_found_exactly_when_a_name_word_starts_with_the_query(
    session: Session,
    settings: Settings,
    keys: StaticKeyProvider,
    world: World,
    given_name: str,
    middle: str,
    query: str,
) -> None:
    """Against the database: whoever is found has a word of their name starting with the
    query's (accent-free), and whoever has one is found — never a match inside a word."""
    ctx = admin_ctx(session, settings, keys)
    serial = 100 + search_persons(session, ADMIN, PersonQuery(limit=1)).total
    data = person_payload(
        world.office.id, serial, family_name="Phan", middle_name=middle, given_name=given_name
    )
    create_person(session, ctx, PersonCreate.model_validate(data))
    session.flush()
    everyone = search_persons(session, ADMIN, PersonQuery(limit=500)).persons
    word = search_key(query)
    expected = {p.id for p in everyone if any(w.startswith(word) for w in p.search_key.split())}
    found = search_persons(session, ADMIN, PersonQuery(text=query, limit=500))
    assert {p.id for p in found.persons} == expected and found.total == len(expected)
    assert found.ranks == sorted(found.ranks)
