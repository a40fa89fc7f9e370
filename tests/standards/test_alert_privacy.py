"""Who sees what of an alert: applications nothing; auditors without a stated purpose the
alert but not the sanctions in a discipline finding; findings on a date within one's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from registry.access.service import create_token
from registry.alerts.service import run_full
from registry.positions.service import create_position
from schemas.positions import PositionCreate
from tests.standards.conftest import TODAY, Lab

API = "/api/v1"
PURPOSE = {"X-Purpose": "thanh tra theo QD 12/QD-UBKT"}


def _disciplined_holder(lab: Lab) -> Any:
    post = lab.post(lab.profile("KL", {"no_discipline_in_effect": True}))
    person = lab.world.persons["a"]
    lab.appoint(person, post, dt.date(2024, 1, 1))
    decided = TODAY - dt.timedelta(days=20)
    lab.discipline(person, "warning", decided)
    run_full(lab.session)
    lab.session.commit()
    return post


def _discipline_alert(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    r = client.get(f"{API}/alerts", params={"rule": "no_discipline_in_effect"}, headers=headers)
    assert r.status_code == 200, r.text
    (alert,) = r.json()["items"]
    return dict(alert)


def test_applications_read_no_alerts_findings_or_candidates(client: TestClient, lab: Lab) -> None:
    post = _disciplined_holder(lab)
    service = lab.world.auth("service")
    alert_id = _discipline_alert(client, lab.world.auth("admin"))["id"]
    for url in (
        f"{API}/alerts",
        f"{API}/alerts/{alert_id}",
        f"{API}/alerts/{alert_id}/comments",
        f"{API}/positions/{post.id}/candidates",
        f"{API}/standards/findings?on={TODAY.isoformat()}",
    ):
        r = client.get(url, headers=service)
        assert r.status_code == 403 and "warning" not in r.text, url


def test_auditors_state_a_purpose_to_see_the_sanctions(client: TestClient, lab: Lab) -> None:
    """Without a purpose the alert is withheld entirely (its existence says a discipline is in
    effect): absent from lists and findings, 404 by id, its rule refused as a filter."""
    _disciplined_holder(lab)
    bare = lab.world.auth("auditor")
    refused = client.get(f"{API}/alerts", params={"rule": "no_discipline_in_effect"}, headers=bare)
    assert refused.status_code == 403
    listed = client.get(f"{API}/alerts", params={"limit": 500}, headers=bare).json()["items"]
    assert "no_discipline_in_effect" not in {a["rule"] for a in listed}
    shown = _discipline_alert(client, bare | PURPOSE)
    assert shown["details"]["found"] == ["warning"] and len(shown["details"]["evidence"]) == 1
    assert client.get(f"{API}/alerts/{shown['id']}", headers=bare).status_code == 404
    one = client.get(f"{API}/alerts/{shown['id']}", headers=bare | PURPOSE).json()
    assert one["details"]["found"] == ["warning"]
    admin = _discipline_alert(client, lab.world.auth("admin"))
    assert admin["details"]["found"] == ["warning"]
    on = {"on": TODAY.isoformat()}
    findings = client.get(f"{API}/standards/findings", params=on, headers=bare).json()["items"]
    assert "no_discipline_in_effect" not in {f["rule"] for f in findings}
    findings = client.get(f"{API}/standards/findings", params=on, headers=bare | PURPOSE).json()[
        "items"
    ]
    (seen,) = [f for f in findings if f["rule"] == "no_discipline_in_effect"]
    assert seen["found"] == ["warning"]


def test_findings_on_a_date_stay_in_the_callers_scope(client: TestClient, lab: Lab) -> None:
    _disciplined_holder(lab)  # a post of the ward's office
    vacant = create_position(
        lab.session,
        lab.ctx,
        PositionCreate(org_unit_id=lab.world.cell_b.id, title="Phó Bí thư CB-B", headcount=1),
    )
    scoped = create_token(lab.session, role="admin", org_code="CB-B", name="t-admin-b")
    lab.session.commit()
    on = {"on": TODAY.isoformat()}
    everywhere = client.get(f"{API}/standards/findings", params=on, headers=lab.world.auth("admin"))
    assert any(f["rule"] == "no_discipline_in_effect" for f in everywhere.json()["items"])
    paged, cursor = [], None
    while True:  # one at a time, by cursor: the same findings in the same order
        one = client.get(
            f"{API}/standards/findings",
            params=on | {"limit": "1"} | ({"cursor": cursor} if cursor else {}),
            headers=lab.world.auth("admin"),
        ).json()
        paged += one["items"]
        cursor = one["next_cursor"]
        if cursor is None:
            break
    assert paged == everywhere.json()["items"] and len(paged) > 1
    mine = client.get(
        f"{API}/standards/findings", params=on, headers={"Authorization": f"Bearer {scoped}"}
    )
    assert mine.status_code == 200
    cell_b = str(lab.world.cell_b.id)
    assert {f["org_unit_id"] for f in mine.json()["items"]} == {cell_b}
    assert str(vacant.id) in {f["position_id"] for f in mine.json()["items"]}
