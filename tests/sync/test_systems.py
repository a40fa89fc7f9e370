"""Every declared external system is complete: its jobs are registered and scheduled (in
production and in the demo), its settings exist, its simulator serves on loopback and a client
built from settings pointed at it authenticates, and the demo shares the registry's people
with it. The tests walk ``sync.systems.SYSTEMS``, so a new entry is covered without edits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import SecretStr

import sync.jobs  # noqa: F401 - registers the jobs
from adapters.errors import RemoteNotFound
from adapters.http import Call
from adapters.serve import LOOPBACK, build_simulator, running_simulator
from registry.config import Settings
from registry.runtime import Runtime
from sync.clients import POLICY_KEY
from sync.runs import JOBS
from sync.scheduler import build_scheduler
from sync.systems import INTERNAL_JOBS, SYSTEMS, ExternalSystem, intervals, system_named
from tests.sync.conftest import FAST, Ward

BY_NAME = pytest.mark.parametrize("system", SYSTEMS, ids=[s.name for s in SYSTEMS])


def test_names_ports_and_jobs_are_unique() -> None:
    names = [s.name for s in SYSTEMS]
    ports = [s.adapter.dev_port for s in SYSTEMS]
    jobs = [j.job for j in INTERNAL_JOBS] + [j.job for s in SYSTEMS for j in s.jobs]
    assert len(set(names)) == len(names)
    assert len(set(ports)) == len(ports)
    assert len(set(jobs)) == len(jobs)


@BY_NAME
def test_its_jobs_are_registered_and_scheduled(system: ExternalSystem[Any]) -> None:
    assert system.jobs
    scheduler = build_scheduler(Runtime(Settings()))
    production, demo = intervals(), intervals(demo=True)
    for schedule in system.jobs:
        assert schedule.job in JOBS
        trigger = scheduler.get_job(schedule.job).trigger
        assert isinstance(trigger, IntervalTrigger)
        assert trigger.interval.total_seconds() == production[schedule.job] == schedule.every
        assert 0 < demo[schedule.job] <= schedule.every


def test_an_interval_setting_overrides_one_job_and_zero_unschedules_it() -> None:
    first, second = SYSTEMS[0].jobs[0].job, SYSTEMS[-1].jobs[-1].job
    scheduler = build_scheduler(Runtime(Settings()), {first: 7, second: 0})
    assert scheduler.get_job(first).trigger.interval.total_seconds() == 7
    assert scheduler.get_job(second) is None
    assert {j.id for j in scheduler.get_jobs()} == set(JOBS) - {second}


@BY_NAME
def test_its_settings_exist_and_the_simulator_fills_them(system: ExternalSystem[Any]) -> None:
    fields = set(Settings.model_fields)
    assert set(system.setting_names()) <= fields
    assert f"{system.adapter.settings_prefix}_url" in system.setting_names()
    sim = system.adapter.build(seed=1)
    assert set(system.adapter.settings_for(sim, "http://x")) <= set(system.setting_names())
    env = system.adapter.environment_for(sim, "http://x")
    assert all(name.startswith(f"CADRE_{system.adapter.settings_prefix.upper()}_") for name in env)


@BY_NAME
def test_its_simulator_serves_on_loopback_and_its_client_authenticates(
    system: ExternalSystem[Any], tmp_path: Path
) -> None:
    sim = build_simulator(system.name, seed=1, people=2)
    rt = Runtime(Settings(var_dir=tmp_path))
    rt.extras[POLICY_KEY] = FAST
    assert not system.configured(rt.settings)
    with running_simulator(sim.app) as url:
        assert url.startswith(f"http://{LOOPBACK}:")
        system.point_at(rt.settings, sim, url)
        assert system.configured(rt.settings)
        for name in system.adapter.settings_for(sim, url):
            if Settings.model_fields[name].annotation is SecretStr:
                assert isinstance(getattr(rt.settings, name), SecretStr)
        client = system.client(rt)
        try:
            # an authenticated call: a token from the configured credentials, then a 404
            with pytest.raises(RemoteNotFound):
                client.http.call(Call(operation="probe", method="GET", path="/no-such-resource"))
        finally:
            client.close()


@BY_NAME
def test_names_with_dashes_or_underscores_find_it(system: ExternalSystem[Any]) -> None:
    assert system_named(system.name) is system_named(system.adapter.cli_name) is system
    with pytest.raises(ValueError, match="unknown system"):
        system_named("tax_office")


@BY_NAME
def test_the_demo_shares_the_registrys_people_with_it(
    system: ExternalSystem[Any], ward: Ward
) -> None:
    assert system.seed(ward.rt, system.adapter.build(seed=5)) > 0
