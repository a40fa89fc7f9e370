"""OAuth2 client-credentials tokens, fetched once and reused until shortly before expiry.

A token is refreshed early by a small margin so that a call does not leave with a token that
expires in flight. A 401 on a call invalidates exactly the token that call used (another
thread may already have replaced it), so concurrent 401s cause one refresh, not many.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

import structlog
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
)

from adapters.clock import Clock
from adapters.errors import AuthFailed, HostileResponse, PermanentError, TokenRejected
from adapters.jsonsafe import loads_strict

log = structlog.get_logger(__name__)

# RFC 6750 b64token characters; anything else would be pasted into a header verbatim.
_B64TOKEN = r"^[A-Za-z0-9\-._~+/]+=*$"


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


class TokenAnswer(BaseModel):
    # RFC 6749 lets a server add parameters (scope, …): extra fields are ignored, not refused.
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    access_token: Annotated[str, StringConstraints(max_length=4096, pattern=_B64TOKEN)]
    token_type: Annotated[Literal["bearer"], BeforeValidator(_lower)]
    expires_in: int = Field(ge=1, le=86_400)


@dataclass(frozen=True)
class ClientCredentials:
    token_path: str
    client_id: str
    client_secret: SecretStr

    def form(self) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret.get_secret_value(),
        }


# Posts the form to the token endpoint once and returns the 2xx body; raises adapter errors.
TokenFetch = Callable[[Mapping[str, str]], bytes]


class TokenCache:
    """Holds at most one token; thread-safe. Lifetimes are measured on the monotonic clock."""

    def __init__(
        self, system: str, credentials: ClientCredentials, fetch: TokenFetch, clock: Clock
    ) -> None:
        self._system = system
        self._credentials = credentials
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._fresh_until = 0.0

    def bearer(self) -> str:
        with self._lock:
            if self._token is None or self._clock.monotonic() >= self._fresh_until:
                self._token = None
                self._refresh()
            assert self._token is not None
            return self._token

    def invalidate(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = None

    def _refresh(self) -> None:
        started = self._clock.monotonic()
        try:
            body = self._fetch(self._credentials.form())
        except (TokenRejected, PermanentError) as exc:
            raise AuthFailed(self._system, "token", "client credentials refused") from exc
        answer = self._parse(body)
        # Refresh a tenth early (at most 30 s) so a token does not expire in flight.
        margin = min(30.0, answer.expires_in / 10)
        self._token = answer.access_token
        self._fresh_until = started + answer.expires_in - margin
        log.info("adapter.auth.token_fetched", system=self._system, expires_in=answer.expires_in)

    def _parse(self, body: bytes) -> TokenAnswer:
        try:
            return TokenAnswer.model_validate(loads_strict(body))
        except (ValueError, ValidationError) as exc:
            raise HostileResponse(self._system, "token", "malformed token answer") from exc
