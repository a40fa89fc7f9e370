"""What both simulators share: a seeded random source, a movable clock, OAuth2 client
credentials, request counters and fault injection (errors, 429s, latency, scripted answers).

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
        forced = self._forced_status()
        if forced == 429:
            return JSONResponse(
                {"error": "rate_limited"},
                status_code=429,
                headers={"Retry-After": str(self.faults.retry_after)},
            )
        if forced is not None:
            return json_error(forced, error="simulated_failure")
        return await call_next(request)

    def _forced_status(self) -> int | None:
        if self.script:
            return self.script.popleft()
        if self.faults.rate_429 and self.rng.random() < self.faults.rate_429:
            return 429
        if self.faults.error_rate and self.rng.random() < self.faults.error_rate:
            return self.rng.choice((500, 502, 503, 504))
        return None
