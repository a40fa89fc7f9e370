from __future__ import annotations

import datetime as dt
import uuid

from pydantic import ConfigDict, Field

from schemas.common import Day, EntityRead, Text64, Wire


class PlanningEntryCreate(Wire):
    person_id: uuid.UUID
    position_id: uuid.UUID
    term: str = Field(pattern=r"^[0-9]{4}-[0-9]{4}$")
    decided_on: Day
    decision_no: Text64 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "position_id": "3d6f1a2b-9c8e-4f7d-a6b5-c4d3e2f1a0b9",
                "term": "2025-2030",
                "decided_on": "2025-10-15",
                "decision_no": "88-QĐ/ĐU",
            }
        }
    )


class PlanningEntryUpdate(Wire):
    decided_on: Day | None = None
    decision_no: Text64 | None = None


class PlanningEntryRead(EntityRead):
    person_id: uuid.UUID
    position_id: uuid.UUID
    term: str
    decided_on: dt.date
    decision_no: str | None
