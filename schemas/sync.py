from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from schemas.common import ReadModel, Wire


class SyncRunRead(ReadModel):
    id: uuid.UUID
    job: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    counts: dict[str, Any]
    errors: list[str]
    runner: str
    period: str | None


class ConflictRead(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    system: str
    field: str
    reason: str
    local_value: Any = None
    remote_value: Any = None
    status: str
    resolution: str | None
    resolved_by: str | None
    resolved_at: dt.datetime | None
    created_at: dt.datetime


class ConflictResolve(Wire):
    resolution: Literal["keep_local", "take_remote"]

    model_config = ConfigDict(json_schema_extra={"example": {"resolution": "take_remote"}})


class OutboxRead(ReadModel):
    id: int
    system: str
    person_id: uuid.UUID
    status: str
    attempts: int
    available_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class IdentityVerificationRead(ReadModel):
    status: str
    checked_at: dt.datetime
    mismatched_fields: list[str]
