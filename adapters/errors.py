"""What can go wrong talking to an external system, as types a sync job can act on.

The tree answers the job's only questions: try again later (``TransientError``), give up on
this request (``PermanentError``), distrust the peer (``HostileResponse``), stop calling for
a while (``CircuitOpen``) or fix the configuration (``AuthFailed``). Messages name the system
and the operation, never a path, a body or a token: paths can hold identification numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import ExternalSystemError


class AdapterError(ExternalSystemError):
    """Base of every adapter failure; renders as 502 if it ever reaches the API."""

    def __init__(self, system: str, operation: str, reason: str) -> None:
        super().__init__(f"{system} {operation}: {reason}")
        self.system = system
        self.operation = operation
        self.reason = reason


class TransientError(AdapterError):
    """The call may succeed if repeated later (5xx, 429, timeout, dropped connection)."""

    retry_after: float | None = None


class ServerError(TransientError):
    def __init__(self, system: str, operation: str, status_code: int) -> None:
        super().__init__(system, operation, f"server answered {status_code}")
        self.status_code = status_code


class RateLimited(TransientError):
    def __init__(self, system: str, operation: str, retry_after: float | None) -> None:
        super().__init__(system, operation, "over quota (429)")
        self.status_code = 429
        self.retry_after = retry_after


class TransportTimeout(TransientError):
    pass


class TransportFailure(TransientError):
    pass


class PermanentError(AdapterError):
    """The peer refused this request; repeating it unchanged will not help.

    ``detail`` keeps the (size-capped) error body for the caller to parse; it is never part
    of the message because it may echo personal data.
    """

    def __init__(
        self,
        system: str,
        operation: str,
        status_code: int,
        detail: bytes = b"",
        reason: str | None = None,
    ) -> None:
        super().__init__(system, operation, reason or f"refused with {status_code}")
        self.status_code = status_code
        self.detail = detail


class BadRequest(PermanentError):
    pass


class RemoteNotFound(PermanentError):
    pass


class AlreadyExists(PermanentError):
    """409 on a create: the record exists there already."""


class CursorExpired(PermanentError):
    """410: the paging cursor is unknown or too old; restart from a stored watermark."""


class VersionConflict(PermanentError):
    """412: the record moved on there; re-read, merge by authority, retry or record a conflict."""


class PreconditionRequired(PermanentError):
    """428: a write without exactly one of If-Match / If-None-Match (a bug on our side)."""


class Unprocessable(PermanentError):
    """422 before its body is interpreted by the system's client."""


class AuthFailed(AdapterError):
    """Credentials refused, or a fresh token refused too: needs an operator, not a retry."""


class TokenRejected(AdapterError):
    """A 401 on a call; the HTTP layer refreshes the token once and turns a second one into
    ``AuthFailed``, so callers never see this."""


class HostileResponse(AdapterError):
    """The answer breaks what the registry relies on (a used field of the wrong type or
    length, an unknown code, a bad signature, an oversized or unreadable body); nothing of it
    is applied and the jobs quarantine it. Fields the registry does not use never cause it:
    those are contract drift (``adapters.drift``). The system did answer, so the circuit
    breaker counts it as a success, never as a failure."""


class BadSignature(HostileResponse):
    pass


class RedirectRefused(HostileResponse):
    pass


class CircuitOpen(AdapterError):
    """Too many recent calls to the system failed; calls are refused locally, without a
    request, until the breaker half-opens in ``reopens_in`` seconds.

    A job that meets it stops its run there (``partial``: work is left) and leaves the rest
    to the next run; it is never a reason to quarantine or dead-letter an item.
    """

    def __init__(self, system: str, operation: str, *, reopens_in: float = 0.0) -> None:
        super().__init__(
            system, operation, f"circuit open: failure rate too high, retry in {reopens_in:.0f}s"
        )
        self.reopens_in = reopens_in


# The name the sync jobs' docs use; the same class.
BreakerOpen = CircuitOpen


@dataclass(frozen=True)
class Issue:
    """One reason a peer gave for refusing a payload: a field path and a code, no values."""

    field: str | None
    code: str


class Rejected(Unprocessable):
    """422 with the peer's reasons: permanent for this payload (quarantine it, don't loop)."""

    def __init__(
        self, system: str, operation: str, issues: tuple[Issue, ...], detail: bytes = b""
    ) -> None:
        codes = ", ".join(sorted({i.code for i in issues}))
        super().__init__(system, operation, 422, detail, f"refused (422): {codes}")
        self.remote_issues = issues


class IdempotencyKeyReused(Rejected):
    """The key was used before for another body or path: a bug in how keys are made."""
