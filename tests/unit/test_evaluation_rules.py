"""Classification bands and discipline caps (Decree 335/2025; caps are configuration)."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.evaluations.rules import (
    EvaluationRules,
    evaluation_rules,
    period_kind,
    period_year,
    rules_from,
)
from schemas.conduct import DisciplineForm

RULES = evaluation_rules()
ORDER = ["KHT", "HT", "HTT", "HTXS"]
FORMS = list(get_args(DisciplineForm))
MILD = {"reprimand", "warning"}

totals = st.integers(min_value=0, max_value=100)
form_sets = st.sets(st.sampled_from(FORMS), max_size=len(FORMS))


def expected_band(total: int) -> str:
    """The bands as domain.md states them, written independently of the configuration."""
    if total >= 90:
        return "HTXS"
    if total >= 70:
        return "HTT"
    if total >= 50:
        return "HT"
    return "KHT"


def rank(classification: str) -> int:
    return ORDER.index(classification)


def test_every_total_from_0_to_100_falls_in_its_band() -> None:
    for total in range(101):
        assert RULES.band(total) == expected_band(total), total
    # The edges, spelled out.
    assert [RULES.band(t) for t in (49, 50, 69, 70, 89, 90)] == [
        "KHT",
        "HT",
        "HT",
        "HTT",
        "HTT",
        "HTXS",
    ]


@pytest.mark.parametrize("total", [-1, 101, 1000])
def test_totals_outside_0_to_100_are_refused(total: int) -> None:
    with pytest.raises(ValueError):
        RULES.band(total)


def test_configured_order_is_lowest_to_highest() -> None:
    assert list(RULES.order) == ORDER


@given(totals)
def test_without_discipline_nothing_is_capped(total: int) -> None:
    derived, final, applied = RULES.classify(total, [])
    assert derived == final == expected_band(total)
    assert applied == []


@given(totals, form_sets)
def test_caps_only_ever_lower_a_classification(total: int, forms: set[str]) -> None:
    derived, final, applied = RULES.classify(total, forms)
    assert derived == expected_band(total)
    assert rank(final) <= rank(derived)
    assert (final != derived) == bool(applied)


@given(totals, form_sets)
def test_discipline_in_the_year_caps_as_configured(total: int, forms: set[str]) -> None:
    _, final, _ = RULES.classify(total, forms)
    if forms - MILD:
        assert final == "KHT"
    elif forms:
        assert rank(final) <= rank("HT")


def test_every_discipline_form_is_capped() -> None:
    """A disciplined cadre can never be classed above HT that year, whatever the form."""
    for form in FORMS:
        _, final, applied = RULES.classify(100, [form])
        assert rank(final) <= rank("HT"), form
        assert applied, form


@given(totals, totals, form_sets)
def test_classification_is_monotonic_in_points(a: int, b: int, forms: set[str]) -> None:
    low, high = sorted((a, b))
    d_low, f_low, _ = RULES.classify(low, forms)
    d_high, f_high, _ = RULES.classify(high, forms)
    assert rank(d_low) <= rank(d_high)
    assert rank(f_low) <= rank(f_high)


@given(totals, form_sets, form_sets)
def test_more_discipline_never_raises_a_classification(
    total: int, forms: set[str], more: set[str]
) -> None:
    _, fewer_final, _ = RULES.classify(total, forms)
    _, more_final, _ = RULES.classify(total, forms | more)
    assert rank(more_final) <= rank(fewer_final)


@st.composite
def rule_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Any configuration with bands covering 0 and caps in any order."""
    mins = sorted(draw(st.sets(st.integers(1, 100), min_size=3, max_size=3)))
    caps = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "id": st.text("abcdef-", min_size=1, max_size=8),
                    "forms": st.lists(st.sampled_from(FORMS), min_size=1, max_size=3),
                    "max": st.sampled_from(ORDER),
                }
            ),
            max_size=4,
        )
    )
    return {
        "bands": [{"min": m, "classification": c} for m, c in zip([0, *mins], ORDER, strict=True)],
        "order": ORDER,
        "components": {},
        "caps": caps,
    }


@given(rule_documents(), totals, form_sets)
def test_any_configuration_caps_to_the_lowest_matching_maximum(
    doc: dict[str, Any], total: int, forms: set[str]
) -> None:
    rules: EvaluationRules = rules_from(doc)
    derived, final, applied = rules.classify(total, forms)
    matching = [c["max"] for c in doc["caps"] if set(c["forms"]) & forms]
    expected = min([derived, *matching], key=rank)
    assert final == expected
    assert rank(final) <= rank(derived)
    assert bool(applied) == (final != derived)


def test_weighted_index_uses_configured_weights() -> None:
    scores = {"task_results": 80, "citizen_satisfaction": 90, "coordination": 70, "integrity": 100}
    assert RULES.weighted_index(scores) == pytest.approx(0.4 * 80 + 0.3 * 90 + 0.15 * 70 + 15)


@pytest.mark.parametrize(
    ("period", "kind", "year"),
    [("2025", "year", 2025), ("2026-Q3", "quarter", 2026), ("2026-07", "month", 2026)],
)
def test_period_kind_and_year(period: str, kind: str, year: int) -> None:
    assert period_kind(period) == kind
    assert period_year(period) == year
