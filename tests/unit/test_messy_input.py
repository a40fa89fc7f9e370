"""Messy real input (issue 13): the same fact written another way is accepted, what is not a
fact is refused, naming the column — dates as people write them, sex codes of every source,
NFD names with stray spaces, hostile characters in a CSV cell, places on the 2025 lists, a
living person over 120, a person their own relative."""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.codes import (
    SEX_SCHEMES,
    legacy_provinces,
    place_2025,
    place_issue,
    provinces_2025,
    sex_code,
)
from registry.crypto import FieldCipher, StaticKeyProvider
from registry.dates import PartialDate
from registry.file_records.rules import family_issues, history_issues
from registry.persons.import_rows import Candidate, RowChecker
from registry.persons.loose_dates import ends_before, parse_loose
from registry.persons.rules import too_old
from tests.factories import nid_for

days = st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2100, 12, 31))
TODAY = dt.date(2026, 12, 2)


@given(days)
def test_a_day_reads_the_same_in_every_form(day: dt.date) -> None:
    full = PartialDate(day.year, day.month, day.day)
    for text in (
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        f"{day.day}/{day.month}/{day.year}",
        day.strftime("%d.%m.%Y"),
    ):
        assert parse_loose(text) == full
    assert parse_loose(day.strftime("%m/%Y")) == PartialDate(day.year, day.month)
    assert parse_loose(str(day.year)) == PartialDate(day.year)


@given(st.integers(1, 31), st.integers(1, 12), st.integers(1800, 2100))
def test_an_impossible_day_is_refused_never_moved(d: int, m: int, y: int) -> None:
    try:
        real = dt.date(y, m, d)
    except ValueError:
        with pytest.raises(ValueError):
            parse_loose(f"{d:02d}/{m:02d}/{y}")
    else:
        assert parse_loose(f"{d:02d}/{m:02d}/{y}").earliest() == real


@given(days, days, st.sampled_from(["day", "month", "year"]))
def test_ends_before_only_when_certain(start: dt.date, end: dt.date, precision: str) -> None:
    def cut(d: dt.date) -> PartialDate:
        if precision == "day":
            return PartialDate(d.year, d.month, d.day)
        if precision == "month":
            return PartialDate(d.year, d.month)
        return PartialDate(d.year)

    said = ends_before(cut(start), cut(end))
    if precision == "day":
        assert said == (end < start)
    if said:
        assert end < start  # never claimed when the fuller dates could agree
    if end >= start:
        assert not said


@given(
    st.sampled_from(sorted(SEX_SCHEMES)),
    st.data(),
)
def test_every_sources_sex_code_is_mapped_and_others_refused(
    scheme: str, data: st.DataObject
) -> None:
    code = data.draw(st.sampled_from(sorted(SEX_SCHEMES[scheme])))
    expected = SEX_SCHEMES[scheme][code]
    written = data.draw(
        st.sampled_from([code, code.upper(), f" {code} ", unicodedata.normalize("NFD", code)])
    )
    if expected is None:
        with pytest.raises(ValueError, match="QCVN 109"):
            sex_code(written)
    else:
        assert sex_code(written) == expected
        assert sex_code(written, scheme) == expected
    others = [s for s in SEX_SCHEMES if s != scheme and code not in SEX_SCHEMES[s]]
    for other in others:
        with pytest.raises(ValueError, match="is not a sex code"):
            sex_code(written, other)


@given(days, st.integers(100, 130))
def test_a_living_person_over_the_age_limit_is_refused(born: dt.date, limit: int) -> None:
    full = PartialDate(born.year, born.month, born.day)
    limit_day = (TODAY.year - limit, TODAY.month, TODAY.day)
    assert too_old(full, today=TODAY, max_age=limit) == (
        (born.year, born.month, born.day) < limit_day
    )
    # A year alone is too old only if even its last day is.
    assert too_old(PartialDate(born.year), today=TODAY, max_age=limit) == (
        (born.year, 12, 31) < limit_day
    )


def test_places_are_checked_against_the_2025_lists_and_legacy_provinces_mapped() -> None:
    for code in provinces_2025():
        assert place_issue(code, "2025") is None
    assert "communes_2025" in (place_issue("99999", "2025") or "")
    assert "provinces_2025" in (place_issue("77", "2025") or "")
    for old, new in legacy_provinces().items():
        assert place_issue(old, "2004") is None
        assert place_2025(old, "2004", "x") == {"unit_code": new, "code_list": "2025", "text": "x"}
    # A pre-2025 district has no mapping: kept, marked 2004, never read as a 2025 code.
    assert place_2025("123", "2004", "Huyện cũ")["code_list"] == "2004"


@given(
    st.uuids(),
    st.sampled_from(["own", "spouse"]),
    st.sampled_from(["father", "spouse", "child", "father_in_law"]),
)
def test_no_one_is_their_own_relative_whatever_the_relation(
    person: uuid.UUID, side: str, relation: str
) -> None:
    issues = family_issues(
        person_id=person,
        relative_person_id=person,
        side=side,
        relation=relation,
        birth_year=None,
        today=TODAY,
    )
    assert "relative_person_id" in {f for f, _ in issues}
    other = family_issues(
        person_id=person,
        relative_person_id=uuid.uuid4(),
        side=side,
        relation=relation,
        birth_year=None,
        today=TODAY,
    )
    assert "relative_person_id" not in {f for f, _ in other}


def test_a_history_line_ending_before_it_starts_is_refused() -> None:
    assert {f for f, _ in history_issues("2007-06", "2003-09", today=TODAY)} == {"valid_to"}
    assert history_issues("2003", "2003-01", today=TODAY) == []


# --- a CSV row, checked with no database --------------------------------------------------

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
names = st.text(alphabet=VIETNAMESE, min_size=1, max_size=12).map(str.title)
HOSTILE = ["\x00", "\x07", "\x85", "\u202e", "\u2066", "\u200b", "\ufeff", "\t"]


def checker() -> RowChecker:
    keys = StaticKeyProvider(
        keys={"k1": secrets.token_bytes(32)}, current="k1", index_key=secrets.token_bytes(32)
    )
    return RowChecker(FieldCipher(keys), {"CB-A": uuid.uuid4()}, TODAY)


CHECK = checker()


def cells(family: str, given_name: str) -> list[str]:
    return [
        nid_for(1985, "F", 7),
        family,
        "Thị",
        given_name,
        "14/03/1985",
        "Nữ",
        "01",
        "00",
        "CB-A",
    ]


@given(names, names, st.integers(0, 3), st.integers(0, 3))
def test_nfd_names_with_stray_spaces_are_stored_nfc_single_spaced(
    family: str, given_name: str, lead: int, inner: int
) -> None:
    messy_given = unicodedata.normalize(
        "NFD", " " * lead + given_name + " " * inner + "Ngọc" + " " * lead
    )
    outcome = CHECK.check(2, cells(unicodedata.normalize("NFD", family), messy_given))
    assert isinstance(outcome, Candidate), outcome
    assert outcome.data.family_name == unicodedata.normalize("NFC", family)
    expected = unicodedata.normalize("NFC", f"{given_name} Ngọc" if inner else f"{given_name}Ngọc")
    assert outcome.data.given_name == expected
    assert outcome.data.birth_date == "1985-03-14" and outcome.data.sex == "F"


@given(names, st.sampled_from(HOSTILE), st.integers(0, 12), st.sampled_from([1, 3]))
def test_a_hostile_character_in_a_cell_rejects_the_row_naming_the_column(
    name: str, bad: str, at: int, column: int
) -> None:
    row = cells("Nguyễn", "Hà")
    row[column] = name[:at] + bad + name[at:]
    outcome = CHECK.check(5, row)
    assert isinstance(outcome, list) and outcome
    assert {r.field for r in outcome} == {
        ["nid", "family_name", "middle_name", "given_name"][column]
    }
    assert all(r.line == 5 for r in outcome)
    assert all("U+" in r.reason for r in outcome)  # the character named, never the text
