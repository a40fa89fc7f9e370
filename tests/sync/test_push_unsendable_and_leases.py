"""Items that cannot be sent are quarantined on their first attempt without failing the run;
a push run takes back at once the leases a dead run left, and pushes each change once."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import sync.jobs  # noqa: F401 - registers the jobs
from registry.access.service import create_token
from registry.app import create_app
from registry.assignments.service import create_assignment
from registry.persons.service import create_person
from registry.positions.models import Position
from registry.positions.service import create_position
from schemas.assignments import AssignmentCreate
from schemas.persons import PersonCreate
from schemas.positions import PositionCreate
from sync import clients
from sync.jobs.civil_service_push import drain
from sync.models import OutboxItem, Quarantined
from sync.runs import JobRun, run_job
from tests.sync.conftest import Ward
from tests.sync.test_jobs_converge import _agree_with_civil_service
from tests.sync.test_sync_state_machine import Crashing, SimulatedCrash


@pytest.fixture
def api(ward: Ward) -> Iterator[tuple[TestClient, dict[str, str]]]:
    app = create_app(ward.rt.settings, sessions=ward.rt.sessions, keys=ward.rt.key_provider)
    with ward.rt.sessions() as session:
        ward.rt.system_ctx(session, reason="tokens")
        token = create_token(session, role="admin", org_code=None, name="push test")
        session.commit()
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {token}"}


def _appoint(ward: Ward, *, nid: str | None, decision_no: str, legacy: bool = False) -> None:
    """A new official on the ward's post (the outbox hears of it). ``legacy``: the decision
    number as a row recorded before the text rule refused invisible characters at entry."""
    with ward.rt.sessions() as session:
        ctx = ward.rt.system_ctx(session, reason="new official")
        office = session.scalars(sa.select(Position.org_unit_id)).first()
        assert office is not None
        post = create_position(
            session, ctx, PositionCreate(org_unit_id=office, title="Công chức Tư pháp - Hộ tịch")
        )
        person = create_person(
            session,
            ctx,
            PersonCreate(
                org_unit_id=office,
                nid=nid,
                family_name="Trần",
                middle_name="Thị",
                given_name="Thu",
                birth_date="1990-04-12",
                sex="F",
                ethnicity_code="01",
                religion_code="00",
            ),
        )
        make = AssignmentCreate.model_construct if legacy else AssignmentCreate
        create_assignment(
            session,
            ctx,
            make(
                person_id=person.id,
                position_id=post.id,
                kind="appointment",
                valid_from=dt.date(2024, 3, 1),
                decision_no=decision_no,
            ),
        )
        session.commit()


def _quarantined(ward: Ward) -> list[OutboxItem]:
    with ward.rt.sessions() as session:
        return list(
            session.scalars(sa.select(OutboxItem).where(OutboxItem.status == "quarantined"))
        )


def test_an_official_without_an_identification_number_is_quarantined_and_the_run_is_ok(
    ward: Ward, api: tuple[TestClient, dict[str, str]]
) -> None:
    client, auth = api
    _appoint(ward, nid=None, decision_no="31/QĐ-UBND")
    push = run_job(ward.rt, "civil-service-push")
    assert push is not None and push.status == "ok", (push.status, push.errors) if push else None
    assert push.counts["unsendable"] == 1 and push.counts["pushed"] == len(ward.officials)
    [item] = _quarantined(ward)
    assert item.attempts == 1 and item.last_error is not None
    assert "no identification number" in item.last_error
    listed = client.get("/api/v1/sync/outbox", params={"status": "quarantined"}, headers=auth)
    shown = [(i["id"], i["last_error"]) for i in listed.json()["items"]]
    assert shown == [(item.id, item.last_error)]
    with ward.rt.sessions() as session:
        reasons = list(session.scalars(sa.select(Quarantined.reason)))
    assert reasons == [item.last_error]  # kept for inspection with the same reason
    again = run_job(ward.rt, "civil-service-push")  # claimed once, never again
    assert again is not None and again.status == "ok" and not again.counts.get("unsendable")
    assert _quarantined(ward)[0].attempts == 1


def test_content_the_contract_cannot_carry_is_quarantined_naming_the_field(ward: Ward) -> None:
    # A zero-width space pasted from a word processor into a row recorded before the entry
    # rule refused it: the contract refuses invisible characters.
    _appoint(ward, nid="031190009876", decision_no="31/QĐ\u200b-UBND", legacy=True)
    push = run_job(ward.rt, "civil-service-push")
    assert push is not None and push.status == "ok", push.errors if push else None
    [item] = _quarantined(ward)
    assert item.last_error is not None
    assert "work_history.0.decision_no" in item.last_error and "\u200b" not in item.last_error
    assert "031190009876" not in item.last_error


def test_a_push_after_a_crash_takes_the_dead_runs_leases_back_and_pushes_each_once(
    ward: Ward,
) -> None:
    ward.rt.settings.sync_lease_seconds = 3600  # waiting out a lease would take an hour
    applied: list[tuple[str, str]] = []
    original = ward.cs.store._write

    def recording(req: Any) -> Any:
        answer = original(req)
        if answer.status in (200, 201):
            applied.append((req.nid, hashlib.sha256(req.raw).hexdigest()))
        return answer

    ward.cs.store._write = recording  # type: ignore[method-assign]
    client = clients.civil_service(ward.rt)
    try:
        with pytest.raises(SimulatedCrash):  # dies right after its second write
            drain(JobRun(ward.rt, "civil-service-push"), Crashing(client, 2))  # type: ignore[arg-type]
    finally:
        client.close()
    with ward.rt.sessions() as session:
        leased = session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.lease_until.is_not(None))
        )
    # one batch claimed; two sent; the second is applied there but not marked done here
    assert leased == len(ward.officials) - 1 and len(applied) == 2
    push = run_job(ward.rt, "civil-service-push")
    assert push is not None and push.status == "ok", push.errors if push else None
    assert push.counts["leases_recovered"] == len(ward.officials) - 1
    with ward.rt.sessions() as session:
        statuses = set(session.scalars(sa.select(OutboxItem.status)))
    assert statuses == {"done"}
    assert len(applied) == len(ward.officials) == len(set(applied)), applied
    pull = run_job(ward.rt, "civil-service-pull")  # what they own comes back
    assert pull is not None and pull.status == "ok"
    _agree_with_civil_service(ward)


def test_a_push_stopped_by_faults_is_partial_and_says_what_is_left(ward: Ward) -> None:
    ward.cs.knobs.error_rate = 1.0
    push = run_job(ward.rt, "civil-service-push")
    assert push is not None and push.status == "partial"
    assert push.counts["left"] == {"pending": len(ward.officials)}
    # Every item was tried and put back for later; one whose (fully jittered, so possibly
    # near-zero) back-off ran out within the run may have been tried again.
    assert push.counts["retry_later"] >= len(ward.officials)
