"""``cadre sync run`` exits 0 only for an ``ok`` run and prints what is left;
``cadre sync status`` prints, per system, each job's last good run and the outbox by state.
A real installation: database, keys in var/, simulators over loopback, settings by env."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

import sync.jobs  # noqa: F401 - registers the jobs
from adapters.serve import running_simulator
from registry.cli import app
from registry.config import Settings, get_settings
from registry.runtime import Runtime
from sync.runs import JOBS, JobRun
from sync.systems import system_of
from tests.sync.conftest import Ward, build_registry
from tests.sync.test_push_unsendable_and_leases import _appoint


@pytest.fixture
def installed(
    committed_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Ward]:
    url = committed_engine.url.render_as_string(hide_password=False)
    settings = Settings(var_dir=tmp_path / "var", database_url=url)
    rt = Runtime(settings)  # keys in var/keys, as `cadre` will find them
    ward = build_registry(rt)
    monkeypatch.setenv("CADRE_DATABASE_URL", url)
    monkeypatch.setenv("CADRE_VAR_DIR", str(settings.var_dir))
    with running_simulator(ward.pop.app) as pop_url, running_simulator(ward.cs.app) as cs_url:
        for sim, sim_url in ((ward.pop, pop_url), (ward.cs, cs_url)):
            for name, value in system_of(sim).adapter.settings_for(sim, sim_url).items():
                monkeypatch.setenv(f"CADRE_{name.upper()}", str(value))
        get_settings.cache_clear()
        yield ward
    get_settings.cache_clear()
    rt.close()
    for name in ("test-leaves-work", "test-crashes"):
        JOBS.pop(name, None)


def _cadre(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_exit_codes_say_whether_the_run_is_ok_and_what_is_left(installed: Ward) -> None:
    code, out = _cadre("sync", "run", "civil-service-push")
    assert code == 0 and "civil-service-push: ok" in out and "'pushed': 4" in out, out
    _appoint(installed, nid=None, decision_no="31/QĐ-UBND")
    code, out = _cadre("sync", "run", "civil-service-push")  # quarantined, not a failure
    assert code == 0 and "'unsendable': 1" in out, out

    def leaves_work(run: JobRun) -> None:
        run.leave("pending", 19)

    def crashes(run: JobRun) -> None:
        raise RuntimeError("the job's own bug")

    JOBS["test-leaves-work"], JOBS["test-crashes"] = leaves_work, crashes
    code, out = _cadre("sync", "run", "test-leaves-work")
    assert code == 1 and "test-leaves-work: partial" in out and "left: 19 pending" in out, out
    code, out = _cadre("sync", "run", "test-crashes")
    assert code == 1 and "test-crashes: failed" in out and "RuntimeError" in out, out
    code, out = _cadre("sync", "run", "no-such-job")
    assert code == 2 and "unknown job" in out


def test_status_prints_each_system_its_last_good_runs_and_the_outbox(installed: Ward) -> None:
    assert _cadre("sync", "run", "civil-service-push")[0] == 0
    _appoint(installed, nid=None, decision_no="31/QĐ-UBND")
    code, out = _cadre("sync", "run", "civil-service-push")
    assert code == 0, out  # the one new item cannot be sent: quarantined, nothing left
    code, out = _cadre("sync", "status")
    assert code == 0, out
    lines = out.splitlines()
    assert [line for line in lines if not line.startswith(" ")] == [
        "registry",
        "population",
        "civil_service",
    ]
    section = lines[lines.index("civil_service") :]
    push = next(line for line in section if line.strip().startswith("civil-service-push"))
    assert re.search(r"last ok \d\d/\d\d/20\d\d .*latest ok started \d\d/\d\d/20\d\d", push), push
    pull = next(line for line in section if line.strip().startswith("civil-service-pull"))
    assert pull.split() == ["civil-service-pull", "never", "run"]
    assert "  outbox: pending 0, leased 0, dead 0, quarantined 1" in section
    assert "  conflicts open: 0" in section
    assert "  contract drift: 0 unknown fields" in section
    population = lines[lines.index("population") : lines.index("civil_service")]
    assert not any("outbox" in line for line in population)  # nothing is pushed there
