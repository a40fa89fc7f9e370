"""The one way adapters speak HTTP: explicit timeouts, no redirects, capped bodies, bounded
retries of transient failures, a circuit breaker per system and OAuth2 client credentials.

Every answer goes through ``HttpClient._handle_response``, which turns a status into either a
``Reply`` (2xx) or one of the typed errors of ``adapters.errors``. The system clients
(``adapters.population.client``, ``adapters.civil_service.client``) only speak their contract
on top of this.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import TypeVar

import httpx
import structlog

from adapters import errors as e
from adapters.auth import ClientCredentials, TokenCache
from adapters.breaker import BreakerPolicy, CircuitBreaker
from adapters.clock import SYSTEM_CLOCK, Clock
from adapters.drift import DriftLog, DriftObserver
from adapters.jsonsafe import loads_strict
from adapters.retry import RetryPolicy, parse_retry_after, wait_before_retry

log = structlog.get_logger(__name__)

# RFC 9110 idempotent methods; anything else is retried only with an Idempotency-Key.
T = TypeVar("T")
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_STATUS_ERRORS: dict[int, type[e.PermanentError]] = {
    400: e.BadRequest,
    404: e.RemoteNotFound,
    409: e.AlreadyExists,
    410: e.CursorExpired,
    412: e.VersionConflict,
    422: e.Unprocessable,
    428: e.PreconditionRequired,
}


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 15.0
    write: float = 15.0
    pool: float = 5.0


@dataclass(frozen=True)
class HttpPolicy:
    timeouts: Timeouts = field(default_factory=Timeouts)
    # Bodies above this are refused as hostile, whatever Content-Length claims.
    max_body_bytes: int = 5 * 1024 * 1024
    # A body still arriving after this long is refused: a trickle can dodge read timeouts.
    max_body_seconds: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: BreakerPolicy = field(default_factory=BreakerPolicy)


@dataclass(frozen=True)
class Call:
    """One logical request. ``operation`` labels logs and errors: it must never hold a path,
    because paths can carry identification numbers."""

    operation: str
    method: str
    path: str
    params: Mapping[str, str] | None = None
    json_body: object = None
    form: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    # None: derived from the method and an Idempotency-Key header. True for safe POSTs
    # (a search that changes nothing) — the caller has to say so.
    retry_safe: bool | None = None
    authenticated: bool = True

    def may_retry(self) -> bool:
        if self.retry_safe is not None:
            return self.retry_safe
        keyed = any(k.lower() == "idempotency-key" for k in self.headers)
        return self.method.upper() in _IDEMPOTENT or keyed


@dataclass(frozen=True)
class Reply:
    status_code: int
    headers: httpx.Headers
    body: bytes

    def json(self, system: str, operation: str, *, allow_floats: bool = True) -> object:
        content_type = self.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise e.HostileResponse(system, operation, "answer is not application/json")
        try:
            return loads_strict(self.body, allow_floats=allow_floats)
        except ValueError as exc:
            raise e.HostileResponse(system, operation, f"malformed JSON: {exc}") from exc


def _as_is(reply: Reply) -> Reply:
    return reply


def build_httpx_client(
    base_url: str, policy: HttpPolicy, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    t = policy.timeouts
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool),
        # A redirect could take our bearer token or a request about a person to another host.
        follow_redirects=False,
        # Compressed answers would be inflated before the size cap sees them (zip bombs).
        headers={"Accept-Encoding": "identity", "Accept": "application/json"},
        transport=transport,
        trust_env=False,
    )


class HttpClient:
    """Calls one external system. Thread-safe; create one per system and reuse it so the
    token, the connection pool and the breaker are shared by every call."""

    def __init__(
        self,
        *,
        system: str,
        base_url: str,
        policy: HttpPolicy,
        credentials: ClientCredentials | None = None,
        clock: Clock = SYSTEM_CLOCK,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        drift: DriftObserver | None = None,
    ) -> None:
        self.system = system
        # Told of the fields answers carry that the contract does not list (adapters.drift).
        self.drift: DriftObserver = drift or DriftLog()
        self.policy = policy
        self.breaker = CircuitBreaker(system, policy.breaker, clock)
        self._clock = clock
        # Jitter only spreads load; it protects nothing, so a seeded PRNG is fine.
        self._rng = rng or random.Random()  # noqa: S311
        self._http = build_httpx_client(base_url, policy, transport)
        self._token_path = credentials.token_path if credentials else ""
        self._tokens = (
            TokenCache(system, credentials, self._fetch_token, clock) if credentials else None
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.drift.flush()
        finally:
            self._http.close()

    def call(self, call: Call) -> Reply:
        """Send ``call``, retrying transient failures when it is safe; return a 2xx ``Reply``
        or raise an ``AdapterError``."""
        return self.call_parsed(call, _as_is)

    def call_parsed(self, call: Call, parse: Callable[[Reply], T]) -> T:
        """Like ``call``, with ``parse`` run inside the attempt, so a ``TransientError`` it
        raises is retried. A ``HostileResponse`` (the answer breaks the contract) is not
        retried and is not a failure of the system for the breaker: it answered."""
        retry = self.policy.retry
        deadline = self._clock.monotonic() + retry.max_total_seconds
        attempt = 1
        while True:
            try:
                return self._attempt(call, parse)
            except e.TransientError as exc:
                wait = self._wait_or_give_up(call, exc, attempt, deadline)
                log.warning(
                    "adapter.http.retry",
                    system=self.system,
                    operation=call.operation,
                    attempt=attempt,
                    wait_s=round(wait, 3),
                    reason=exc.reason,
                )
                self._clock.sleep(wait)
                attempt += 1

    def _wait_or_give_up(
        self, call: Call, exc: e.TransientError, attempt: int, deadline: float
    ) -> float:
        """The wait before the next attempt; re-raises ``exc`` when no attempt is left."""
        retry = self.policy.retry
        if not call.may_retry() or attempt >= retry.max_attempts:
            raise exc
        wait = wait_before_retry(retry, attempt, exc.retry_after, self._rng)
        if wait is None or self._clock.monotonic() + wait > deadline:
            raise exc
        return wait

    def _attempt(self, call: Call, parse: Callable[[Reply], T]) -> T:
        """One attempt through the breaker, including the one token refresh on a 401."""
        self.breaker.before_call(call.operation)
        try:
            result = parse(self._authenticated(call))
        except (e.PermanentError, e.AuthFailed, e.HostileResponse):
            # The system answered: the request, the credentials or the answer was the problem.
            # A quarantined answer must never open the breaker.
            self.breaker.record_success()
            raise
        except Exception:
            self.breaker.record_failure()
            raise
        self.breaker.record_success()
        return result

    def _authenticated(self, call: Call) -> Reply:
        if not call.authenticated or self._tokens is None:
            return self._exchange(call, None)
        token = self._tokens.bearer()
        try:
            return self._exchange(call, token)
        except e.TokenRejected:
            self._tokens.invalidate(token)
        log.info("adapter.auth.token_refused", system=self.system, operation=call.operation)
        try:
            return self._exchange(call, self._tokens.bearer())
        except e.TokenRejected as exc:
            raise e.AuthFailed(self.system, call.operation, "fresh token refused") from exc

    def _fetch_token(self, form: Mapping[str, str]) -> bytes:
        token_call = Call("token", "POST", self._token_path, form=form, authenticated=False)
        return self._exchange(token_call, None).body

    def _exchange(self, call: Call, token: str | None) -> Reply:
        headers = dict(call.headers)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = self._http.build_request(
            call.method,
            call.path,
            params=call.params,
            json=call.json_body,
            data=call.form,
            headers=headers,
        )
        try:
            response = self._http.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise e.TransportTimeout(self.system, call.operation, "timed out") from exc
        except httpx.TransportError as exc:
            raise e.TransportFailure(self.system, call.operation, type(exc).__name__) from exc
        try:
            return self._handle_response(call, response)
        finally:
            response.close()

    def _handle_response(self, call: Call, response: httpx.Response) -> Reply:
        """The single place where an answer becomes a ``Reply`` or a typed error."""
        body = self._read_capped(call, response)
        status = response.status_code
        op = call.operation
        if 200 <= status < 300:
            return Reply(status, response.headers, body)
        if 300 <= status < 400:
            log.warning("adapter.http.redirect_refused", system=self.system, operation=op)
            raise e.RedirectRefused(self.system, op, f"redirect ({status}) not followed")
        if status == 401:
            raise e.TokenRejected(self.system, op, "token refused (401)")
        if status == 429:
            after = parse_retry_after(response.headers.get("retry-after"), self._clock.now())
            raise e.RateLimited(self.system, op, after)
        if 500 <= status < 600:
            raise e.ServerError(self.system, op, status)
        if 400 <= status < 500:
            raise _STATUS_ERRORS.get(status, e.PermanentError)(self.system, op, status, body)
        raise e.HostileResponse(self.system, op, f"status {status} outside HTTP")

    def _read_capped(self, call: Call, response: httpx.Response) -> bytes:
        cap = self.policy.max_body_bytes
        op = call.operation
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise self._hostile(op, "compressed answer after asking for identity")
        declared = response.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            raise self._hostile(op, "declared body over the size cap")
        started = self._clock.monotonic()
        chunks: list[bytes] = []
        size = 0
        try:
            # No chunk size: httpx would buffer up to it, and a trickle would never be checked.
            for chunk in response.iter_raw():
                size += len(chunk)
                if size > cap:
                    raise self._hostile(op, "body over the size cap")
                if self._clock.monotonic() - started > self.policy.max_body_seconds:
                    raise self._hostile(op, "body still arriving after the time bound")
                chunks.append(chunk)
        except httpx.TimeoutException as exc:
            raise e.TransportTimeout(self.system, op, "timed out reading the body") from exc
        except httpx.TransportError as exc:
            raise e.TransportFailure(self.system, op, type(exc).__name__) from exc
        return b"".join(chunks)

    def _hostile(self, operation: str, reason: str) -> e.HostileResponse:
        log.warning("adapter.http.hostile", system=self.system, operation=operation, reason=reason)
        return e.HostileResponse(self.system, operation, reason)
