"""The explanation of each finding built in the database: exact values and evidence, the same
in a listed evaluation and in a full run's alerts, and a second run that changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from registry.alerts.models import Alert
from registry.alerts.service import reevaluate_people, run_full
from registry.assignments.models import Assignment
from registry.evaluations.service import create_evaluation
from registry.history import RecordVersion
from registry.qualifications.service import create_qualification
from registry.standards.engine import evaluate
from registry.standards.rule_names import RULE_NAMES
from schemas.evaluations import EvaluationCreate
from schemas.qualifications import QualificationCreate
from tests.standards.conftest import TODAY, Lab

APPOINTED = dt.date(2024, 3, 1)
RULES = {
    "political_theory": {"min_level": "trung_cap"},
    "recent_evaluations": {"count": 2, "min_classification": "HTT"},
    "no_discipline_in_effect": True,
    "certificates_valid": True,
}


def _holder_short_of_everything(lab: Lab) -> dict[str, Any]:
    post = lab.post(lab.profile("ALL", RULES))
    person = lab.world.persons["a"]
    lab.appoint(person, post, APPOINTED)
    ctx, s = lab.ctx, lab.session
    low = create_qualification(
        s, ctx, QualificationCreate(person_id=person.id, kind="political_theory", level="so_cap")
    )
    expired_on = TODAY - dt.timedelta(days=40)
    cert = create_qualification(
        s,
        ctx,
        QualificationCreate(
            person_id=person.id,
            kind="it",
            level="co_ban",
            awarded_on=dt.date(2020, 1, 1),
            expires_on=expired_on,
        ),
    )
    for year, cls in ((TODAY.year - 1, "HTT"), (TODAY.year - 2, "HT")):
        create_evaluation(
            s,
            ctx,
            EvaluationCreate(
                person_id=person.id,
                period=str(year),
                general_points=20,
                task_points=40,
                override_classification=cls,  # type: ignore[arg-type]
                override_reason="kết luận của cấp có thẩm quyền",
            ),
        )
    decided = max(TODAY - dt.timedelta(days=10), TODAY.replace(month=1, day=1))
    # long over: not evidence
    spent = lab.discipline(person, "reprimand", dt.date(2015, 5, 1), until=dt.date(2016, 5, 1))
    current = lab.discipline(person, "warning", decided)
    return {
        "post": post,
        "person": person,
        "low": low,
        "cert": cert,
        "expired_on": expired_on,
        "spent": spent,
        "current": current,
        "decided": decided,
    }


def test_each_explanation_is_exact(lab: Lab) -> None:
    w = _holder_short_of_everything(lab)
    got = {f.rule: f for f in evaluate(lab.session, on=TODAY) if f.person_id == w["person"].id}
    assert set(got) >= {
        "qualification.political_theory",
        "recent_evaluations",
        "no_discipline_in_effect",
        "certificates_valid",
    }
    q = got["qualification.political_theory"]
    assert q.found == "so_cap"
    assert q.evidence == [{"table": "qualifications", "id": str(w["low"].id)}]
    assert q.since == APPOINTED
    e = got["recent_evaluations"]
    assert e.found == "1 of 2 years at HTT or better"
    assert e.requirement == {
        "years": [str(TODAY.year - 1), str(TODAY.year - 2)],
        "min_classification": "HTT",
    }
    assert e.since == TODAY.replace(month=1, day=1)
    d = got["no_discipline_in_effect"]
    assert d.found == ["warning"]  # the spent reprimand is not in effect
    assert d.evidence == [{"table": "disciplines", "id": str(w["current"].id)}]
    assert d.since == w["decided"]
    c = got["certificates_valid"]
    assert c.found == [{"kind": "it", "expired_on": w["expired_on"].isoformat()}]
    assert c.evidence == [{"table": "qualifications", "id": str(w["cert"].id)}]
    assert c.since == w["expired_on"] + dt.timedelta(days=1)
    for rule, f in got.items():
        if rule != "missing_evaluation":  # a rule of every post, not of the standard
            assert f.standard is not None and f.standard["code"] == "ALL", rule


def test_alerts_carry_the_same_explanations_and_a_second_run_changes_nothing(lab: Lab) -> None:
    _holder_short_of_everything(lab)
    listed = {f.key: f for f in evaluate(lab.session, on=TODAY)}
    counts = run_full(lab.session)
    assert counts["opened"] == counts["findings"] == len(listed)
    alerts = {a.active_key: a for a in lab.session.scalars(sa.select(Alert))}
    assert set(alerts) == set(listed)
    for key, alert in alerts.items():
        f = listed[key]
        assert alert.details == f.details(), key
        assert (alert.since, alert.rule, alert.person_id) == (f.since, f.rule, f.person_id)

    def alert_versions() -> int:
        return (
            lab.session.scalar(
                sa.select(sa.func.count())
                .select_from(RecordVersion)
                .where(RecordVersion.table_name == "alerts")
            )
            or 0
        )

    before = alert_versions()
    again = run_full(lab.session)
    assert (again["opened"], again["resolved"], again["updated"]) == (0, 0, 0)
    assert alert_versions() == before  # nothing restated, nothing recorded


def test_a_changed_explanation_restates_the_alert_with_a_version(lab: Lab) -> None:
    w = _holder_short_of_everything(lab)
    run_full(lab.session)
    key = f"qualification.political_theory:{w['post'].id}:{w['person'].id}"
    alert = lab.session.scalars(sa.select(Alert).where(Alert.active_key == key)).one()
    version = alert.version
    w["low"].level = "trung_cap"  # meets it now…
    w["low"].kind = "it"  # …but as another kind: still short of political theory
    lab.session.flush()
    higher = create_qualification(
        lab.session,
        lab.ctx,
        QualificationCreate(person_id=w["person"].id, kind="political_theory", level="so_cap"),
    )
    counts = reevaluate_people(lab.session, {w["person"].id})
    assert counts["updated"] >= 1 and counts["opened"] == 0
    lab.session.refresh(alert)
    assert alert.details["evidence"] == [{"table": "qualifications", "id": str(higher.id)}]
    assert alert.version == version + 1 and alert.status == "open"


def test_two_overlapping_assignments_to_one_post_make_one_finding(lab: Lab) -> None:
    """The service refuses the overlap; records that predate the check (an import of old
    files) may still hold it, and must not raise two alerts for one subject."""
    post = lab.post(lab.profile("PM", {"party_member": True}), headcount=2)
    person = lab.world.persons["b"]
    lab.appoint(person, post, dt.date(2023, 1, 1))
    lab.session.add(
        Assignment(
            person_id=person.id,
            position_id=post.id,
            kind="appointment",
            valid_from=dt.date(2024, 1, 1),
        )
    )
    lab.session.flush()
    keys = [f.key for f in evaluate(lab.session, on=TODAY) if f.rule == "party_member"]
    assert keys == [f"party_member:{post.id}:{person.id}"]
    assert run_full(lab.session)["opened"] >= 1
    active = lab.session.scalars(
        sa.select(Alert).where(Alert.rule == "party_member", Alert.status == "open")
    ).all()
    assert len(active) == 1
    # the two holdings differ in since: the alert must not flip between them night by night
    for _ in range(2):
        again = run_full(lab.session)
        assert (again["opened"], again["updated"], again["resolved"]) == (0, 0, 0)


def test_every_rule_seen_has_a_name_in_both_languages(lab: Lab) -> None:
    _holder_short_of_everything(lab)
    seen = {f.rule for f in evaluate(lab.session, on=TODAY)}
    assert len(seen) >= 5
    assert set(RULE_NAMES["vi"]) == set(RULE_NAMES["en"])
    assert seen <= set(RULE_NAMES["vi"]), seen - set(RULE_NAMES["vi"])
