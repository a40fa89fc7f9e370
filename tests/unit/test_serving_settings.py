"""`cadre serve` answers with requests that only commit their audit entries (its sequencer
chains them in batches) unless the setting says otherwise; elsewhere the default is to chain
in the request."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from registry.config import Settings
from registry.crypto import LocalFileKeyProvider
from registry.runtime import audit_config
from registry.serving import GC_YOUNG_THRESHOLD, SEQUENCE_IN_REQUEST_ENV, batched_audit


@pytest.fixture(autouse=True)
def _no_setting_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # set then removed: whatever a test leaves there is undone afterwards
    monkeypatch.setenv(SEQUENCE_IN_REQUEST_ENV, "")
    monkeypatch.delenv(SEQUENCE_IN_REQUEST_ENV)


def test_unset_a_server_batches_and_its_workers_are_told(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    keys = LocalFileKeyProvider(tmp_path / "keys")
    assert audit_config(settings, keys).sequence_in_request  # commands and embedded apps
    served = batched_audit(settings)
    assert served.audit_sequence_in_request is False
    assert not audit_config(served, keys).sequence_in_request
    # the spawned workers read their settings from the environment
    assert os.environ[SEQUENCE_IN_REQUEST_ENV] == "0"
    assert Settings(var_dir=tmp_path).audit_sequence_in_request is False


@pytest.mark.parametrize("chosen", [True, False])
def test_a_stated_setting_is_kept(tmp_path: Path, chosen: bool) -> None:
    settings = Settings(var_dir=tmp_path, audit_sequence_in_request=chosen)
    served = batched_audit(settings)
    assert served.audit_sequence_in_request is chosen
    assert (
        audit_config(served, LocalFileKeyProvider(tmp_path / "keys")).sequence_in_request is chosen
    )
    assert SEQUENCE_IN_REQUEST_ENV not in os.environ


def test_port_zero_with_several_workers_is_refused_before_anything_starts(
    tmp_path: Path,
) -> None:
    # each worker binds the port itself: port 0 would give each worker a port of its own.
    # Run in a process group of its own, so that without the check the test fails after a
    # minute (and its workers are stopped) instead of serving for ever.
    probe = (
        "from pathlib import Path\n"
        "from registry.config import Settings\n"
        "from registry.runtime import Runtime\n"
        "from registry.serving import serve\n"
        f"rt = Runtime(Settings(var_dir=Path({str(tmp_path)!r}), scheduler_enabled=False))\n"
        "serve(rt, host='127.0.0.1', port=0, workers=2)\n"
    )
    env = {**os.environ, "CADRE_LOG_LEVEL": "WARNING"}
    env.pop("CADRE_DATABASE_URL", None)
    child = subprocess.Popen(
        [sys.executable, "-c", probe],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, err = child.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        pytest.fail("serve started with port 0 and several workers")
    assert child.returncode == 1
    assert "give --port" in err
    assert not (tmp_path / "keys").exists()  # refused before the keyring was touched


def test_a_worker_freezes_its_start_up_heap(tmp_path: Path) -> None:
    """A spawned worker builds its app, then leaves what start-up made to the permanent
    generation and collects its youngest objects less often (``steady_heap``)."""
    probe = (
        "import gc, json\n"
        "from registry.serving import worker_app\n"
        "before = gc.get_freeze_count()\n"
        "worker_app()\n"
        "print(json.dumps([before, gc.get_freeze_count(), gc.get_threshold()[0]]))\n"
    )
    env = {**os.environ, "CADRE_VAR_DIR": str(tmp_path), "CADRE_LOG_LEVEL": "WARNING"}
    env.pop("CADRE_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    before, frozen, young = json.loads(done.stdout.strip().splitlines()[-1])
    assert before == 0
    assert frozen > 10_000  # the app, its routes, models and schemas
    assert young == GC_YOUNG_THRESHOLD > 700  # CPython's default
