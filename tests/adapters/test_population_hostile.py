"""Population answers that are validly signed by the pinned key yet break the contract, and
answers whose signature is wrong: all refused, none returned."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import Request, Response
from fastapi.responses import JSONResponse

from adapters import errors
from adapters.population.client import PopulationClient, PopulationConnection
from adapters.population.signature import sign
from tests.adapters.conftest import SECRET, FakeClock, HostileServer, policy
from tests.adapters.samples import record

NID = "031185001234"
Doc = dict[str, Any]
Mutation = Callable[[Doc, Doc], None]


@pytest.fixture
def client(hostile_server: HostileServer, clock: FakeClock) -> Iterator[PopulationClient]:
    c = PopulationClient.connect(
        PopulationConnection(hostile_server.url, "registry", SECRET, hostile_server.public_key_b64),
        policy=policy(),
        clock=clock,
        rng=random.Random(1),
    )
    yield c
    c.close()


def _valid_answer(request: Doc) -> tuple[Doc, Doc]:
    items = [
        {
            "reference_id": item["reference_id"],
            "timestamp": "2026-03-02T08:00:00+07:00",
            "status": "succ",
            "data": {
                "reg_type": "vn:population:person",
                "reg_record_type": "person",
                "reg_records": [
                    record(nid=item["search_criteria"]["query"]["value"]).model_dump(mode="json")
                ],
            },
        }
        for item in request["message"]["search_request"]
    ]
    header = {
        "version": "1.0.0",
        "message_id": "1b4e28ba-2fa1-41d2-883f-0016d3cca427",
        "message_ts": "2026-03-02T08:00:00+07:00",
        "action": "on-search",
        "status": "succ",
        "sender_id": "population",
        "sender_key_id": "pop-2026-1",
        "total_count": len(items),
    }
    message = {
        "transaction_id": request["message"]["transaction_id"],
        "correlation_id": "6fa459ea-ee8a-4ca4-894e-db77e160355e",
        "search_response": items,
    }
    return header, message


def serve_search(
    server: HostileServer,
    before_signing: Mutation | None = None,
    after: Callable[[Doc], Any] | None = None,
) -> None:
    """Answer each search with a correct answer, changed before or after it is signed."""

    def handler(_request: Request, body: bytes) -> Response:
        header, message = _valid_answer(json.loads(body))
        if before_signing:
            before_signing(header, message)
        doc: Any = {
            "signature": sign(server.key, header, message),
            "header": header,
            "message": message,
        }
        if after:
            doc = after(doc)
        return JSONResponse(doc)

    server.handler = handler


def test_the_correct_answer_passes(hostile_server: HostileServer, client: PopulationClient) -> None:
    serve_search(hostile_server)
    [result] = client.search([NID])
    assert result.record is not None and result.record.nid == NID


def _person(message: Doc) -> Doc:
    return message["search_response"][0]["data"]["reg_records"][0]  # type: ignore[no-any-return]


def _set(**changes: Any) -> Mutation:
    return lambda _header, message: _person(message).update(changes)


@pytest.mark.parametrize(
    "mutation",
    [
        _set(record_version="17"),
        _set(sex=1),
        _set(ethnicity_code="56"),
        _set(birth_date="1985-13"),
        _set(full_name={"family": "Nguy\x00ễn", "middle": "", "given": "Hà"}),
        _set(full_name={"family": "A" * 3_000_000, "middle": "", "given": "Hà"}),
        _set(nid="031185009999"),  # a record about someone we did not ask for
        lambda h, m: m["search_response"][0].update(status="rjct", status_reason_code="rjct.x"),
        lambda h, m: m["search_response"][0].update(
            reference_id="00000000-0000-4000-8000-000000000000"
        ),
        lambda h, m: m.update(transaction_id="00000000-0000-4000-8000-000000000000"),
        lambda h, m: m["search_response"].append(copy.deepcopy(m["search_response"][0])),
        lambda h, m: h.update(total_count=7),
        lambda h, m: h.update(status="part"),
        lambda h, m: h.update(action="on-events"),
        lambda h, m: _person(m).update(record_version=17.0),  # the contract has no floats
    ],
)
def test_signed_answers_that_break_the_contract_are_refused(
    hostile_server: HostileServer, client: PopulationClient, mutation: Mutation
) -> None:
    serve_search(hostile_server, before_signing=mutation)
    with pytest.raises(errors.HostileResponse):
        client.search([NID])


def _tamper(doc: Doc) -> Doc:
    _person(doc["message"])["full_name"]["given"] = "Hải"
    return doc


@pytest.mark.parametrize(
    "after",
    [
        _tamper,  # changed after signing
        lambda d: {k: v for k, v in d.items() if k != "signature"},
        lambda d: {**d, "signature": ""},
        lambda d: {**d, "signature": "not base64!"},
        lambda d: {**d, "signature": d["signature"][:-8] + "AAAAAAA="},
        lambda d: {**d, "signature": 12345},
        lambda d: [d],
    ],
)
def test_unverifiable_answers_are_refused(
    hostile_server: HostileServer, client: PopulationClient, after: Callable[[Doc], Any]
) -> None:
    serve_search(hostile_server, after=after)
    with pytest.raises(errors.HostileResponse):
        client.search([NID])


def test_events_with_a_forged_signature_are_refused(
    hostile_server: HostileServer, client: PopulationClient
) -> None:
    header = {
        "version": "1.0.0",
        "message_id": "1b4e28ba-2fa1-41d2-883f-0016d3cca427",
        "message_ts": "2026-03-02T08:00:00+07:00",
        "action": "on-events",
        "status": "succ",
        "sender_id": "population",
        "sender_key_id": "pop-2026-1",
        "total_count": 0,
    }
    message = {"events": [], "next_cursor": "c1"}
    good = sign(hostile_server.key, header, message)
    hostile_server.handler = lambda _r, _b: JSONResponse(
        {"signature": good, "header": header, "message": {**message, "next_cursor": "c9"}}
    )
    with pytest.raises(errors.BadSignature):
        client.events(None)
