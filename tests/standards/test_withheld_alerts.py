"""An alert, finding or near miss under a rule made of a closed kind (discipline, party
membership) is that kind's fact: withheld from auditors without a purpose, its rule refused as
a filter; shown to administrators and to auditors who state a purpose."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from registry.alerts.service import run_full
from tests.standards.conftest import TODAY, Lab

CLOSED = {"no_discipline_in_effect", "party_member"}


def _setup(lab: Lab) -> tuple[str, str]:
    profile = lab.profile("KL", {"no_discipline_in_effect": True, "party_member": True})
    post = lab.post(profile)
    person = lab.world.persons["a"]
    lab.appoint(person, post, dt.date(2025, 1, 1))
    lab.discipline(person, "warning", TODAY - dt.timedelta(days=30))
    run_full(lab.session)
    lab.session.commit()
    return str(post.id), str(person.id)


def test_closed_rules_are_withheld_without_a_purpose(client: TestClient, lab: Lab) -> None:
    _setup(lab)
    w = lab.world
    bare = w.auth("auditor")
    purposed = bare | {"X-Purpose": "thanh tra"}

    def rules(headers: dict[str, str]) -> set[str]:
        r = client.get("/api/v1/alerts", params={"limit": 500}, headers=headers)
        assert r.status_code == 200, r.text
        return {a["rule"] for a in r.json()["items"]}

    assert rules(w.auth("admin")) >= CLOSED
    assert rules(purposed) >= CLOSED
    assert not CLOSED & rules(bare)
    refused = client.get("/api/v1/alerts", params={"rule": "party_member"}, headers=bare)
    assert refused.status_code == 403
    assert refused.json()["error"]["issues"][0]["field"] == "query.rule"
    # one withheld alert opened by id answers as a missing one
    hidden = client.get(
        "/api/v1/alerts", params={"rule": "no_discipline_in_effect"}, headers=purposed
    ).json()["items"][0]["id"]
    assert client.get(f"/api/v1/alerts/{hidden}", headers=bare).status_code == 404
    assert client.get(f"/api/v1/alerts/{hidden}/comments", headers=bare).status_code == 404
    on = {"on": TODAY.isoformat()}
    found = client.get("/api/v1/standards/findings", params=on, headers=bare).json()["items"]
    assert not CLOSED & {f["rule"] for f in found}
    found = client.get("/api/v1/standards/findings", params=on, headers=purposed).json()["items"]
    assert {f["rule"] for f in found} >= CLOSED


def test_near_misses_do_not_name_a_closed_rule(client: TestClient, lab: Lab) -> None:
    post, _ = _setup(lab)
    w = lab.world
    bare = w.auth("auditor")
    url = f"/api/v1/positions/{post}/candidates"
    for headers, closed_seen in ((bare, False), (w.auth("admin"), True)):
        r = client.get(url, params={"near_miss": 5}, headers=headers)
        assert r.status_code == 200, r.text
        lacks = {x["rule"] for n in r.json()["near_misses"] for x in n["lacks"]}
        assert bool(CLOSED & lacks) is closed_seen, lacks


def test_the_change_log_withholds_them_too(client: TestClient, lab: Lab) -> None:
    """A change log is an output like a list: the history of a withheld alert (its rule, its
    person, its unit) is not there for who may not see the alert, and is for who may."""
    _setup(lab)
    w = lab.world
    bare = w.auth("auditor")
    purposed = bare | {"X-Purpose": "thanh tra"}

    def logged(headers: dict[str, str]) -> dict[str, set[str]]:
        r = client.get("/api/v1/changes", params={"table": "alerts", "limit": 200}, headers=headers)
        assert r.status_code == 200, r.text
        out: dict[str, set[str]] = {}
        for change in r.json()["items"]:
            for f in change["changes"]:
                if f["field"] == "rule" and f["new"]:
                    out.setdefault(f["new"], set()).add(change["object_id"])
        return out

    everyone = logged(purposed)
    assert set(everyone) >= CLOSED and set(everyone) - CLOSED  # open rules are logged too
    without = logged(bare)
    assert not CLOSED & set(without)
    assert {r: ids for r, ids in everyone.items() if r not in CLOSED} == without
    hidden = next(iter(everyone["party_member"]))
    history = client.get("/api/v1/changes", params={"object": hidden}, headers=bare)
    assert history.status_code == 404, history.text  # as the alert itself answers
