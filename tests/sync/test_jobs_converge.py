"""Every job over real loopback HTTP against the simulators, with and without 30% faults:
the registry and the simulators end up agreeing field by field."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

import sync.jobs  # noqa: F401 - registers the jobs
from adapters.civil_service.wire import Official
from registry.assignments.models import Assignment
from registry.history import RecordVersion
from registry.persons.models import IdentityVerification, Person
from registry.persons.service import decrypt_field
from sync.models import Conflict, OutboxItem, SyncRun
from sync.official import build_push, owned_digest, push_digest
from sync.runs import run_job
from tests.sync.conftest import Ward


def _nid(ward: Ward, person: Person) -> str:
    with ward.rt.sessions() as session:
        ctx = ward.rt.system_ctx(session, reason="test read")
        nid = decrypt_field(ctx, session.get(Person, person.id), "nid")  # type: ignore[arg-type]
        assert nid is not None
        return nid


def _run_until_quiet(ward: Ward, name: str, rounds: int = 12) -> None:
    for _ in range(rounds):
        run = run_job(ward.rt, name)
        assert run is not None
        if run.status == "ok" and not run.counts.get("retry_later"):
            return


def _agree_with_civil_service(ward: Ward) -> None:
    with ward.rt.sessions() as session:
        ctx = ward.rt.system_ctx(session, reason="compare")
        for p in ward.officials:
            person = session.get(Person, p.id)
            assert person is not None
            nid = decrypt_field(ctx, person, "nid")
            assert nid is not None
            stored = ward.cs.store.officials[nid]
            theirs = owned_digest(
                Official.model_validate(stored).model_dump(mode="json", by_alias=True)
            )
            ours = push_digest(build_push(session, ctx, person, agency="H31.11311"))
            assert theirs == ours, f"registry-owned content differs for {p.id}"
            assert person.rank_code == stored["rank_code"]
            assert person.civil_servant_no == stored["civil_servant_no"]


def test_clean_run_verifies_pushes_and_pulls(ward: Ward) -> None:
    verify = run_job(ward.rt, "population-verify")
    assert verify is not None and verify.status == "ok", verify.errors if verify else None
    assert verify.counts["verified"] == len(ward.officials) + len(ward.others)
    push = run_job(ward.rt, "civil-service-push")
    assert push is not None and push.counts["pushed"] == len(ward.officials), push.counts
    pull = run_job(ward.rt, "civil-service-pull")
    assert pull is not None and pull.status == "ok", pull.errors
    _agree_with_civil_service(ward)
    again = run_job(ward.rt, "civil-service-push")
    assert again is not None and not again.counts.get("pushed")  # nothing new to send
    with ward.rt.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 4
        statuses = set(session.scalars(sa.select(IdentityVerification.status)))
        assert statuses == {"verified"}


def test_population_events_apply_once_each(ward: Ward) -> None:
    assert run_job(ward.rt, "population-verify") is not None
    dead, renamed, reissued = ward.officials[0], ward.others[0], ward.others[1]
    ward.pop.record_death(_nid(ward, dead), dt.date(2026, 10, 2))
    ward.pop.change_identity(
        _nid(ward, renamed), full_name={"family": "Nguyễn", "middle": "Thị", "given": "Hồng"}
    )
    new_nid = "031" + _nid(ward, reissued)[3:6] + "999999"
    ward.pop.reissue(_nid(ward, reissued), new_nid)
    ward.pop.knobs.duplicate_rate = 1.0  # every page repeats earlier events
    for _ in range(3):
        run = run_job(ward.rt, "population-events")
        assert run is not None and run.status == "ok", run.errors
    with ward.rt.sessions() as session:
        ctx = ward.rt.system_ctx(session, reason="check")
        d = session.get(Person, dead.id)
        assert d is not None and d.life_status == "deceased"
        posts = session.scalars(sa.select(Assignment).where(Assignment.person_id == dead.id))
        assert all(a.valid_to == dt.date(2026, 10, 2) for a in posts)
        r = session.get(Person, renamed.id)
        assert r is not None and r.given_name == "Hồng"
        x = session.get(Person, reissued.id)
        assert x is not None and decrypt_field(ctx, x, "nid") == new_nid
        # each change recorded once, however often the events came
        versions = session.scalar(
            sa.select(sa.func.count())
            .select_from(RecordVersion)
            .where(
                RecordVersion.table_name == "persons",
                RecordVersion.row_id == renamed.id,
                RecordVersion.op == "update",
            )
        )
        assert versions == 1


def test_jobs_converge_under_thirty_percent_faults(ward: Ward) -> None:
    for sim in (ward.pop, ward.cs):
        sim.knobs.error_rate, sim.knobs.rate_429, sim.knobs.retry_after = 0.15, 0.10, 0
    ward.cs.knobs.duplicate_rate = 0.05
    ward.cs.knobs.out_of_order_rate = 0.05
    ward.pop.knobs.duplicate_rate = 0.05
    for nid_person, rank in zip(
        ward.officials, ("01.002", "01.003", "01.002", "01.004"), strict=True
    ):
        ward.cs.store.touch(_nid(ward, nid_person), rank_code=rank, salary_step=5)
    _run_until_quiet(ward, "population-verify")
    _run_until_quiet(ward, "civil-service-pull")
    _run_until_quiet(ward, "civil-service-push")
    _run_until_quiet(ward, "civil-service-pull")
    _agree_with_civil_service(ward)
    with ward.rt.sessions() as session:
        assert set(session.scalars(sa.select(IdentityVerification.status))) == {"verified"}
        waiting = session.scalar(
            sa.select(sa.func.count()).select_from(OutboxItem).where(OutboxItem.status != "done")
        )
        assert waiting == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Conflict)) == 0
