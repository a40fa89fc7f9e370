from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import ConfigDict

from schemas.common import Day, EntityRead, Text64, Text200, Text500, Wire

DisciplineForm = Literal[
    "reprimand", "warning", "removal_from_post", "demotion", "dismissal", "expulsion"
]


class CommendationCreate(Wire):
    person_id: uuid.UUID
    title: Text200
    level: Text64 | None = None
    decided_on: Day
    decision_no: Text64 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "title": "Giấy khen của Chủ tịch UBND thành phố",
                "level": "city",
                "decided_on": "2025-12-20",
                "decision_no": "3021/QĐ-UBND",
            }
        }
    )


class CommendationUpdate(Wire):
    title: Text200 | None = None
    level: Text64 | None = None
    decided_on: Day | None = None
    decision_no: Text64 | None = None


class CommendationRead(EntityRead):
    person_id: uuid.UUID
    title: str
    level: str | None
    decided_on: dt.date
    decision_no: str | None


class DisciplineCreate(Wire):
    person_id: uuid.UUID
    authority: Literal["party", "state"]
    form: DisciplineForm
    decided_on: Day
    effective_from: Day
    effective_to: Day | None = None
    decision_no: Text64 | None = None
    reason_text: Text500 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "authority": "party",
                "form": "reprimand",
                "decided_on": "2026-02-10",
                "effective_from": "2026-02-10",
                "decision_no": "05-QĐ/UBKT",
            }
        }
    )


class DisciplineUpdate(Wire):
    effective_to: Day | None = None
    decision_no: Text64 | None = None
    reason_text: Text500 | None = None


class DisciplineRead(EntityRead):
    person_id: uuid.UUID
    authority: str
    form: str
    decided_on: dt.date
    effective_from: dt.date
    effective_to: dt.date | None
    decision_no: str | None
    reason_text: str | None
