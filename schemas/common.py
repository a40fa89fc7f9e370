"""Shared wire-model pieces: strict base, safe text, bounded values, pages and the one error
body.

Text types refuse the characters ``registry.text.text_problem`` names (the request hygiene
refuses most of them before any model sees them; the types are the rule for everything that is
validated without a request, e.g. an import). Names are normalised instead of refused where
normalising loses nothing: NFC, and ordinary spaces stripped and collapsed.

Bounded types keep every date, instant and integer inside what both databases, Python's
``datetime`` and the pages can hold, so a year-9999 instant with a -23:59 offset or an id past
2^63 is a 422 naming the field, never an ``OverflowError``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from registry.text import clean_name, text_problem

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
INSTANT_MIN = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
INSTANT_MAX = dt.datetime(2100, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
INT64_MAX = 2**63 - 1


def _single_line(value: str) -> str:
    if problem := text_problem(value):
        raise ValueError(problem)
    return value


def _multi_line(value: str) -> str:
    if problem := text_problem(value, allow_newlines=True):
        raise ValueError(problem)
    return value


# Only spaces and line breaks are trimmed: Python's own strip() would also drop the control
# characters it counts as white space (U+001C-U+001F, U+0085), which must be refused.
_TRIM = " \t\n\r\u00a0\u3000"


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value).strip(_TRIM) if isinstance(value, str) else value


def _name_form(value: Any) -> Any:
    """A name keyed on a system that sends decomposed letters, or with doubled spaces, is the
    same name: store it precomposed and single-spaced."""
    return clean_name(value) if isinstance(value, str) else value


_Line = AfterValidator(_single_line)
_Lines = AfterValidator(_multi_line)
_AsName = BeforeValidator(_name_form)
_AsNFC = BeforeValidator(_nfc)

Name = Annotated[str, _AsName, StringConstraints(min_length=1, max_length=60), _Line]
OptName = Annotated[str, _AsName, StringConstraints(max_length=60), _Line]
Text64 = Annotated[str, _AsNFC, StringConstraints(min_length=1, max_length=64), _Line]
Text200 = Annotated[str, _AsNFC, StringConstraints(min_length=1, max_length=200), _Line]
# Free text (reasons given in a form, comments): the one text that may keep line breaks.
Text500 = Annotated[str, _AsNFC, StringConstraints(min_length=1, max_length=500), _Lines]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,32}$")]


def _bounded_date(value: dt.date) -> dt.date:
    if value < DATE_MIN:
        raise ValueError("must be on or after 1900-01-01")
    if value > DATE_MAX:
        raise ValueError("must be on or before 2100-12-31")
    return value


def _bounded_instant(value: dt.datetime) -> dt.datetime:
    # Check the wall-clock year before converting: converting year 1 at +23:59 (or 9999 at
    # -23:59) to UTC is exactly the OverflowError this type exists to prevent.
    if value.year < DATE_MIN.year - 1 or value.year > DATE_MAX.year + 1:
        raise ValueError("must be between 1900-01-01T00:00:00Z and 2100-12-31T23:59:59Z")
    utc = value.astimezone(dt.UTC)
    if utc < INSTANT_MIN:
        raise ValueError("must be on or after 1900-01-01T00:00:00Z")
    if utc > INSTANT_MAX:
        raise ValueError("must be on or before 2100-12-31T23:59:59Z")
    return utc


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _written_as(pattern: re.Pattern[str], form: str) -> Any:
    """Only the ISO text (or a date object from our own code): pydantic would otherwise read
    ``0`` or ``true`` as a Unix time, which the document (``format: date``) does not allow."""

    def check(value: Any) -> Any:
        if isinstance(value, bool | int | float) or (
            isinstance(value, str) and not pattern.match(value)
        ):
            raise ValueError(f"must be an ISO 8601 {form}")
        return value

    return BeforeValidator(check)


# A calendar date between 1900-01-01 and 2100-12-31, written YYYY-MM-DD.
Day = Annotated[dt.date, _written_as(_ISO_DATE, "date (YYYY-MM-DD)"), AfterValidator(_bounded_date)]
# An instant with an explicit offset (any offset), between 1900 and 2100, given back in UTC.
Instant = Annotated[
    AwareDatetime,
    _written_as(_ISO_INSTANT, "instant with an offset (RFC 3339)"),
    AfterValidator(_bounded_instant),
]
# Integers a 64-bit column (both databases) can hold.
Int64 = Annotated[int, Field(ge=-INT64_MAX - 1, le=INT64_MAX)]
Count = Annotated[int, Field(ge=0, le=INT64_MAX)]
Positive = Annotated[int, Field(ge=1, le=INT64_MAX)]


def at_most(maximum: int, minimum: int = 0) -> Any:
    """Bounds of an integer field with its own maximum (a page size, a year, a count):
    ``limit: Annotated[int, at_most(500)] = 50``; never past int64."""
    return Field(ge=max(minimum, -INT64_MAX - 1), le=min(maximum, INT64_MAX))


class Wire(BaseModel):
    """Base of every request model: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=False)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EntityRead(ReadModel):
    id: uuid.UUID
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    retired_at: dt.datetime | None = None


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null at the end."
    )


class ErrorIssue(BaseModel):
    field: str
    reason: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    issues: list[ErrorIssue] = Field(default_factory=list)
    request_id: str | None = None


class ErrorBody(BaseModel):
    """The one shape of every error answer."""

    error: ErrorDetail

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "error": {
                    "code": "invalid",
                    "message": "request validation failed",
                    "issues": [{"field": "body.nid", "reason": "must be exactly 12 digits"}],
                    "request_id": "5f0c0d4e6b2a4d0f",
                }
            }
        }
    )
