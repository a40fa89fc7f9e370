"""What both simulators share: a seeded random source, a movable clock, OAuth2 client
credentials, request counters and fault injection (errors, 429s, latency, hangs, revoked
tokens, scripted answers), and the fields another implementation of a contract would add.

Simulators are for tests and the demo only. Everything random comes from one
``random.Random(seed)``, so a run with the same seed and the same requests gives the same
answers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from adapters.clock import SYSTEM_CLOCK

# Token and key endpoints are left alone by the fault knobs so that a test can count exactly
# the calls it makes to the API.
_FAULT_EXEMPT = ("/oauth2/", "/.well-known/")


class SimClock:
    """A clock a test can move: ``now()`` is the start time plus every ``advance``."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += dt.timedelta(seconds=seconds)


@dataclass
class FaultKnobs:
    """Knobs shared by both simulators; change them at any time, even while serving."""

    error_rate: float = 0.0  # share of API calls answered 500/502/503/504
    rate_429: float = 0.0  # share answered 429 with Retry-After
    retry_after: int = 1
    latency: float = 0.0  # seconds added to every API call
    reject_tokens: bool = False  # every API call answered 401, as after a key rotation
    revoke_rate: float = 0.0  # share of API calls before which every token is forgotten
    hang_rate: float = 0.0  # share of API calls that stall ``hang_seconds`` before answering
    hang_seconds: float = 30.0
    # Another implementation of the contract: every answer object, the header and the
    # envelope carry fields the contract does not list (``with_extras``).
    extra_fields: bool = False

    def other_implementation(self, fault_rate: float = 0.3) -> None:
        """Behave like an independent implementation behind a real gateway: additional
        fields everywhere and ``fault_rate`` of calls failing (5xx, 429 with Retry-After,
        hangs, revoked tokens). The system's own knobs add the rest."""
        self.extra_fields = True
        self.error_rate = fault_rate * 0.5
        self.rate_429 = fault_rate * 0.3
        self.retry_after = 0
        self.revoke_rate = fault_rate * 0.1
        self.hang_rate = fault_rate * 0.1


# What another implementation adds to every object: a plain value and an object (one path
# each), never a name of the contracts.
EXTRA_FIELDS: dict[str, Any] = {
    "x_gateway_node": "lgsp-hp-02",
    "x_meta": {"schema_rev": 3, "source": "ndxp", "tags": ["a", "b"]},
}
EXTRA_HEADERS = {"X-Gateway-Trace": "0af7651916cd43dd8448eb211c80319c", "X-Api-Version": "1.4"}


def with_extras(value: Any) -> Any:
    """``value`` with ``EXTRA_FIELDS`` added to every object in it, at every level."""
    if isinstance(value, dict):
        return {**{k: with_extras(v) for k, v in value.items()}, **EXTRA_FIELDS}
    if isinstance(value, list):
        return [with_extras(v) for v in value]
    return value


def json_error(status: int, **body: object) -> JSONResponse:
    return JSONResponse(body, status_code=status)


class SimCore:
    """State common to both simulators. ``script`` holds statuses the next API calls get."""

    def __init__(
        self,
        *,
        seed: int,
        knobs: FaultKnobs,
        now: Callable[[], dt.datetime] | None,
        client_id: str,
        client_secret: str,
        token_ttl: int,
    ) -> None:
        # A simulator's randomness only shapes test data and faults.
        self.rng = random.Random(seed)  # noqa: S311
        self.faults = knobs
        self.now = now or SYSTEM_CLOCK.now
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_ttl = token_ttl
        self.hits: Counter[str] = Counter()
        self.script: deque[int] = deque()
        self._tokens: dict[str, dt.datetime] = {}

    def fail_next(self, *statuses: int) -> None:
        self.script.extend(statuses)

    def revoke_tokens(self) -> None:
        self._tokens.clear()

    def issue_token(self) -> str:
        token = f"sim-{self.rng.getrandbits(128):032x}"
        self._tokens[token] = self.now() + dt.timedelta(seconds=self.token_ttl)
        return token

    def token_ok(self, authorization: str | None) -> bool:
        if self.faults.reject_tokens or not authorization:
            return False
        scheme, _, token = authorization.partition(" ")
        expires = self._tokens.get(token)
        return scheme.lower() == "bearer" and expires is not None and self.now() < expires

    def require_token(self, request: Request) -> None:
        """FastAPI dependency: 401 unless the bearer token is known and unexpired."""
        if not self.token_ok(request.headers.get("authorization")):
            raise HTTPException(401, "invalid_token")

    def install(self, app: FastAPI, token_path: str) -> None:
        app.post(token_path)(self._token_endpoint)
        app.middleware("http")(self._faults_middleware)

    async def _token_endpoint(self, request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        if form.get("grant_type") != ["client_credentials"]:
            return json_error(400, error="unsupported_grant_type")
        given = (form.get("client_id", [""])[0], form.get("client_secret", [""])[0])
        if given != (self.client_id, self.client_secret):
            return json_error(401, error="invalid_client")
        token = self.issue_token()
        return JSONResponse(
            {"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl}
        )

    async def _faults_middleware(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        self.hits[f"{request.method} {path}"] += 1
        if path.startswith(_FAULT_EXEMPT):
            return await call_next(request)
        if self.faults.latency:
            await asyncio.sleep(self.faults.latency)
        if self.faults.hang_rate and self.rng.random() < self.faults.hang_rate:
            # The caller times out; the call still goes on afterwards, as a slow backend's would.
            await asyncio.sleep(self.faults.hang_seconds)
        if self.faults.revoke_rate and self.rng.random() < self.faults.revoke_rate:
            self.revoke_tokens()  # e.g. the gateway restarted and forgot its tokens
        forced = self._forced_status()
        if forced == 429:
            return JSONResponse(
                {"error": "rate_limited"},
                status_code=429,
                headers={"Retry-After": str(self.faults.retry_after)},
            )
        if forced is not None:
            return json_error(forced, error="simulated_failure")
        response = await call_next(request)
        if self.faults.extra_fields:
            response.headers.update(EXTRA_HEADERS)
        return response

    def _forced_status(self) -> int | None:
        if self.script:
            return self.script.popleft()
        if self.faults.rate_429 and self.rng.random() < self.faults.rate_429:
            return 429
        if self.faults.error_rate and self.rng.random() < self.faults.error_rate:
            return self.rng.choice((500, 502, 503, 504))
        return None
