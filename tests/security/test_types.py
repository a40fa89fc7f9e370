"""The text rules and bounded wire types, as properties: every hostile character is named
wherever it stands, names come out NFC and single-spaced, and no date, instant (at any
offset) or integer can get past its bounds or raise anything but a validation error."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from registry.text import find_problem, has_control_chars, text_problem
from schemas.common import (
    DATE_MAX,
    DATE_MIN,
    INSTANT_MAX,
    INSTANT_MIN,
    INT64_MAX,
    Count,
    Day,
    Instant,
    Int64,
    Name,
    Text200,
    Text500,
    at_most,
)

HOSTILE = (
    [chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
    + list("\u200b\u200c\u200d\u2060\ufeff")
)
VIETNAMESE = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậđèẻẽéẹềểễếệ ", max_size=30
)


class M(BaseModel):
    name: Name | None = None
    line: Text200 | None = None
    note: Text500 | None = None
    day: Day | None = None
    at: Instant | None = None
    big: Int64 | None = None
    count: Count | None = None
    limit: Annotated[int, at_most(500)] | None = None


@given(VIETNAMESE, st.sampled_from(HOSTILE), VIETNAMESE)
@example("", "\x1c", "")
@example("", "\x85", "")
def test_every_hostile_character_is_named_wherever_it_stands(a: str, ch: str, b: str) -> None:
    text = a + ch + b
    problem = find_problem(text, allow_newlines=True)
    assert problem is not None and problem.code_point == ord(ch)
    assert has_control_chars(text)
    assert text not in (problem.reason + problem.reason_vi) or not text.strip()
    for field in ("name", "line", "note"):
        with pytest.raises(ValidationError):
            M(**{field: "Hà" + text})


@given(VIETNAMESE)
def test_plain_vietnamese_has_no_problem(text: str) -> None:
    assert text_problem(text) is None and not has_control_chars(text)


@pytest.mark.parametrize("brk", ["\n", "\t", "\r", "\r\n"])
def test_line_breaks_only_in_free_text(brk: str) -> None:
    with pytest.raises(ValidationError):
        M(name=f"Hà{brk}Nội")
    with pytest.raises(ValidationError):
        M(line=f"Hà{brk}Nội")
    if brk == "\r":
        with pytest.raises(ValidationError):
            M(note=f"Hà{brk}Nội")
    else:
        assert M(note=f"Hà{brk}Nội").note == f"Hà{brk}Nội"


@given(st.lists(VIETNAMESE.filter(lambda s: s.strip()), min_size=1, max_size=3))
def test_names_come_out_nfc_and_single_spaced(words: list[str]) -> None:
    messy = "  " + "   ".join(unicodedata.normalize("NFD", w) for w in words) + " "
    expected = " ".join(" ".join(unicodedata.normalize("NFC", w).split()) for w in words)
    expected = " ".join(expected.split())
    if not expected or len(expected) > 60:
        return
    got = M(name=messy).name
    assert got == expected and unicodedata.is_normalized("NFC", got)


@given(st.dates())
def test_days_are_bounded(day: dt.date) -> None:
    if DATE_MIN <= day <= DATE_MAX:
        assert M(day=day.isoformat()).day == day
    else:
        with pytest.raises(ValidationError) as err:
            M(day=day.isoformat())
        assert "1900-01-01" in str(err.value) or "2100-12-31" in str(err.value)


@given(st.datetimes(), st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1))
def test_instants_at_any_offset_are_bounded_and_never_overflow(
    naive: dt.datetime, minutes: int
) -> None:
    offset = dt.timezone(dt.timedelta(minutes=minutes))
    text = naive.replace(tzinfo=offset).isoformat()
    try:
        at = M(at=text).at
    except ValidationError:
        return  # refused as out of range: the point is that nothing else is raised
    assert at is not None and at.tzinfo is not None
    assert INSTANT_MIN <= at <= INSTANT_MAX
    assert at == naive.replace(tzinfo=offset)


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "2100-12-31T23:00:00-05:00"]
)
def test_extreme_instants_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        M(at=text)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValidationError):
        M(at="2026-01-01T00:00:00")


@given(st.integers())
def test_integers_are_bounded(n: int) -> None:
    for field, low, high in (
        ("big", -INT64_MAX - 1, INT64_MAX),
        ("count", 0, INT64_MAX),
        ("limit", 0, 500),
    ):
        if low <= n <= high:
            assert getattr(M(**{field: n}), field) == n
        else:
            with pytest.raises(ValidationError):
                M(**{field: n})
