"""One error hierarchy; the API renders every subclass with the same body shape."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldIssue:
    """One reason an input was refused, located by a path such as ``body.nid``."""

    field: str
    reason: str


class RegistryError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, issues: list[FieldIssue] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.issues = issues or []


class NotFound(RegistryError):
    status_code = 404
    code = "not_found"


class Conflict(RegistryError):
    status_code = 409
    code = "conflict"


class Forbidden(RegistryError):
    status_code = 403
    code = "forbidden"


class Unauthorized(RegistryError):
    status_code = 401
    code = "unauthorized"


class Invalid(RegistryError):
    status_code = 422
    code = "invalid"

    @classmethod
    def field(cls, field: str, reason: str) -> Invalid:
        return cls(f"{field}: {reason}", issues=[FieldIssue(field, reason)])


class PreconditionFailed(RegistryError):
    status_code = 412
    code = "precondition_failed"


class PreconditionRequired(RegistryError):
    status_code = 428
    code = "precondition_required"


class TooManyRequests(RegistryError):
    status_code = 429
    code = "too_many_requests"


class ExternalSystemError(RegistryError):
    status_code = 502
    code = "external_system_error"


class DecryptionError(RegistryError):
    """A ciphertext that does not authenticate. Never answered with a blank or the ciphertext."""

    status_code = 500
    code = "decryption_failed"
