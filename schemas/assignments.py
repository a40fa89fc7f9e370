from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from schemas.common import Day, EntityRead, Text64, Text200, Wire

AssignmentKind = Literal[
    "appointment", "election", "rotation", "secondment", "concurrent", "acting", "transfer"
]
# How a post ended (Decree 27/2026 data group: dismissal, resignation, retirement, …).
EndKind = Literal[
    "dismissal",
    "resignation",
    "retirement",
    "term_end",
    "transfer",
    "rotation",
    "removal_from_post",
    "death",
]
TermYears = Annotated[int, Field(ge=1, le=10)]


class AssignmentCreate(Wire):
    person_id: uuid.UUID
    position_id: uuid.UUID | None = None
    external_post: Text200 | None = None
    external_unit: Text200 | None = None
    kind: AssignmentKind
    valid_from: Day
    valid_to: Day | None = None
    decision_no: Text64 | None = None
    decision_date: Day | None = None
    decision_signer: Text200 | None = None
    end_kind: EndKind | None = None
    term_years: TermYears | None = None
    reappointment_due_on: Day | None = Field(
        default=None, description="defaults to the end of the term (valid_from + term_years)"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "position_id": "3d6f1a2b-9c8e-4f7d-a6b5-c4d3e2f1a0b9",
                "kind": "appointment",
                "valid_from": "2025-07-01",
                "decision_no": "15/QĐ-UBND",
                "decision_date": "2025-06-28",
                "decision_signer": "Trần Văn Nam",
            }
        }
    )


class AssignmentUpdate(Wire):
    valid_from: Day | None = None
    valid_to: Day | None = None
    kind: AssignmentKind | None = None
    external_post: Text200 | None = None
    external_unit: Text200 | None = None
    decision_no: Text64 | None = None
    decision_date: Day | None = None
    decision_signer: Text200 | None = None
    end_kind: EndKind | None = None
    term_years: TermYears | None = None
    reappointment_due_on: Day | None = None


class AssignmentRead(EntityRead):
    person_id: uuid.UUID
    position_id: uuid.UUID | None
    external_post: str | None
    external_unit: str | None
    kind: str
    valid_from: dt.date
    valid_to: dt.date | None
    decision_no: str | None
    decision_date: dt.date | None
    decision_signer: str | None
    end_kind: str | None = None
    term_years: int | None = None
    reappointment_due_on: dt.date | None = None
