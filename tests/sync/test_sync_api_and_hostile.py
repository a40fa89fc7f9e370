"""Sync through the API (runs, conflicts, dead letters, metrics) and hostile replies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import sync.jobs  # noqa: F401 - registers the jobs
from registry.access.service import create_token
from registry.app import create_app
from registry.persons.models import IdentityVerification, Person
from registry.persons.service import update_person
from schemas.persons import PersonUpdate
from sync.models import Conflict, OutboxItem, Quarantined
from sync.runs import run_job
from tests.sync.conftest import Ward
from tests.sync.test_jobs_converge import _nid


@pytest.fixture
def api(ward: Ward) -> Iterator[tuple[TestClient, dict[str, str]]]:
    app = create_app(ward.rt.settings, sessions=ward.rt.sessions, keys=ward.rt.key_provider)
    with ward.rt.sessions() as session:
        ward.rt.system_ctx(session, reason="tokens")
        token = create_token(session, role="admin", org_code=None, name="api test")
        session.commit()
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {token}"}


def test_runs_and_metrics_are_visible(ward: Ward, api: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = api
    assert run_job(ward.rt, "population-verify") is not None
    runs = client.get("/api/v1/sync/runs", headers=auth).json()["items"]
    assert runs[0]["job"] == "population-verify" and runs[0]["counts"]["verified"] == 7
    metrics = client.get("/metrics").text
    assert 'cadre_sync_runs_total{job="population-verify",status="ok"}' in metrics


def test_a_ward_seeded_from_its_registry_pulls_without_a_conflict(ward: Ward) -> None:
    """The simulators of ``make run`` hold what the registry holds: a first pull agrees."""
    pulled = run_job(ward.rt, "civil-service-pull")
    assert pulled is not None and pulled.status == "ok"
    assert pulled.counts["conflicts"] == 0


def test_a_local_edit_since_sync_becomes_a_conflict_resolved_by_an_admin(
    ward: Ward, api: tuple[TestClient, dict[str, str]]
) -> None:
    client, auth = api
    person = ward.officials[0]
    assert run_job(ward.rt, "civil-service-pull") is not None
    with ward.rt.sessions() as session:  # an officer corrects the rank by hand
        p = session.get(Person, person.id)
        assert p is not None
        update_person(
            session,
            ward.rt.system_ctx(session, reason="manual rank"),
            p,
            PersonUpdate(rank_code="01.002"),
        )
        session.commit()
    ward.cs.store.touch(_nid(ward, person), rank_code="01.004")
    pulled = run_job(ward.rt, "civil-service-pull")
    assert pulled is not None and pulled.counts["conflicts"] == 1
    open_ = client.get("/api/v1/sync/conflicts", headers=auth).json()["items"]
    assert [(c["field"], c["local_value"], c["remote_value"]) for c in open_] == [
        ("rank_code", "01.002", "01.004")
    ]
    r = client.post(
        f"/api/v1/sync/conflicts/{open_[0]['id']}/resolve",
        json={"resolution": "take_remote"},
        headers=auth | {"X-Change-Reason": "the ministry is right"},
    )
    assert r.status_code == 200, r.text
    with ward.rt.sessions() as session:
        p = session.get(Person, person.id)
        assert p is not None and p.rank_code == "01.004"
        assert session.scalar(sa.select(Conflict.status)) == "resolved"
    again = client.post(
        f"/api/v1/sync/conflicts/{open_[0]['id']}/resolve",
        json={"resolution": "keep_local"},
        headers=auth | {"X-Change-Reason": "twice"},
    )
    assert again.status_code == 409


def test_a_refused_payload_is_quarantined_then_replayable(
    ward: Ward, api: tuple[TestClient, dict[str, str]]
) -> None:
    client, auth = api
    ward.cs.store.agencies = frozenset({"H99"})  # the ministry no longer knows our agency
    push = run_job(ward.rt, "civil-service-push")
    assert push is not None and push.counts["quarantined"] == len(ward.officials)
    with ward.rt.sessions() as session:
        reasons = list(session.scalars(sa.select(Quarantined.reason)))
        assert reasons and all("unknown_code" in r for r in reasons)
    listed = client.get("/api/v1/sync/outbox", params={"status": "quarantined"}, headers=auth)
    items = listed.json()["items"]
    assert len(items) == len(ward.officials)
    ward.cs.store.agencies = frozenset({"H31", "H31.11311"})
    r = client.post(
        f"/api/v1/sync/outbox/{items[0]['id']}/replay",
        headers=auth | {"X-Change-Reason": "agency list fixed"},
    )
    assert r.status_code == 200 and r.json()["status"] == "pending"
    replayed = run_job(ward.rt, "civil-service-push")
    assert replayed is not None and replayed.counts.get("pushed") == 1, replayed.counts
    assert (
        client.post(
            "/api/v1/sync/outbox/999999/replay", headers=auth | {"X-Change-Reason": "x"}
        ).status_code
        == 404
    )


def test_a_badly_signed_population_answer_is_refused_and_the_job_carries_on(ward: Ward) -> None:
    ward.pop.knobs.bad_signature_rate = 1.0
    run = run_job(ward.rt, "population-verify")
    assert run is not None and run.counts["quarantined"] >= 1
    with ward.rt.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Quarantined)) >= 1
        assert session.scalar(sa.select(sa.func.count()).select_from(IdentityVerification)) == 0
    events = run_job(ward.rt, "population-events")
    assert events is not None and events.counts["quarantined"] == 1  # cursor did not move
    ward.pop.knobs.bad_signature_rate = 0.0
    assert run_job(ward.rt, "population-verify") is not None


def test_dead_letter_after_repeated_transient_failures(ward: Ward) -> None:
    ward.cs.knobs.error_rate = 1.0
    for _ in range(9):
        run = run_job(ward.rt, "civil-service-push")
        assert run is not None
        with ward.rt.sessions() as session:
            session.execute(sa.update(OutboxItem).values(available_at=sa.func.now()))
            session.commit()
    with ward.rt.sessions() as session:
        statuses = set(session.scalars(sa.select(OutboxItem.status)))
    assert statuses == {"dead"}


def _all_pages(client: TestClient, url: str, params: dict[str, str], auth: dict[str, str]) -> list:
    seen, cursor = [], None
    while True:
        body = client.get(url, params=params | ({"cursor": cursor} if cursor else {}), headers=auth)
        assert body.status_code == 200, body.text
        seen += body.json()["items"]
        cursor = body.json()["next_cursor"]
        if cursor is None:
            return seen


def test_runs_and_the_outbox_page_by_cursor(
    ward: Ward, api: tuple[TestClient, dict[str, str]]
) -> None:
    client, auth = api
    for _ in range(3):
        assert run_job(ward.rt, "population-verify") is not None
    whole = client.get("/api/v1/sync/runs", headers=auth).json()
    assert whole["next_cursor"] is None and len(whole["items"]) >= 3
    paged = _all_pages(client, "/api/v1/sync/runs", {"limit": "1"}, auth)
    assert [r["id"] for r in paged] == [r["id"] for r in whole["items"]]  # newest first
    ward.cs.store.agencies = frozenset({"H99"})
    assert run_job(ward.rt, "civil-service-push") is not None
    params = {"status": "quarantined"}
    whole_box = client.get("/api/v1/sync/outbox", params=params, headers=auth).json()["items"]
    assert len(whole_box) == len(ward.officials) > 1
    paged = _all_pages(client, "/api/v1/sync/outbox", params | {"limit": "1"}, auth)
    assert [i["id"] for i in paged] == [i["id"] for i in whole_box]
    for url in ("/api/v1/sync/runs", "/api/v1/sync/outbox", "/api/v1/sync/conflicts"):
        bad = client.get(url, params={"cursor": "bm90LWEtY3Vyc29y"}, headers=auth)
        assert bad.status_code == 422 and "query.cursor" in bad.text, (url, bad.text)
