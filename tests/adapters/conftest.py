"""Simulators served over real loopback HTTP, and a fake clock so waits are asserted, not
waited. A ``HostileServer`` answers whatever a test tells it to, for replies a simulator of a
correct system never gives."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from adapters.breaker import BreakerPolicy
from adapters.civil_service.client import CivilServiceClient, CivilServiceConnection
from adapters.civil_service.simulator import CivilServiceSim
from adapters.http import HttpPolicy
from adapters.population.client import PopulationClient, PopulationConnection
from adapters.population.signature import public_key_b64
from adapters.population.simulator import PopulationSim
from adapters.retry import RetryPolicy
from adapters.serve import running_simulator
from adapters.simkit import SimClock

SECRET = SecretStr("simulator-secret")


class FakeClock:
    """Monotonic time that moves only when the code sleeps (or a test advances it)."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.t += seconds

    def now(self) -> dt.datetime:
        return dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=self.t)

    def advance(self, seconds: float) -> None:
        self.t += seconds


def policy(
    *,
    attempts: int = 4,
    total: float = 60.0,
    minimum_calls: int = 50,
    failure_ratio: float = 0.5,
    window: float = 60.0,
    open_seconds: float = 30.0,
    max_body_bytes: int = 5 * 1024 * 1024,
    max_body_seconds: float = 30.0,
) -> HttpPolicy:
    return HttpPolicy(
        max_body_bytes=max_body_bytes,
        max_body_seconds=max_body_seconds,
        retry=RetryPolicy(max_attempts=attempts, base_delay=0.5, max_total_seconds=total),
        breaker=BreakerPolicy(
            minimum_calls=minimum_calls,
            failure_ratio=failure_ratio,
            window_seconds=window,
            open_seconds=open_seconds,
        ),
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim_clock() -> SimClock:
    return SimClock()


@pytest.fixture
def pop_sim(sim_clock: SimClock) -> PopulationSim:
    return PopulationSim(seed=11, now=sim_clock)


@pytest.fixture
def pop_url(pop_sim: PopulationSim) -> Iterator[str]:
    with running_simulator(pop_sim.app) as url:
        yield url


@pytest.fixture
def make_pop_client(
    pop_sim: PopulationSim, pop_url: str, clock: FakeClock
) -> Iterator[Callable[..., PopulationClient]]:
    made: list[PopulationClient] = []

    def make(key_b64: str | None = None, **policy_args: Any) -> PopulationClient:
        client = PopulationClient.connect(
            PopulationConnection(pop_url, "registry", SECRET, key_b64 or pop_sim.public_key_b64),
            policy=policy(**policy_args),
            clock=clock,
            rng=random.Random(5),
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def cs_sim(sim_clock: SimClock) -> CivilServiceSim:
    return CivilServiceSim(seed=21, now=sim_clock)


@pytest.fixture
def cs_url(cs_sim: CivilServiceSim) -> Iterator[str]:
    with running_simulator(cs_sim.app) as url:
        yield url


@pytest.fixture
def make_cs_client(cs_url: str, clock: FakeClock) -> Iterator[Callable[..., CivilServiceClient]]:
    made: list[CivilServiceClient] = []

    def make(secret: SecretStr = SECRET, **policy_args: Any) -> CivilServiceClient:
        client = CivilServiceClient.connect(
            CivilServiceConnection(cs_url, "registry", secret),
            policy=policy(**policy_args),
            clock=clock,
            rng=random.Random(5),
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


Handler = Callable[[Request, bytes], Response]


@dataclass
class HostileServer:
    """Issues tokens like both systems, then answers every other call with ``handler``."""

    url: str
    key: Ed25519PrivateKey
    hits: list[str] = field(default_factory=list)
    handler: Handler = field(default=lambda _r, _b: JSONResponse({}))

    @property
    def public_key_b64(self) -> str:
        return public_key_b64(self.key.public_key())


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    app = FastAPI(openapi_url=None)
    server = HostileServer(url="", key=Ed25519PrivateKey.generate())

    @app.post("/oauth2/token")
    @app.post("/oauth2/client/token")
    async def token() -> Response:
        return JSONResponse({"access_token": "t0k3n", "token_type": "Bearer", "expires_in": 300})

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT"])
    async def anything(request: Request, path: str) -> Response:
        server.hits.append(f"{request.url.hostname}/{path}")
        return server.handler(request, await request.body())

    with running_simulator(app) as url:
        server.url = url
        yield server


@pytest.fixture
def hostile_server(hostile: HostileServer) -> HostileServer:
    hostile.hits.clear()
    hostile.handler = lambda _r, _b: JSONResponse({})
    return hostile
