"""Wire records → registry identity fields, and the mismatch rules."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from adapters.population.mapping import compare, identity_from_record
from tests.adapters.samples import record

REGISTRY = {
    "nid": "031185001234",
    "cmnd": "031234567",
    "family_name": "Nguyễn",
    "middle_name": "Thị Thu",
    "given_name": "Hà",
    "birth_date": "1985-03-14",
    "sex": "F",
    "ethnicity_code": "01",
    "religion_code": "00",
    "origin_place": {"unit_code": "11311", "code_list": "2025", "text": "Lê Chân"},
    "permanent_residence": {"unit_code": "11311", "code_list": "2025", "text": "Lạch Tray"},
    "life_status": "alive",
    "death_date": None,
}


def test_identity_fields_in_registry_terms() -> None:
    nfd = {k: unicodedata.normalize("NFD", v) for k, v in
           {"family": "Nguyễn", "middle": "Thị Thu", "given": "Hà"}.items()}  # fmt: skip
    identity = identity_from_record(record(full_name=nfd, birth_date="1985-03"))
    assert (identity.family_name, identity.middle_name, identity.given_name) == (
        "Nguyễn",
        "Thị Thu",
        "Hà",
    )
    assert identity.sex == "F"
    assert str(identity.birth_date) == "1985-03"
    assert identity.origin_place.as_dict()["unit_code"] == "11311"


@pytest.mark.parametrize(("code", "sex"), [("1", "M"), ("2", "F"), ("0", None)])
def test_sex_mapping(code: str, sex: str | None) -> None:
    assert identity_from_record(record(sex=code)).sex == sex


def test_registry_that_agrees_has_no_mismatch() -> None:
    assert compare(REGISTRY, record()) == []


def test_nfd_name_is_not_a_mismatch() -> None:
    nfd = {"family": unicodedata.normalize("NFD", "Nguyễn"), "middle": "Thị Thu", "given": "Hà"}
    assert compare(REGISTRY, record(full_name=nfd)) == []


def test_each_disagreement_is_named() -> None:
    theirs = record(
        full_name={"family": "Trần", "middle": "Thị Thu", "given": "Hà"},
        sex="1",
        religion_code="01",
        life_status="deceased",
        death_date="2026-05-02",
    )
    assert compare(REGISTRY, theirs) == [
        "family_name",
        "sex",
        "religion_code",
        "life_status",
        "death_date",
    ]


def test_unknown_sex_and_other_code_list_carry_less_and_do_not_clash() -> None:
    old_place = {"unit_code": "31", "code_list": "2004", "text": "Hải Phòng"}
    theirs = record(sex="0", place_of_origin=old_place, cmnd=None)
    assert compare(REGISTRY, theirs) == []


def test_compare_only_what_is_given_and_refuse_typos() -> None:
    assert compare({"given_name": "Hà"}, record()) == []
    with pytest.raises(ValueError):
        compare({"given": "Hà"}, record())


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 12, 31))


@given(dates, st.sampled_from([4, 7, 10]))
def test_a_partial_date_agrees_with_the_full_date_it_abbreviates(day: dt.date, keep: int) -> None:
    theirs = record(birth_date=day.isoformat()[:keep])
    assert compare({"birth_date": day.isoformat()}, theirs) == []
    assert compare({"birth_date": day}, theirs) == []


@given(dates, dates, st.sampled_from([4, 7, 10]))
def test_a_partial_date_clashes_exactly_when_a_known_part_differs(
    ours: dt.date, theirs_full: dt.date, keep: int
) -> None:
    theirs = theirs_full.isoformat()[:keep]
    differs = ours.isoformat()[:keep] != theirs
    assert compare({"birth_date": ours.isoformat()}, record(birth_date=theirs)) == (
        ["birth_date"] if differs else []
    )


def test_unreadable_registry_birth_date_is_a_mismatch() -> None:
    assert compare({"birth_date": "14/03/1985"}, record()) == ["birth_date"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"record_version": "17"},  # wrong type: no coercion
        {"sex": 1},
        {"sex": "3"},
        {"ethnicity_code": "56"},  # not in the code list
        {"religion_code": "42"},
        {"birth_date": "1985-02-30"},
        {"birth_date": "85"},
        {"updated_at": 1772409600},
        {"updated_at": "2026-03-02T08:00:00"},  # no offset
        {"nid": "03118500123"},
        {"previous_nids": ["031185001234"]},  # the current number as a previous one
        {"death_date": "2026-01-01"},  # alive with a death date
        {"full_name": {"family": "Nguy\x00ễn", "middle": "", "given": "Hà"}},
        {"full_name": {"family": "Nguyễn\u202e", "middle": "", "given": "Hà"}},
        {"full_name": {"family": "N" * 61, "middle": "", "given": "Hà"}},
        {"place_of_origin": {"unit_code": "ABC", "code_list": "2025", "text": "x"}},
        {"place_of_origin": {"unit_code": "11311", "code_list": "2019", "text": "x"}},
    ],
)
def test_records_that_break_the_contract_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        record(**overrides)
