"""Every job over real loopback HTTP against the simulators, with and without 30% faults, and
against simulators behaving like another implementation of the contracts: the registry and
the simulators end up agreeing field by field within a bounded number of runs."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

import sync.jobs  # noqa: F401 - registers the jobs
from adapters.breaker import BreakerPolicy
from adapters.civil_service.wire import Official
from adapters.http import HttpPolicy, Timeouts
from adapters.retry import RetryPolicy
from registry.assignments.models import Assignment
from registry.history import RecordVersion
from registry.persons.models import IdentityVerification, Person
from registry.persons.service import decrypt_field
from sync.clients import POLICY_KEY
from sync.drift import fields_seen
from sync.models import Conflict, OutboxItem, Quarantined, SyncRun
from sync.official import build_push, owned_digest, push_digest
from sync.runs import run_job
from tests.sync.conftest import Ward


def _nid(ward: Ward, person: Person) -> str:
    with ward.rt.sessions() as session:
        ctx = ward.rt.system_ctx(session, reason="test read")
        nid = decrypt_field(ctx, session.get(Person, person.id), "nid")  # type: ignore[arg-type]
        assert nid is not None
        return nid


def _run_until_quiet(ward: Ward, name: str, rounds: int = 12) -> int:
    """Run ``name`` until a run ends ``ok`` with nothing to retry; the runs it took. Fails
    when ``rounds`` runs were not enough: convergence must be bounded."""
    for done in range(1, rounds + 1):
        run = run_job(ward.rt, name)
        assert run is not None
        if run.status == "ok" and not run.counts.get("retry_later"):
            return done
    raise AssertionError(f"{name} did not converge within {rounds} runs")


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
                # verify may fill the person's places too: count the feed's writes
                RecordVersion.actor == "system:population-events",
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


def test_jobs_converge_against_another_implementation(ward: Ward) -> None:
    """Additional fields in every answer object, header and envelope; 30% faults (5xx, 429
    with Retry-After, hangs, revoked tokens, lost answers after a write); duplicates, pages
    out of order, NFD names, partial dates. The breaker is the real default: it must not
    open on that rate, and no answer is quarantined merely for extra fields."""
    ward.rt.extras[POLICY_KEY] = HttpPolicy(
        timeouts=Timeouts(connect=2.0, read=0.3, write=2.0, pool=2.0),
        retry=RetryPolicy(max_attempts=8, base_delay=0.001, max_delay=0.01, max_total_seconds=20),
        breaker=BreakerPolicy(),
    )
    for sim in (ward.pop, ward.cs):
        sim.knobs.other_implementation(fault_rate=0.3)
        sim.knobs.hang_seconds = 0.6  # past the read timeout above
    runs = {"population-verify": _run_until_quiet(ward, "population-verify")}
    ward.pop.record_death(_nid(ward, ward.others[0]), dt.date(2026, 10, 2))
    for step in range(1, 4):  # the ministry changes ranks and steps while we sync
        ranks = ("01.002", "01.003", "01.004", "01.003")
        for person, rank in zip(ward.officials, ranks, strict=True):
            ward.cs.store.touch(_nid(ward, person), rank_code=rank, salary_step=step)
        for name in ("population-events", "civil-service-pull", "civil-service-push"):
            runs[f"{name} {step}"] = _run_until_quiet(ward, name)
    runs["population-verify again"] = _run_until_quiet(ward, "population-verify")
    runs["civil-service-pull again"] = _run_until_quiet(ward, "civil-service-pull")
    _agree_with_civil_service(ward)
    assert ward.cs.store.writes == len(ward.officials)  # lost answers were not written twice
    with ward.rt.sessions() as session:
        assert set(session.scalars(sa.select(IdentityVerification.status))) == {"verified"}
        dead = session.get(Person, ward.others[0].id)
        assert dead is not None and dead.life_status == "deceased"
        waiting = session.scalar(
            sa.select(sa.func.count()).select_from(OutboxItem).where(OutboxItem.status != "done")
        )
        assert waiting == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Conflict)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Quarantined)) == 0
        population, civil_service = (
            fields_seen(session, "population"),
            fields_seen(session, "civil_service"),
        )
    assert "search:header.x_gateway_node" in population, sorted(population)
    assert "officials.pull:items[].x_meta" in civil_service, sorted(civil_service)
    assert all(n <= 12 for n in runs.values()), runs
