"""Property, for the rules whose explanation is built in SQL (recent evaluations, discipline in
effect, expired certificates): a finding exists iff the requirement is unmet in random data,
its value found is what the data says, and a full run's scratch tables hold exactly the
findings that the listed evaluation returns, with the same explanations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.dates import today
from registry.evaluations.service import create_evaluation
from registry.qualifications.service import create_qualification
from registry.standards.engine import evaluate, evaluated
from registry.standards.findings import Finding
from registry.standards.rules_records import DISCIPLINE_MONTHS, ORDER
from schemas.evaluations import EvaluationCreate
from schemas.qualifications import QualificationCreate
from tests.standards.conftest import Lab

TODAY = today()
days = st.integers(min_value=-2000, max_value=400)
data = st.fixed_dictionaries(
    {
        "need": st.fixed_dictionaries(
            {"count": st.integers(1, 2), "minimum": st.sampled_from(["HT", "HTT", "HTXS"])}
        ),
        # the classification of each of the last two closed years, or no evaluation
        "years": st.lists(st.none() | st.sampled_from(ORDER), min_size=2, max_size=2),
        # (form, decided so many days ago, lasting so many days or open-ended)
        "disciplines": st.lists(
            st.tuples(
                st.sampled_from(sorted(DISCIPLINE_MONTHS)),
                st.integers(0, 2500),
                st.none() | st.integers(0, 900),
            ),
            max_size=2,
        ),
        # certificates expiring so many days from today (negative: already expired)
        "certificates": st.lists(days, max_size=2),
    }
)


def _expected(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    need = d["need"]
    good = ORDER[ORDER.index(need["minimum"]) :]
    achieved = sum(1 for c in d["years"][: need["count"]] if c in good)
    if achieved < need["count"]:
        out["recent_evaluations"] = (
            f"{achieved} of {need['count']} years at {need['minimum']} or better"
        )
    in_effect = []
    for form, ago, lasting in d["disciplines"]:
        decided = TODAY - dt.timedelta(days=ago)
        if lasting is not None:
            effective = decided + dt.timedelta(days=lasting) >= TODAY
        else:
            months = DISCIPLINE_MONTHS[form]
            total = TODAY.year * 12 + TODAY.month - 1 - months
            cutoff = dt.date(total // 12, total % 12 + 1, min(TODAY.day, 28))
            effective = decided > cutoff
        if effective:
            in_effect.append((decided, form))
    if in_effect:
        out["no_discipline_in_effect"] = [form for _, form in sorted(in_effect)]
    expired = sorted(TODAY + dt.timedelta(days=n) for n in d["certificates"] if n < 0)
    if expired:
        out["certificates_valid"] = [e.isoformat() for e in expired]
    return out


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(d=data)
def test_record_rules_match_the_data_in_both_paths(lab: Lab, d: dict[str, Any]) -> None:
    savepoint = lab.session.begin_nested()
    try:
        s, ctx = lab.session, lab.ctx
        post = lab.post(
            lab.profile(
                "R",
                {
                    "recent_evaluations": {
                        "count": d["need"]["count"],
                        "min_classification": d["need"]["minimum"],
                    },
                    "no_discipline_in_effect": True,
                    "certificates_valid": True,
                },
            )
        )
        person = lab.world.persons["b"]
        lab.appoint(person, post, dt.date(2015, 1, 1))
        for back, cls in enumerate(d["years"], start=1):
            if cls is not None:
                create_evaluation(
                    s,
                    ctx,
                    EvaluationCreate(
                        person_id=person.id,
                        period=str(TODAY.year - back),
                        general_points=20,
                        task_points=40,
                        override_classification=cls,
                        override_reason="kết luận của cấp có thẩm quyền",
                    ),
                )
        for form, ago, lasting in d["disciplines"]:
            decided = TODAY - dt.timedelta(days=ago)
            lab.discipline(
                person,
                form,
                decided,
                until=None if lasting is None else decided + dt.timedelta(days=lasting),
            )
        for n in d["certificates"]:
            create_qualification(
                s,
                ctx,
                QualificationCreate(
                    person_id=person.id,
                    kind="it",
                    level="co_ban",
                    awarded_on=dt.date(2014, 1, 1),
                    expires_on=TODAY + dt.timedelta(days=n),
                ),
            )
        listed = {
            f.rule: f
            for f in evaluate(s, on=TODAY)
            if f.person_id == person.id
            and f.rule not in ("missing_evaluation", "evaluation_cap_outdated")
        }
        expected = _expected(d)
        assert set(listed) == set(expected)
        for rule, want in expected.items():
            found = listed[rule].found
            if rule == "certificates_valid":
                found = [c["expired_on"] for c in found]
            if rule == "no_discipline_in_effect":  # same-day decisions: any order
                found, want = sorted(found), sorted(want)
            assert found == want, rule
        with evaluated(s, on=TODAY) as sc:
            scratch = [Finding.from_row(r._mapping) for r in s.execute(sc.joined())]
        assert {f.key: f.details() for f in scratch} == {
            f.key: f.details() for f in evaluate(s, on=TODAY)
        }
    finally:
        savepoint.rollback()
