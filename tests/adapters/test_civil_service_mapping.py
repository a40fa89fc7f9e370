"""Civil-service wire ↔ registry values: vocabularies, periods, classifications, ownership."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from adapters.civil_service import wire
from adapters.civil_service.mapping import (
    CIVIL_SERVICE_OWNED,
    REGISTRY_OWNED,
    EvaluationData,
    OfficialPush,
    QualificationData,
    TrainingData,
    WorkPeriodData,
    official_from_wire,
    to_write,
)
from registry.evaluations.rules import period_kind as registry_period_kind
from tests.adapters.samples import OFFICIAL


def official(**overrides: Any) -> wire.Official:
    return wire.Official.model_validate({**OFFICIAL, **overrides})


def test_official_in_registry_terms() -> None:
    data = official_from_wire(
        official(
            qualifications=[{"kind": "education", "level": "dai_hoc", "major": "Luật"},
                            {"kind": "language", "level": "bac_3"}],
            work_history=[{"from": "2009-09-01", "to": None, "agency_code": "H31.11311",
                           "position_title": "Chuyên viên"}],
        )
    )  # fmt: skip
    assert data.sex == "F"
    assert data.salary_coefficient == decimal.Decimal("3.33")
    assert [q.kind for q in data.qualifications] == ["professional", "foreign_language"]
    assert data.work_history[0].end is None
    assert data.evaluations[0].period_kind == "quarter"
    assert data.civil_service_owned()["rank_code"] == "01.003"


def test_ownership_is_a_partition() -> None:
    assert not set(REGISTRY_OWNED) & set(CIVIL_SERVICE_OWNED)


def test_push_sends_only_what_is_set() -> None:
    body = wire.dump_write(to_write(OfficialPush(nid="031185001234", position_title="Chủ tịch")))
    assert body == {"nid": "031185001234", "position_title": "Chủ tịch"}


def test_push_translates_and_keeps_explicit_nulls() -> None:
    push = OfficialPush(
        nid="031185001234",
        qualifications=(
            QualificationData("foreign_language", "bac_3"),
            QualificationData("defence_security", "doi_tuong_3"),  # no civil-service kind
        ),
        work_history=(WorkPeriodData(dt.date(2020, 1, 1), None, "H31.11311", "Chuyên viên"),),
        training=(TrainingData(dt.date(2021, 3, 1), dt.date(2021, 6, 1), "Bồi dưỡng QLNN"),),
        evaluations=(EvaluationData("2026-05", "HT", 65),),
    )
    body = wire.dump_write(to_write(push))
    assert [q["kind"] for q in body["qualifications"]] == ["language"]
    assert body["work_history"] == [
        {"from": "2020-01-01", "to": None, "agency_code": "H31.11311",
         "position_title": "Chuyên viên", "decision_no": None}
    ]  # fmt: skip
    assert body["training"][0]["from"] == "2021-03-01"


periods = st.one_of(
    st.integers(1900, 2100).map(str),
    st.tuples(st.integers(1900, 2100), st.integers(1, 4)).map(lambda t: f"{t[0]}-Q{t[1]}"),
    st.tuples(st.integers(1900, 2100), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
)


@given(periods, st.sampled_from(["HTXS", "HTT", "HT", "KHT"]))
def test_every_contract_period_and_classification_round_trips(period: str, code: str) -> None:
    push = OfficialPush(nid="031185001234", evaluations=(EvaluationData(period, code),))
    evaluation = official_from_wire(
        official(evaluations=wire.dump_write(to_write(push))["evaluations"])
    ).evaluations[0]
    assert (evaluation.period, evaluation.classification) == (period, code)
    assert evaluation.period_kind == (
        "quarter" if "-Q" in period else "month" if "-" in period else "year"
    )
    # the adapter's reading of a period is the registry's, though neither imports the other
    assert evaluation.period_kind == registry_period_kind(period)


@pytest.mark.parametrize("period", ["26", "2026-Q0", "2026-Q5", "2026-13", "2026-00", "2026-H1"])
def test_periods_outside_the_contract_are_refused(period: str) -> None:
    with pytest.raises(ValidationError):
        to_write(OfficialPush(nid="031185001234", evaluations=(EvaluationData(period, "HT"),)))


@pytest.mark.parametrize("code", ["XS", "htt", "", "HTXS "])
def test_unknown_classifications_are_refused(code: str) -> None:
    with pytest.raises(ValidationError):
        to_write(OfficialPush(nid="031185001234", evaluations=(EvaluationData("2026", code),)))


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    history = (WorkPeriodData(dt.date(2020, 1, 1), dt.date(2019, 1, 1), "H31", "Chuyên viên"),)
    with pytest.raises(ValidationError):
        to_write(OfficialPush(nid="031185001234", work_history=history))
