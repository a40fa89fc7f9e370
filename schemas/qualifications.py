from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import ConfigDict, Field

from schemas.common import Day, EntityRead, Text200, Wire

QualificationKind = Literal[
    "professional",
    "political_theory",
    "state_management",
    "it",
    "foreign_language",
    "defence_security",
]


class QualificationCreate(Wire):
    person_id: uuid.UUID
    kind: QualificationKind
    level: str = Field(max_length=32)
    major: Text200 | None = None
    institution: Text200 | None = None
    awarded_on: Day | None = None
    expires_on: Day | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "kind": "political_theory",
                "level": "trung_cap",
                "institution": "Trường Chính trị tỉnh",
                "awarded_on": "2019-06-30",
            }
        }
    )


class QualificationUpdate(Wire):
    level: str | None = Field(default=None, max_length=32)
    major: Text200 | None = None
    institution: Text200 | None = None
    awarded_on: Day | None = None
    expires_on: Day | None = None


class QualificationRead(EntityRead):
    person_id: uuid.UUID
    kind: str
    level: str
    major: str | None
    institution: str | None
    awarded_on: dt.date | None
    expires_on: dt.date | None


TrainingMode = Literal["full_time", "part_time", "in_service", "online", "other"]


class TrainingCreate(Wire):
    person_id: uuid.UUID
    course: Text200
    institution: Text200 | None = None
    valid_from: Day
    valid_to: Day | None = None
    hours: int | None = Field(default=None, ge=1, le=10000)
    mode: TrainingMode = "in_service"
    certificate: Text200 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "course": "Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên",
                "institution": "Trường Chính trị tỉnh",
                "valid_from": "2024-03-04",
                "valid_to": "2024-05-10",
                "hours": 240,
                "mode": "in_service",
            }
        }
    )


class TrainingUpdate(Wire):
    course: Text200 | None = None
    institution: Text200 | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    hours: int | None = Field(default=None, ge=1, le=10000)
    mode: TrainingMode | None = None
    certificate: Text200 | None = None


class TrainingRead(EntityRead):
    person_id: uuid.UUID
    course: str
    institution: str | None
    valid_from: dt.date
    valid_to: dt.date | None
    hours: int | None
    mode: str
    certificate: str | None
