"""Contract drift kept: each unknown field once per system, its count growing with every
sighting, one warning when first stored, a /metrics counter, and the same through a job run
against simulators that add fields everywhere."""

from __future__ import annotations

import sqlalchemy as sa
import structlog

import sync.jobs  # noqa: F401 - registers the jobs
from registry.metrics import REGISTRY
from sync.drift import ContractDrift, DriftRecorder, fields_seen
from sync.models import Quarantined
from sync.runs import run_job
from tests.sync.conftest import Ward


def _sightings(system: str) -> float:
    value = REGISTRY.get_sample_value(
        "cadre_sync_contract_drift_sightings_total", {"system": system}
    )
    return value or 0.0


def test_a_field_is_recorded_once_per_system_and_counted_each_time(ward: Ward) -> None:
    before = _sightings("population")
    with structlog.testing.capture_logs() as logs:
        for _ in range(2):  # two runs, two clients
            recorder = DriftRecorder(ward.rt.sessions)
            recorder.saw("population", ["search:header.trace_id", "search:header.trace_id"])
            recorder.saw("civil_service", ["search:header.trace_id"])
            recorder.flush()
            recorder.flush()  # nothing new: nothing written twice
    with ward.rt.sessions() as session:
        assert fields_seen(session, "population") == {"search:header.trace_id": 4}
        assert fields_seen(session, "civil_service") == {"search:header.trace_id": 2}
        row = session.get(ContractDrift, ("population", "search:header.trace_id"))
        assert row is not None and row.first_seen_at <= row.last_seen_at
    warned = [(e["system"], e["field"]) for e in logs if e["event"].startswith("sync.contract")]
    assert warned == [
        ("civil_service", "search:header.trace_id"),
        ("population", "search:header.trace_id"),
    ]  # once each, the path only
    assert _sightings("population") - before == 4


def test_a_job_run_against_another_implementation_records_drift_and_quarantines_nothing(
    ward: Ward,
) -> None:
    ward.pop.knobs.extra_fields = True
    run = run_job(ward.rt, "population-verify")
    assert run is not None and run.counts.get("verified"), (run.counts, run.errors)
    with ward.rt.sessions() as session:
        seen = fields_seen(session, "population")
        assert session.scalar(sa.select(sa.func.count()).select_from(Quarantined)) == 0
    assert {
        "search:x_meta",
        "search:header.x_gateway_node",
        "search:message.search_response[].data.reg_records[].full_name.x_meta",
    } <= set(seen)
