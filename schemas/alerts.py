from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints

from schemas.common import Day, EntityRead, ReadModel, Text200, Text500, Wire


class AlertRead(EntityRead):
    rule: str
    person_id: uuid.UUID | None
    position_id: uuid.UUID | None
    org_unit_id: uuid.UUID
    status: str
    details: dict[str, Any]
    since: dt.date
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    resolved_at: dt.datetime | None
    waived_reason: str | None
    waived_until: dt.date | None
    assigned_to: str | None


class AlertCommentRead(ReadModel):
    id: uuid.UUID
    author: str
    text: str
    created_at: dt.datetime


class AlertWaive(Wire):
    reason: Text500
    until: Day = Field(description="the waiver ends; the alert reopens after this day")

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "reason": "Đang học lớp Trung cấp lý luận chính trị, tốt nghiệp tháng 6/2027",
                "until": "2027-07-01",
            }
        }
    )


class AlertAssign(Wire):
    # Who follows the alert up: stored in alerts.assigned_to, 120 characters.
    to: Annotated[Text200, StringConstraints(max_length=120)]


class AlertComment(Wire):
    text: str = Field(min_length=1, max_length=2000)


class EvaluationRunRead(ReadModel):
    findings: int = 0
    opened: int = 0
    resolved: int = 0
    reopened: int = 0
