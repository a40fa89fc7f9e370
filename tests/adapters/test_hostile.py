"""Replies no correct peer sends, from a tiny hostile server on loopback: each is refused as
``HostileResponse`` and nothing of it is returned."""

from __future__ import annotations

import asyncio
import gzip
import json
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fastapi import Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from adapters import errors
from adapters.civil_service.client import CivilServiceClient, CivilServiceConnection
from adapters.clock import SYSTEM_CLOCK, Clock
from tests.adapters.conftest import SECRET, FakeClock, HostileServer, policy
from tests.adapters.samples import OFFICIAL


def page(*items: dict[str, Any]) -> dict[str, Any]:
    return {"items": list(items), "next_cursor": None, "high_watermark": OFFICIAL["updated_at"]}


def client_for(server: HostileServer, clock: Clock, **policy_args: Any) -> CivilServiceClient:
    return CivilServiceClient.connect(
        CivilServiceConnection(server.url, "registry", SECRET),
        policy=policy(**policy_args),
        clock=clock,
        rng=random.Random(1),
    )


def answer(body: object, **kwargs: Any) -> Callable[[Request, bytes], Response]:
    return lambda _request, _body: JSONResponse(body, **kwargs)


def raw(content: bytes, **kwargs: Any) -> Callable[[Request, bytes], Response]:
    kwargs.setdefault("media_type", "application/json")
    return lambda _request, _body: Response(content, **kwargs)


def test_redirect_to_another_host_is_not_followed(
    hostile_server: HostileServer, clock: FakeClock
) -> None:
    elsewhere = hostile_server.url.replace("127.0.0.1", "localhost") + "/stolen"
    hostile_server.handler = lambda _r, _b: Response(
        status_code=307, headers={"Location": elsewhere}
    )
    with client_for(hostile_server, clock).http as http, pytest.raises(errors.RedirectRefused):
        CivilServiceClient(http).pull(None, None)
    assert hostile_server.hits == ["127.0.0.1/api/v1/officials"]


def _forever(chunk: bytes, pause: float) -> Callable[[Request, bytes], Response]:
    async def body() -> AsyncIterator[bytes]:
        yield b'{"items": ['
        while True:
            yield chunk
            await asyncio.sleep(pause)

    return lambda _r, _b: StreamingResponse(body(), media_type="application/json")


def test_a_trickle_that_never_ends_is_cut_by_time(hostile_server: HostileServer) -> None:
    hostile_server.handler = _forever(b" ", 0.02)
    # The real clock: the bound is about bytes still arriving, which only real time shows.
    client = client_for(hostile_server, SYSTEM_CLOCK, max_body_seconds=0.5)
    with client.http, pytest.raises(errors.HostileResponse, match="time bound"):
        client.pull(None, None)


def test_a_flood_that_never_ends_is_cut_by_size(
    hostile_server: HostileServer, clock: FakeClock
) -> None:
    hostile_server.handler = _forever(b" " * 65536, 0)
    client = client_for(hostile_server, clock, max_body_bytes=1024 * 1024)
    with client.http, pytest.raises(errors.HostileResponse, match="size cap"):
        client.pull(None, None)


def test_declared_oversize_body_is_refused_unread(
    hostile_server: HostileServer, clock: FakeClock
) -> None:
    hostile_server.handler = raw(b" " * 5000)
    client = client_for(hostile_server, clock, max_body_bytes=4096)
    with client.http, pytest.raises(errors.HostileResponse, match="declared"):
        client.pull(None, None)


def test_ten_megabyte_string_is_refused(hostile_server: HostileServer, clock: FakeClock) -> None:
    hostile_server.handler = answer(page({**OFFICIAL, "full_name": "A" * 10_000_000}))
    client = client_for(hostile_server, clock)  # the population cap: 5 MB
    with client.http, pytest.raises(errors.HostileResponse, match="size cap"):
        client.pull(None, None)


@pytest.mark.parametrize(
    ("item", "where"),
    [
        ({**OFFICIAL, "full_name": "A" * 2_000_000}, "items.0.full_name"),  # under the size cap
        ({**OFFICIAL, "version": "12"}, "items.0.version"),
        ({**OFFICIAL, "salary_step": True}, "items.0.salary_step"),
        ({**OFFICIAL, "position_title": "Phó\x00Chủ tịch"}, "items.0.position_title"),
        ({**OFFICIAL, "evaluations": [{"period": "2026-Q5", "classification": "HTT"}]},
         "items.0.evaluations.0.period"),
        ({**OFFICIAL, "evaluations": [{"period": "2026", "classification": "XUATSAC"}]},
         "items.0.evaluations.0.classification"),
        ({**OFFICIAL, "qualifications": [{"kind": "astrology", "level": "x"}]},
         "items.0.qualifications.0.kind"),
        ({**OFFICIAL, "updated_at": 1772409600}, "items.0.updated_at"),
    ],
)  # fmt: skip
def test_contract_breaches_are_refused_by_location(
    hostile_server: HostileServer, clock: FakeClock, item: dict[str, Any], where: str
) -> None:
    hostile_server.handler = answer(page(item))
    client = client_for(hostile_server, clock)
    with client.http, pytest.raises(errors.HostileResponse) as caught:
        client.pull(None, None)
    assert where in caught.value.reason
    assert "Nguyễn" not in str(caught.value)  # locations only, never the values


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"items": [], "items": [], "next_cursor": null, "high_watermark": "x"}', {}),
        (b'{"items": NaN}', {}),
        (b"[" * 100_000 + b"]" * 100_000, {}),
        (b"\xff\xfe{}", {}),
        (b"<html>maintenance</html>", {"media_type": "text/html"}),
        (gzip.compress(json.dumps(page()).encode()), {"headers": {"Content-Encoding": "gzip"}}),
    ],
)
def test_unreadable_bodies_are_refused(
    hostile_server: HostileServer, clock: FakeClock, content: bytes, headers: dict[str, Any]
) -> None:
    hostile_server.handler = raw(content, **headers)
    client = client_for(hostile_server, clock)
    with client.http, pytest.raises(errors.HostileResponse):
        client.pull(None, None)


@pytest.mark.parametrize(
    ("etag", "body"),
    [
        (None, OFFICIAL),
        ('W/"12"', OFFICIAL),
        ('"11"', OFFICIAL),
        ('"12"', {**OFFICIAL, "nid": "031185009999"}),  # about someone else
    ],
)
def test_reads_with_a_wrong_etag_or_person_are_refused(
    hostile_server: HostileServer, clock: FakeClock, etag: str | None, body: dict[str, Any]
) -> None:
    headers = {"ETag": etag} if etag else {}
    hostile_server.handler = answer(body, headers=headers)
    client = client_for(hostile_server, clock)
    with client.http, pytest.raises(errors.HostileResponse):
        client.get("031185001234")


def test_hostile_answers_never_open_the_breaker(
    hostile_server: HostileServer, clock: FakeClock
) -> None:
    """A quarantined answer is the system answering badly, not failing to answer."""
    hostile_server.handler = raw(b"not json at all")
    client = client_for(hostile_server, clock, minimum_calls=2, failure_ratio=0.5)
    with client.http:
        for _ in range(5):
            with pytest.raises(errors.HostileResponse):
                client.pull(None, None)
        assert client.http.breaker.window() == (5, 0)
    assert len(hostile_server.hits) == 5
