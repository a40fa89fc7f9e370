"""A tolerant reader: an answer with fields the contract does not list, at any level, is
accepted and each field reported once by path; an answer that breaks what the registry uses is
still refused, and neither kind of answer counts as a failure for the breaker."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import structlog
from fastapi.responses import JSONResponse

from adapters import errors
from adapters.civil_service.client import CivilServiceClient, CivilServiceConnection
from adapters.civil_service.simulator import CivilServiceSim
from adapters.civil_service.wire import OfficialWrite
from adapters.drift import DriftLog, unknown_fields
from adapters.population.client import PopulationClient, PopulationConnection
from adapters.population.simulator import PopulationSim
from adapters.population.wire import SearchEnvelope
from tests.adapters.conftest import SECRET, FakeClock, HostileServer, policy
from tests.adapters.samples import OFFICIAL
from tests.adapters.test_population_hostile import NID, Doc, _person, serve_search

Mutation = Callable[[Doc, Doc], None]


def pop_client(server: HostileServer, clock: FakeClock, drift: DriftLog) -> PopulationClient:
    return PopulationClient.connect(
        PopulationConnection(server.url, "registry", SECRET, server.public_key_b64),
        policy=policy(minimum_calls=2, failure_ratio=0.5),
        clock=clock,
        rng=random.Random(1),
        drift=drift,
    )


def cs_client(server: HostileServer, clock: FakeClock, drift: DriftLog) -> CivilServiceClient:
    return CivilServiceClient.connect(
        CivilServiceConnection(server.url, "registry", SECRET),
        policy=policy(minimum_calls=2, failure_ratio=0.5),
        clock=clock,
        rng=random.Random(1),
        drift=drift,
    )


def _item(message: Doc) -> Doc:
    return message["search_response"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("mutation", "path"),
    [
        (lambda h, m: h.update(trace_id="t-1"), "search:header.trace_id"),
        (lambda h, m: m.update(page={"n": 1}), "search:message.page"),
        (lambda h, m: _item(m).update(score=0.9), "search:message.search_response[].score"),
        (
            lambda h, m: _item(m)["data"].update(source="lgsp"),
            "search:message.search_response[].data.source",
        ),
        (
            lambda h, m: _person(m).update(blood_group="O"),
            "search:message.search_response[].data.reg_records[].blood_group",
        ),
        (
            lambda h, m: _person(m)["full_name"].update(latin="Nguyen Thi Thu Ha"),
            "search:message.search_response[].data.reg_records[].full_name.latin",
        ),
        (
            lambda h, m: _person(m)["place_of_origin"].update(province="31"),
            "search:message.search_response[].data.reg_records[].place_of_origin.province",
        ),
    ],
)
def test_a_signed_answer_with_an_extra_field_at_any_level_is_accepted_and_reported(
    hostile_server: HostileServer, clock: FakeClock, mutation: Mutation, path: str
) -> None:
    serve_search(hostile_server, before_signing=mutation)
    drift = DriftLog()
    client = pop_client(hostile_server, clock, drift)
    try:
        with structlog.testing.capture_logs() as logs:
            for _ in range(2):
                [result] = client.search([NID])
                assert result.record is not None and result.record.nid == NID
    finally:
        client.close()
    assert drift.seen == {("population", path): 2}  # the second sighting counts
    warnings = [e for e in logs if e["event"] == "adapter.contract_drift"]
    assert warnings == [
        {
            "event": "adapter.contract_drift",
            "log_level": "warning",
            "system": "population",
            "field": path,
        }
    ]  # once, with the path and never the value


def test_an_extra_key_beside_the_signature_is_accepted_and_reported(
    hostile_server: HostileServer, clock: FakeClock
) -> None:
    serve_search(hostile_server, after=lambda d: {**d, "meta": {"gateway": "lgsp"}})
    drift = DriftLog()
    client = pop_client(hostile_server, clock, drift)
    try:
        [result] = client.search([NID])
    finally:
        client.close()
    assert result.found
    assert set(drift.seen) == {("population", "search:meta")}


@pytest.mark.parametrize(
    "mutation",
    [
        lambda h, m: _person(m).update(record_version="17"),  # a used field of the wrong type
        lambda h, m: _person(m).update(ethnicity_code="56"),  # not in the code list
        lambda h, m: _person(m).update(sex=1, blood_group="O"),  # extra field does not save it
    ],
)
def test_a_broken_answer_is_still_refused_and_is_no_breaker_failure(
    hostile_server: HostileServer, clock: FakeClock, mutation: Mutation
) -> None:
    serve_search(hostile_server, before_signing=mutation)
    client = pop_client(hostile_server, clock, DriftLog())
    try:
        for _ in range(4):  # the breaker would open after two failures
            with pytest.raises(errors.HostileResponse):
                client.search([NID])
        assert client.http.breaker.window() == (4, 0)
    finally:
        client.close()


def test_a_bad_signature_is_refused_and_is_no_breaker_failure(
    hostile_server: HostileServer, clock: FakeClock
) -> None:
    def tamper(doc: Doc) -> Doc:
        _person(doc["message"])["full_name"]["given"] = "Hải"
        return doc

    serve_search(hostile_server, after=tamper)
    client = pop_client(hostile_server, clock, DriftLog())
    try:
        for _ in range(4):
            with pytest.raises(errors.BadSignature):
                client.search([NID])
        assert client.http.breaker.window() == (4, 0)
    finally:
        client.close()


def _page(*items: Doc, **extra: Any) -> Doc:
    return {
        "items": list(items),
        "next_cursor": None,
        "high_watermark": OFFICIAL["updated_at"],
        **extra,
    }


def test_an_official_page_with_extra_fields_everywhere_is_accepted(
    hostile_server: HostileServer, clock: FakeClock
) -> None:
    item = {
        **OFFICIAL,
        "photo_url": "https://example.invalid/p.jpg",
        "evaluations": [{**OFFICIAL["evaluations"][0], "reviewer": "x"}],
        "work_history": [
            {"from": "2020-01-01", "to": None, "agency_code": "H31.11311",
             "position_title": "Chuyên viên", "decision_no": "1/QĐ", "signed_by": "y"}
        ],
    }  # fmt: skip
    body = _page(item, item, total=2)
    hostile_server.handler = lambda _r, _b: JSONResponse(body)
    drift = DriftLog()
    client = cs_client(hostile_server, clock, drift)
    with client.http:
        page = client.pull(None, None)
    assert [o.nid for o in page.items] == [OFFICIAL["nid"]] * 2
    assert page.items[0].work_history and page.items[0].work_history[0].decision_no == "1/QĐ"
    assert set(drift.seen) == {
        ("civil_service", "officials.pull:total"),
        ("civil_service", "officials.pull:items[].photo_url"),
        ("civil_service", "officials.pull:items[].evaluations[].reviewer"),
        ("civil_service", "officials.pull:items[].work_history[].signed_by"),
    }
    # the model keeps none of them: nothing unknown can reach a digest or the database
    assert "photo_url" not in page.items[0].model_dump()


def test_a_wrongly_typed_used_field_beside_extras_is_refused(
    hostile_server: HostileServer, clock: FakeClock
) -> None:
    body = _page({**OFFICIAL, "salary_step": "4", "photo_url": "x"})
    hostile_server.handler = lambda _r, _b: JSONResponse(body)
    client = cs_client(hostile_server, clock, DriftLog())
    with client.http:
        with pytest.raises(errors.HostileResponse, match=r"items\.0\.salary_step"):
            client.pull(None, None)
        assert client.http.breaker.window() == (1, 0)


def test_names_that_are_not_field_names_are_not_shown() -> None:
    raw = {"header": {"031185001234": 1, "ok_name": 2}, "message": {"x y": 3}}
    assert unknown_fields(SearchEnvelope, raw) == ["header.?", "header.ok_name", "message.?"]


def test_the_other_implementation_simulators_are_read_without_a_refusal(
    sim_clock: Any, clock: FakeClock
) -> None:
    from adapters.serve import running_simulator

    pop = PopulationSim(seed=3, now=sim_clock)
    pop.knobs.extra_fields = pop.knobs.nfd_names = True
    pop.knobs.partial_date_rate = 1.0
    nids = pop.seed_people(3)
    pop.record_death(nids[0], sim_clock().date())
    cs = CivilServiceSim(seed=4, now=sim_clock)
    cs.knobs.extra_fields = True
    cs.store.seed(3)
    drift = DriftLog()
    with running_simulator(pop.app) as pop_url, running_simulator(cs.app) as cs_url:
        p = PopulationClient.connect(
            PopulationConnection(pop_url, "registry", SECRET, pop.public_key_b64),
            policy=policy(), clock=clock, rng=random.Random(1), drift=drift,
        )  # fmt: skip
        c = CivilServiceClient.connect(
            CivilServiceConnection(cs_url, "registry", SECRET),
            policy=policy(), clock=clock, rng=random.Random(1), drift=drift,
        )  # fmt: skip
        try:
            assert all(r.found for r in p.search(nids))
            assert len(p.events(None).events) == 1
            officials = c.pull(None, None).items
            assert len(officials) == 3
            official, version = c.get(officials[0].nid)
            body = OfficialWrite(nid=official.nid, position_title="Chuyên viên")
            written = c.put(official.nid, body, idempotency_key=uuid.uuid4(), if_match=version)
            assert written.official.position_title == "Chuyên viên"
        finally:
            p.close()
            c.close()
    systems = {system for system, _ in drift.seen}
    assert systems == {"population", "civil_service"}
    paths = {path for _, path in drift.seen}
    assert "search:x_meta" in paths and "search:header.x_gateway_node" in paths
    assert "events:message.events[].record.full_name.x_meta" in paths
    assert "officials.put:work_history[].x_gateway_node" not in paths  # empty list: no items
    assert "officials.put:x_meta" in paths and "officials.get:x_gateway_node" in paths
