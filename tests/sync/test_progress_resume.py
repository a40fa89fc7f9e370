"""Progress that survives trouble: a verification run stopped mid-way by a failing population
database keeps the batches it committed, ends ``partial`` with what is left, and the next run
verifies only the persons not yet verified; a pull resumes at its page, the events feed at
the cursor committed with the last events applied."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import sqlalchemy as sa

import sync.jobs  # noqa: F401 - registers the jobs
from adapters.simkit import SimCore
from registry.persons.models import IdentityVerification
from registry.persons.service import create_person
from schemas.persons import PersonCreate
from sync import cursors
from sync.demo_link import seed_from_registry
from sync.jobs.civil_service_pull import PAGE, PAGE_CURSOR, WATERMARK
from sync.jobs.population import BATCH, VERIFY_CURSOR
from sync.jobs.population import CURSOR as EVENTS_CURSOR
from sync.models import SyncRun
from sync.runs import run_job
from tests.factories import nid_for
from tests.sync.conftest import Ward

SEARCH = "POST /registry/sync/search"
OFFICIALS = "GET /api/v1/officials"
EVENTS = "GET /registry/events"


def _more_people(ward: Ward, count: int) -> None:
    with ward.rt.sessions() as session:
        ctx = ward.rt.system_ctx(session, reason="test: a larger ward")
        for i in range(count):
            create_person(
                session,
                ctx,
                PersonCreate(
                    org_unit_id=ward.officials[0].org_unit_id,
                    nid=nid_for(1970 + i % 30, "M", 900 + i),
                    family_name="Trần",
                    middle_name="Văn",
                    given_name="Khải",
                    birth_date=f"{1970 + i % 30}-05-0{1 + i % 9}",
                    sex="M",
                    ethnicity_code="01",
                    religion_code="00",
                ),
            )
        session.commit()
    seed_from_registry(ward.rt, ward.pop)


def _fail_from_call(core: SimCore, path: str, n: int) -> None:
    """Once call ``n`` to ``path`` has arrived (it waits out the latency knob before it is
    answered), script failures for it and every call after it."""
    deadline = time.monotonic() + 60
    while core.hits[path] < n and time.monotonic() < deadline:
        time.sleep(0.001)
    core.fail_next(*([503] * 50))


def _verified_at(ward: Ward) -> dict[uuid.UUID, dt.datetime]:
    with ward.rt.sessions() as session:
        rows = session.execute(
            sa.select(IdentityVerification.person_id, IdentityVerification.checked_at)
        )
        return {r.person_id: r.checked_at for r in rows}


def test_a_verify_run_stopped_mid_way_keeps_its_progress_and_the_next_continues(
    ward: Ward,
) -> None:
    _more_people(ward, BATCH)  # 7 + 50 persons: two batches
    total = BATCH + len(ward.officials) + len(ward.others)
    # Every call waits a little; once the second batch has arrived, the database fails
    # every call after it (the second batch's included, its retries too).
    ward.pop.knobs.latency = 0.3
    result: list[SyncRun | None] = []
    worker = threading.Thread(target=lambda: result.append(run_job(ward.rt, "population-verify")))
    worker.start()
    _fail_from_call(ward.pop.core, SEARCH, 2)
    worker.join(timeout=120)
    [stopped] = result
    assert stopped is not None
    assert stopped.status == "partial", stopped.errors
    assert stopped.counts["verified"] == BATCH
    assert stopped.counts["left"] == {"persons_to_verify": total - BATCH}
    kept = _verified_at(ward)
    assert len(kept) == BATCH  # the first batch was committed, with its position
    with ward.rt.sessions() as session:
        assert cursors.read(session, VERIFY_CURSOR)

    ward.pop.core.script.clear()
    ward.pop.knobs.latency = 0
    resumed = run_job(ward.rt, "population-verify")
    assert resumed is not None
    assert resumed.status == "ok", resumed.errors
    assert resumed.counts["verified"] == total - BATCH  # only those not yet verified
    after = _verified_at(ward)
    assert len(after) == total
    assert all(after[pid] == at for pid, at in kept.items())  # not verified again
    with ward.rt.sessions() as session:
        assert cursors.read(session, VERIFY_CURSOR) == ""  # the pass is complete

    # The next run is a new pass over everyone.
    again = run_job(ward.rt, "population-verify")
    assert again is not None and again.status == "ok"
    assert again.counts["verified"] == total


def test_a_pull_stopped_by_faults_resumes_at_its_page(ward: Ward) -> None:
    ward.cs.store.seed(PAGE + 100)  # officials of other wards: two pages in all
    ward.cs.knobs.latency = 0.2
    result: list[SyncRun | None] = []
    worker = threading.Thread(target=lambda: result.append(run_job(ward.rt, "civil-service-pull")))
    worker.start()
    _fail_from_call(ward.cs.core, OFFICIALS, 2)
    worker.join(timeout=120)
    [stopped] = result
    assert stopped is not None
    assert stopped.status == "partial", stopped.counts
    assert stopped.counts["pages"] == 1
    assert stopped.counts["left"] == {"pull_pass": 1}
    with ward.rt.sessions() as session:
        assert cursors.read(session, PAGE_CURSOR)  # the first page's position was kept
        assert not cursors.read(session, WATERMARK)  # the pass is not over

    ward.cs.core.script.clear()
    ward.cs.knobs.latency = 0
    resumed = run_job(ward.rt, "civil-service-pull")
    assert resumed is not None
    assert resumed.status == "ok", resumed.errors
    assert resumed.counts["pages"] == 1  # only the page that was left
    with ward.rt.sessions() as session:
        assert cursors.read(session, PAGE_CURSOR) == ""
        assert cursors.read(session, WATERMARK)


def test_an_events_run_stopped_by_faults_keeps_its_cursor_and_the_next_goes_on(
    ward: Ward,
) -> None:
    # 150 people of other wards change: two pages of the feed (100 a page), none linked here.
    for nid in ward.pop.seed_people(150):
        ward.pop.change_identity(nid, religion_code="01")
    ward.pop.knobs.latency = 0.2
    result: list[SyncRun | None] = []
    worker = threading.Thread(target=lambda: result.append(run_job(ward.rt, "population-events")))
    worker.start()
    _fail_from_call(ward.pop.core, EVENTS, 2)
    worker.join(timeout=120)
    [stopped] = result
    assert stopped is not None
    assert stopped.status == "partial", stopped.counts
    assert stopped.counts["events_unlinked"] == 100  # the first page, applied with its cursor
    with ward.rt.sessions() as session:
        first = cursors.read(session, EVENTS_CURSOR)
    assert first

    ward.pop.core.script.clear()
    ward.pop.knobs.latency = 0
    resumed = run_job(ward.rt, "population-events")
    assert resumed is not None
    assert resumed.status == "ok", resumed.errors
    assert resumed.counts["events_unlinked"] == 50  # only the events after the cursor


def test_a_pull_that_runs_out_of_pages_is_partial_not_ok(ward: Ward) -> None:
    """A pass cut short by the page limit (an endless pager, a huge backlog) says so."""
    from sync import clients
    from sync.jobs.civil_service_pull import pull
    from sync.runs import JobRun

    ward.cs.store.seed(PAGE + 100)  # two pages in all
    run = JobRun(rt=ward.rt, job="civil-service-pull")
    client = clients.civil_service(ward.rt)
    try:
        pull(run, client, max_pages=1)
    finally:
        client.close()
    assert run.counts["pages"] == 1
    assert run.stopped and run.left == {"pull_pass": 1}, (run.errors, run.left)
    assert any("page limit" in e for e in run.errors)
