"""The party obligations of every party member, with a post or without (issue 13), and the
reconciliation of the party registers by each party organisation; each scenario is named
with its legal source, on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from registry.alerts.models import Alert
from registry.alerts.service import acknowledge, reevaluate_people, run_full
from registry.party import records as pr
from registry.standards.engine import evaluate
from registry.standards.findings import finding_key
from registry.standards.inputs import add_months
from schemas import party as sp
from tests.standards.conftest import TODAY, Lab
from tests.standards.rules_kit import hold, member, person


def _closed_months(n: int) -> list[str]:
    """The last ``n`` closed months, newest first, as YYYY-MM."""
    first = TODAY.replace(day=1)
    return [add_months(first, -i).strftime("%Y-%m") for i in range(1, n + 1)]


def _pay(lab: Lab, who: Any, months: list[str]) -> None:
    for month in months:
        pr.create_dues_payment(
            lab.session,
            lab.ctx,
            sp.PartyDuesPaymentCreate(
                person_id=who.id, month=month, amount_vnd=45_000, paid_on=TODAY
            ),
        )


def _reconciled(lab: Lab, on: dt.date) -> Any:
    return pr.create_reconciliation(
        lab.session,
        lab.ctx,
        sp.PartyRegisterReconciliationCreate(
            org_unit_id=lab.world.cell_a.id,
            period=f"{on.year}-H{1 if on.month <= 6 else 2}",
            reconciled_on=on,
            members_in_register=1,
            members_in_files=1,
        ),
    )


def _member_findings(lab: Lab, who: Any, rule: str) -> list[Any]:
    return [f for f in evaluate(lab.session, on=TODAY) if f.rule == rule and f.person_id == who.id]


def test_probation_of_a_member_without_a_post_regulation_232(lab: Lab) -> None:
    """Regulation 232-QĐ/TW: an ordinary member of a cell, probationary past 12 months with
    no decision, is overdue; the subject is the member in their party cell."""
    late, recent = person(lab), person(lab)
    member(lab, late, TODAY - dt.timedelta(days=400), official=False)
    member(lab, recent, TODAY - dt.timedelta(days=200), official=False)
    (overdue,) = _member_findings(lab, late, "probation_overdue")
    assert overdue.position_id is None and overdue.org_unit_id == lab.world.cell_a.id
    assert overdue.key == f"probation_overdue:member:{late.id}"
    assert overdue.requirement == {"probation_months": 12}
    assert not _member_findings(lab, recent, "probation_overdue")
    pr.create_probation(
        lab.session,
        lab.ctx,
        sp.PartyProbationCreate(
            person_id=late.id, outcome="official", decided_on=TODAY - dt.timedelta(days=3)
        ),
    )
    assert not _member_findings(lab, late, "probation_overdue")


def test_transfer_of_a_member_without_a_post_guidance_01(lab: Lab) -> None:
    """Regulation 232-QĐ/TW, Guidance 01-HD/TW: the introduction letter is issued within 60
    working days of the decision — for a member who holds no post as for a holder."""
    who = person(lab)
    member(lab, who, dt.date(2012, 3, 3))
    t = pr.create_transfer_record(
        lab.session,
        lab.ctx,
        sp.PartyTransferRecordCreate(
            person_id=who.id,
            direction="in",
            from_organisation="Chi bộ Trường THCS Lê Lợi",
            to_cell_id=lab.world.cell_a.id,
            decided_on=TODAY - dt.timedelta(days=120),
        ),
    )
    (overdue,) = _member_findings(lab, who, "transfer_overdue")
    assert overdue.position_id is None and overdue.found["step"] == "letter_issued"
    pr.update_transfer_record(
        lab.session,
        lab.ctx,
        t,
        sp.PartyTransferRecordUpdate(
            letter_issued_on=TODAY - dt.timedelta(days=3), presented_on=TODAY
        ),
    )
    assert not _member_findings(lab, who, "transfer_overdue")


def test_dues_are_owed_from_admission_regulation_01(lab: Lab) -> None:
    """Regulation 01-QĐ/TW, Điều lệ Đảng: dues are owed from admission; a member admitted a
    year ago who never paid is in arrears (12 of 12 months), not judged from a first payment
    that never came. One admitted two months ago owes two months: not (yet) in arrears."""
    never, new, paying = person(lab), person(lab), person(lab)
    member(lab, never, add_months(TODAY, -13), official=False)
    member(lab, new, add_months(TODAY.replace(day=1), -2), official=False)
    member(lab, paying, dt.date(2010, 5, 19))
    _pay(lab, paying, _closed_months(12))
    (arrears,) = _member_findings(lab, never, "dues_arrears")
    assert (
        arrears.found == {"unpaid_months": 12, "window_months": 12} and arrears.position_id is None
    )
    assert not _member_findings(lab, new, "dues_arrears")
    assert not _member_findings(lab, paying, "dues_arrears")
    _pay(lab, never, _closed_months(12)[:10])
    assert not _member_findings(lab, never, "dues_arrears")


def test_a_member_who_holds_a_post_is_judged_once_with_the_post_regulation_01(lab: Lab) -> None:
    """Regulation 01-QĐ/TW: a holder of a post who never paid has one finding, of the post
    and its holder, and none as a member without a post."""
    post = lab.post()
    who = person(lab)
    hold(lab, who, post, dt.date(2024, 1, 1))
    member(lab, who, dt.date(2010, 5, 19))
    (arrears,) = _member_findings(lab, who, "dues_arrears")
    assert arrears.position_id == post.id and arrears.org_unit_id == lab.world.office.id
    assert arrears.key == finding_key("dues_arrears", post.id, who.id)
    past = person(lab)
    hold(lab, past, post, dt.date(2020, 1, 1), end=dt.date(2023, 12, 31))
    member(lab, past, dt.date(2010, 5, 19))
    # a post held in the past is no post on the date: judged as a member, once
    (only,) = _member_findings(lab, past, "dues_arrears")
    assert only.position_id is None


def test_registers_not_reconciled_in_six_months_is_a_finding_of_the_cell_guidance_01(
    lab: Lab,
) -> None:
    """Guidance 01-HD/TW: a party cell with members reconciles its registers every 6 months;
    the subject is the cell (no post, no person). A cell never reconciled is overdue once its
    earliest member was admitted longer ago than the period; a cell without members is not."""

    def cells() -> dict[Any, Any]:
        return {
            f.org_unit_id: f
            for f in evaluate(lab.session, on=TODAY)
            if f.rule == "register_reconciliation_overdue"
        }

    who = person(lab)
    member(lab, who, add_months(TODAY, -2), official=False)
    assert not cells()  # the only member joined two months ago
    older = person(lab)
    m = member(lab, older, dt.date(2010, 5, 19))
    assert m.party_cell_id == lab.world.cell_a.id
    found = cells()
    assert set(found) == {lab.world.cell_a.id}  # CB-B has no members
    overdue = found[lab.world.cell_a.id]
    assert overdue.position_id is None and overdue.person_id is None
    assert overdue.key == f"register_reconciliation_overdue:unit:{lab.world.cell_a.id}"
    assert overdue.requirement == {"every_months": 6}
    assert overdue.found["last_reconciled_on"] is None and overdue.found["members"] == 2
    stale = _reconciled(lab, add_months(TODAY, -7))
    assert cells()[lab.world.cell_a.id].evidence == [
        {"table": "party_register_reconciliations", "id": str(stale.id)}
    ]
    _reconciled(lab, TODAY)
    assert not cells()


def _alerts(lab: Lab, rule: str) -> list[Alert]:
    return list(lab.session.scalars(sa.select(Alert).where(Alert.rule == rule)))


def test_alerts_of_members_and_cells_open_acknowledge_and_resolve_regulation_01(
    lab: Lab,
) -> None:
    """Regulation 01-QĐ/TW and Guidance 01-HD/TW: a member without a post in arrears and a
    cell not reconciled each raise one alert, keyed by the member / the cell; a second run
    changes nothing; an acknowledged alert stays one; paying and reconciling resolve them.
    A run about the member (in the request that records a payment) leaves the cell's alert
    alone."""
    who = person(lab)
    member(lab, who, dt.date(2010, 5, 19))
    run_full(lab.session)
    (dues,) = _alerts(lab, "dues_arrears")
    (cell,) = _alerts(lab, "register_reconciliation_overdue")
    assert dues.active_key == f"dues_arrears:member:{who.id}" and dues.position_id is None
    assert dues.person_id == who.id and dues.org_unit_id == lab.world.cell_a.id
    assert cell.active_key == f"register_reconciliation_overdue:unit:{lab.world.cell_a.id}"
    assert cell.person_id is None and cell.position_id is None
    acknowledge(lab.session, lab.ctx, dues.id)
    again = run_full(lab.session)
    assert (again["opened"], again["resolved"], again["updated"]) == (0, 0, 0)
    assert reevaluate_people(lab.session, {who.id}).total() == 0
    _pay(lab, who, _closed_months(12))
    reevaluate_people(lab.session, {who.id})
    lab.session.refresh(dues)
    lab.session.refresh(cell)
    assert dues.status == "resolved" and dues.active_key is None
    assert cell.status == "open"
    _reconciled(lab, TODAY)  # resolves the cell's alert in the same request
    lab.session.refresh(cell)
    assert cell.status == "resolved" and cell.active_key is None
    again = run_full(lab.session)
    assert (again["opened"], again["resolved"], again["updated"]) == (0, 0, 0)


def test_a_stale_reconciliation_restates_the_cell_alert_as_a_full_run_would_guidance_01(
    lab: Lab,
) -> None:
    """Guidance 01-HD/TW: a cell never reconciled is overdue; recording a reconciliation of
    eight months ago leaves it overdue, the alert restated in the same request as a full run
    would state it (the next run changes nothing)."""
    member(lab, person(lab), dt.date(2010, 5, 19))
    run_full(lab.session)
    (cell,) = _alerts(lab, "register_reconciliation_overdue")
    assert cell.details["found"]["last_reconciled_on"] is None
    old = add_months(TODAY, -8)
    r = _reconciled(lab, old)
    lab.session.refresh(cell)
    assert cell.status == "open" and cell.details["found"]["last_reconciled_on"] == old.isoformat()
    assert cell.details["evidence"] == [
        {"table": "party_register_reconciliations", "id": str(r.id)}
    ]
    again = run_full(lab.session)
    assert (again["opened"], again["resolved"], again["updated"]) == (0, 0, 0)


def test_member_alert_moves_to_the_post_when_the_member_is_appointed_regulation_01(
    lab: Lab,
) -> None:
    """Regulation 01-QĐ/TW: once the member holds a post, the finding is of the post and its
    holder; the member's alert resolves and the holder's opens — never both active."""
    who = person(lab)
    member(lab, who, dt.date(2010, 5, 19))
    run_full(lab.session)
    post = lab.post()
    hold(lab, who, post, TODAY - dt.timedelta(days=1))
    reevaluate_people(lab.session, {who.id})
    active = [a for a in _alerts(lab, "dues_arrears") if a.active_key is not None]
    assert [a.active_key for a in active] == [f"dues_arrears:{post.id}:{who.id}"]


def test_member_alerts_are_masked_and_withheld_as_party_records_regulation_01(
    client: TestClient, lab: Lab
) -> None:
    """Regulation 01-QĐ/TW; Decree 13/2023 (special category): an alert of no post tells of
    party membership: withheld from an auditor without a purpose, shown with one."""
    who = person(lab)
    member(lab, who, dt.date(2010, 5, 19))
    run_full(lab.session)
    lab.session.commit()
    w = lab.world

    def rules(headers: dict[str, str]) -> set[str]:
        r = client.get("/api/v1/alerts", params={"limit": 500}, headers=headers)
        assert r.status_code == 200, r.text
        return {a["rule"] for a in r.json()["items"]}

    party = {"dues_arrears", "register_reconciliation_overdue"}
    assert rules(w.auth("admin")) >= party
    assert rules(w.auth("auditor") | {"X-Purpose": "thanh tra"}) >= party
    assert not rules(w.auth("auditor")) & party
    r = client.get(
        "/api/v1/standards/findings", params={"on": TODAY.isoformat()}, headers=w.auth("admin")
    )
    assert r.status_code == 200, r.text
    mine = [f for f in r.json()["items"] if f["rule"] == "dues_arrears"]
    assert [(f["position_id"], f["person_id"]) for f in mine] == [(None, str(who.id))]
