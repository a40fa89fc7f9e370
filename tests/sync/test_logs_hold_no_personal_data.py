"""Sync jobs log at INFO without identification numbers or names (httpx would log URLs)."""

from __future__ import annotations

import logging

import pytest

import sync.jobs  # noqa: F401 - registers the jobs
from registry.logging import configure
from sync.runs import run_job
from tests.sync.conftest import Ward
from tests.sync.test_jobs_converge import _nid


def test_a_full_sync_round_logs_no_numbers_or_names(
    ward: Ward, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    configure("INFO")
    caplog.set_level(logging.INFO)
    for job in ("population-verify", "civil-service-push", "civil-service-pull"):
        run = run_job(ward.rt, job)
        assert run is not None and run.status == "ok"
    out = capsys.readouterr()
    logged = caplog.text + out.out + out.err
    assert "sync.run.finished" in logged  # the runs were logged at all
    for person in ward.officials + ward.others:
        assert _nid(ward, person) not in logged
    assert "Nguyễn" not in logged
