"""Hypothesis state machine: local edits, remote edits, pushes, pulls and crashes in any
order; after the dust settles the two sides agree and no payload was applied twice."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

import sync.jobs  # noqa: F401 - registers the jobs
from adapters.civil_service.client import CivilServiceClient
from registry.qualifications.service import create_qualification
from schemas.qualifications import QualificationCreate
from sync import clients
from sync.jobs.civil_service_pull import pull
from sync.jobs.civil_service_push import drain
from sync.runs import JobRun
from tests.sync.conftest import Ward
from tests.sync.test_jobs_converge import _agree_with_civil_service, _nid


class SimulatedCrash(BaseException):
    """Not an Exception: like SIGKILL, no job code gets to handle it."""


class Crashing:
    """A civil-service client that dies right after its n-th successful call."""

    def __init__(self, inner: CivilServiceClient, after: int) -> None:
        self.inner, self.left = inner, after

    def _tick(self) -> None:
        self.left -= 1
        if self.left <= 0:
            raise SimulatedCrash

    def put(self, *args: Any, **kwargs: Any) -> Any:
        answer = self.inner.put(*args, **kwargs)
        self._tick()
        return answer

    def pull(self, *args: Any, **kwargs: Any) -> Any:
        page = self.inner.pull(*args, **kwargs)
        self._tick()
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_local_and_remote_edits_with_crashes_converge(ward: Ward) -> None:
    ward.rt.settings.sync_lease_seconds = 0  # a crashed claim is free again at once
    nids = [_nid(ward, p) for p in ward.officials]
    applied: list[tuple[str, str]] = []
    original = ward.cs.store._write

    def recording(req: Any) -> Any:
        answer = original(req)
        if answer.status in (200, 201):
            applied.append((req.nid, hashlib.sha256(req.raw).hexdigest()))
        return answer

    ward.cs.store._write = recording  # type: ignore[method-assign]
    counter = iter(range(10**6))

    class Sync(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            self.client = clients.civil_service(ward.rt)

        def teardown(self) -> None:
            client = clients.civil_service(ward.rt)
            for step in (pull, drain, pull):
                step(JobRun(ward.rt, "settle"), client)  # type: ignore[operator]
            client.close()
            self.client.close()
            _agree_with_civil_service(ward)
            assert len(applied) == len(set(applied)), "a payload was applied twice"

        @rule(who=st.integers(0, len(nids) - 1))
        def local_edit(self, who: int) -> None:
            n = next(counter)
            with ward.rt.sessions() as session:
                ctx = ward.rt.system_ctx(session, reason="local edit")
                create_qualification(
                    session,
                    ctx,
                    QualificationCreate(
                        person_id=ward.officials[who].id,
                        kind="it",
                        level="co_ban",
                        major=f"Khóa {n}",
                        awarded_on=dt.date(2021, 1, 1) + dt.timedelta(days=n),
                    ),
                )
                session.commit()

        @rule(who=st.integers(0, len(nids) - 1), step=st.integers(1, 12))
        def remote_edit(self, who: int, step: int) -> None:
            ward.cs.store.touch(nids[who], salary_step=step)

        @rule()
        def push(self) -> None:
            drain(JobRun(ward.rt, "civil-service-push"), self.client)

        @rule()
        def pull(self) -> None:
            pull(JobRun(ward.rt, "civil-service-pull"), self.client)

        @rule(after=st.integers(1, 3), job=st.sampled_from(["push", "pull"]))
        def crash(self, after: int, job: str) -> None:
            crashing = Crashing(self.client, after)
            body = drain if job == "push" else pull
            with pytest.raises(SimulatedCrash):
                for _ in range(50):
                    body(JobRun(ward.rt, job), crashing)  # type: ignore[operator, arg-type]
                    crashing._tick()  # a quiet run still counts towards the crash

    run_state_machine_as_test(
        Sync,
        settings=settings(
            max_examples=8,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
