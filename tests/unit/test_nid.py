"""Properties of the personal identification number (``PPP G YY NNNNNN``) and of partial dates.

The expected layout is rebuilt here from domain.md, not from ``registry.nid``, so a wrong
implementation cannot agree with itself.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from registry.codes import nid_birth_prefixes
from registry.dates import PartialDate
from registry.nid import check_cmnd, check_nid, parse_nid

CURRENT_YEAR = 2026
KNOWN = sorted(nid_birth_prefixes())
# Digits of other scripts: ``str.isdigit`` and ``int`` accept them, the number must not.
FOREIGN_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९０１２３４５６７８９"


def build(prefix: str, year: int, sex: str, serial: int) -> str:
    g = ((year - 1900) // 100) * 2 + (1 if sex == "F" else 0)
    return f"{prefix}{g}{year % 100:02d}{serial:06d}"


prefixes = st.sampled_from(KNOWN)
sexes = st.sampled_from(["M", "F"])
past_years = st.integers(min_value=1900, max_value=CURRENT_YEAR)
serials = st.integers(min_value=0, max_value=999_999)


@st.composite
def valid_numbers(draw: st.DrawFn) -> tuple[str, int, str, str]:
    prefix, year, sex = draw(prefixes), draw(past_years), draw(sexes)
    return build(prefix, year, sex, draw(serials)), year, sex, prefix


def check(nid: str, year: int | None, sex: str | None) -> list[str]:
    return check_nid(nid, birth_year=year, sex=sex, current_year=CURRENT_YEAR)


def test_prefix_list_is_the_pre_2025_province_list() -> None:
    assert len(KNOWN) == 63
    assert all(len(p) == 3 and p.isascii() and p.startswith("0") for p in KNOWN)
    assert "031" in KNOWN and "001" in KNOWN and "079" in KNOWN
    assert "003" not in KNOWN  # no province had GSO code 03


@given(valid_numbers())
def test_any_valid_number_passes_and_parses_to_its_facts(
    case: tuple[str, int, str, str],
) -> None:
    nid, year, sex, prefix = case
    assert check(nid, year, sex) == []
    assert check(nid, None, None) == []
    facts = parse_nid(nid)
    assert (facts.prefix, facts.birth_year, facts.sex) == (prefix, year, sex)


@given(valid_numbers(), st.data())
def test_removing_or_adding_digits_fails(
    case: tuple[str, int, str, str], data: st.DataObject
) -> None:
    nid, year, sex, _ = case
    i = data.draw(st.integers(min_value=0, max_value=len(nid)))
    extra = data.draw(st.text("0123456789", min_size=1, max_size=3))
    shorter = nid[: min(i, 11)] + nid[min(i, 11) + 1 :]
    longer = nid[:i] + extra + nid[i:]
    for mutated in (shorter, longer, nid[:-1], nid + "0"):
        assert len(mutated) != 12
        assert check(mutated, year, sex), mutated


@given(valid_numbers(), st.data())
def test_any_non_ascii_digit_or_other_character_fails(
    case: tuple[str, int, str, str], data: st.DataObject
) -> None:
    nid, year, sex, _ = case
    i = data.draw(st.integers(min_value=0, max_value=11))
    ch = data.draw(
        st.one_of(
            st.sampled_from(FOREIGN_DIGITS),
            st.characters(exclude_categories=["Nd"]),
        )
    )
    mutated = nid[:i] + ch + nid[i + 1 :]
    assert len(mutated) == 12
    assert check(mutated, year, sex), mutated
    with pytest.raises(ValueError):
        parse_nid(mutated)


@given(
    st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}"),
    past_years,
    sexes,
    serials,
)
def test_unknown_prefix_fails_unless_configured_for_births_abroad(
    prefix: str, year: int, sex: str, serial: int
) -> None:
    assume(prefix not in KNOWN)
    nid = build(prefix, year, sex, serial)
    reasons = check(nid, year, sex)
    assert reasons and "province" in reasons[0]
    assert (
        check_nid(
            nid, birth_year=year, sex=sex, current_year=CURRENT_YEAR, abroad_prefixes=[prefix]
        )
        == []
    )


@given(valid_numbers())
def test_wrong_sex_digit_fails(case: tuple[str, int, str, str]) -> None:
    nid, year, sex, _ = case
    flipped = nid[:3] + str(int(nid[3]) ^ 1) + nid[4:]
    reasons = check(flipped, year, sex)
    assert any("sex" in r for r in reasons), reasons
    # The flipped number is valid for a person of the other sex.
    assert check(flipped, year, "F" if sex == "M" else "M") == []


@given(valid_numbers(), past_years)
def test_number_of_another_birth_year_fails(case: tuple[str, int, str, str], other: int) -> None:
    nid, year, sex, prefix = case
    assume(other != year)
    mutated = build(prefix, other, sex, int(nid[6:]))
    reasons = check(mutated, year, sex)
    assert any("birth year" in r for r in reasons), reasons


@given(prefixes, st.integers(min_value=CURRENT_YEAR + 1, max_value=2399), sexes, serials)
def test_future_birth_years_are_refused(prefix: str, year: int, sex: str, serial: int) -> None:
    nid = build(prefix, year, sex, serial)
    assert any("future" in r for r in check(nid, None, None))
    assert any("future" in r for r in check(nid, year, sex))


@given(st.text("0123456789", min_size=9, max_size=9))
def test_legacy_cmnd_of_nine_digits_passes(cmnd: str) -> None:
    assert check_cmnd(cmnd) == []


@given(st.text(min_size=0, max_size=14))
def test_legacy_cmnd_other_shapes_fail(text: str) -> None:
    assume(not (len(text) == 9 and all(c in "0123456789" for c in text)))
    assert check_cmnd(text) != []


# --- partial dates -------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(9999, 12, 31))
precisions = st.sampled_from(["year", "month", "day"])


def render(d: dt.date, precision: str) -> str:
    return {"year": f"{d.year:04d}", "month": f"{d:%Y-%m}", "day": d.isoformat()}[precision]


@given(dates, precisions)
def test_partial_date_round_trips_and_agrees_with_the_full_date(d: dt.date, precision: str) -> None:
    text = render(d, precision)
    parsed = PartialDate.parse(text)
    assert str(parsed) == text
    assert parsed.earliest() <= d
    assert parsed.agrees_with(PartialDate.parse(d.isoformat()))
    assert parsed.agrees_with(parsed)


@given(dates, precisions, dates, precisions)
def test_agreement_is_symmetric(a: dt.date, pa: str, b: dt.date, pb: str) -> None:
    x, y = PartialDate.parse(render(a, pa)), PartialDate.parse(render(b, pb))
    assert x.agrees_with(y) == y.agrees_with(x)
    if a.year != b.year:
        assert not x.agrees_with(y)


@given(st.integers(min_value=1800, max_value=9999), st.integers(min_value=13, max_value=99))
def test_month_out_of_range_fails(year: int, month: int) -> None:
    for text in (f"{year}-{month:02d}", f"{year}-00", f"{year}-{month:02d}-01"):
        with pytest.raises(ValueError):
            PartialDate.parse(text)


@given(st.integers(min_value=1800, max_value=9999), st.integers(1, 12), st.integers(1, 99))
def test_day_that_does_not_exist_fails(year: int, month: int, day: int) -> None:
    try:
        dt.date(year, month, day)
    except ValueError:
        with pytest.raises(ValueError):
            PartialDate.parse(f"{year}-{month:02d}-{day:02d}")
    else:
        assert PartialDate.parse(f"{year}-{month:02d}-{day:02d}").day == day


@given(st.integers(min_value=1000, max_value=1799))
def test_years_before_1800_fail(year: int) -> None:
    with pytest.raises(ValueError):
        PartialDate.parse(str(year))


@given(st.text(max_size=12))
def test_other_shapes_fail(text: str) -> None:
    parts = text.split("-")
    assume(not all(p.isdigit() for p in parts))
    with pytest.raises(ValueError):
        PartialDate.parse(text)


@given(dates, precisions, dates)
def test_future_means_the_earliest_possible_day_is_after_today(
    d: dt.date, precision: str, today: dt.date
) -> None:
    parsed = PartialDate.parse(render(d, precision))
    assert parsed.is_future(today) == (parsed.earliest() > today)
    if precision == "day":
        assert parsed.is_future(today) == (d > today)
