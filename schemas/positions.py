from __future__ import annotations

import uuid

from pydantic import ConfigDict, Field

from schemas.common import Code, EntityRead, Text200, Wire


class PositionCreate(Wire):
    org_unit_id: uuid.UUID
    title: Text200
    job_position_code: Code | None = None
    is_leadership: bool = False
    required_rank: str | None = Field(default=None, pattern=r"^[0-9]{2}\.[0-9]{3}[a-z]?$")
    headcount: int = Field(default=1, ge=1, le=500)
    standard_profile_id: uuid.UUID | None = None
    rotation_period_months: int | None = Field(default=None, ge=12, le=120)

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "org_unit_id": "7f1c8d2e-4b7a-4c55-9a64-2f8f5b0e1a11",
                "title": "Công chức Văn phòng - Thống kê",
                "job_position_code": "VP-TK",
                "required_rank": "01.003",
                "headcount": 2,
            }
        }
    )


class PositionUpdate(Wire):
    title: Text200 | None = None
    job_position_code: Code | None = None
    is_leadership: bool | None = None
    required_rank: str | None = Field(default=None, pattern=r"^[0-9]{2}\.[0-9]{3}[a-z]?$")
    headcount: int | None = Field(default=None, ge=1, le=500)
    standard_profile_id: uuid.UUID | None = None
    rotation_period_months: int | None = Field(default=None, ge=12, le=120)


class PositionRead(EntityRead):
    org_unit_id: uuid.UUID
    title: str
    job_position_code: str | None
    is_leadership: bool
    required_rank: str | None
    headcount: int
    standard_profile_id: uuid.UUID | None
    rotation_period_months: int | None
