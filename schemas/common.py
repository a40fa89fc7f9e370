"""Shared wire-model pieces: strict base, safe text, pages and the one error body."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from registry.text import has_control_chars, is_nfc


def _safe_text(value: str) -> str:
    if has_control_chars(value):
        raise ValueError("contains control characters")
    if not is_nfc(value):
        raise ValueError("text must be Unicode NFC (precomposed Vietnamese letters)")
    return value


_Safe = AfterValidator(_safe_text)
Name = Annotated[str, StringConstraints(min_length=1, max_length=60, strip_whitespace=True), _Safe]
OptName = Annotated[str, StringConstraints(max_length=60, strip_whitespace=True), _Safe]
Text64 = Annotated[
    str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True), _Safe
]
Text200 = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True), _Safe
]
Text500 = Annotated[
    str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True), _Safe
]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,32}$")]


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
