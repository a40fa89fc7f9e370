from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import ConfigDict, Field

from schemas.common import EntityRead, Text500, Wire

Classification = Literal["HTXS", "HTT", "HT", "KHT"]


class EvaluationCreate(Wire):
    person_id: uuid.UUID
    period: str = Field(
        pattern=r"^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$",
        description="YYYY (year), YYYY-Qn (quarter) or YYYY-MM (month)",
    )
    general_points: int = Field(ge=0, le=30)
    task_points: int = Field(ge=0, le=70)
    components: dict[str, int] = Field(
        default_factory=dict, description="indicator group → score 0..100 (configured groups)"
    )
    override_classification: Classification | None = None
    override_reason: Text500 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "period": "2026-Q3",
                "general_points": 27,
                "task_points": 61,
                "components": {
                    "task_results": 88,
                    "citizen_satisfaction": 92,
                    "coordination": 85,
                    "integrity": 95,
                },
            }
        }
    )


class EvaluationUpdate(Wire):
    general_points: int | None = Field(default=None, ge=0, le=30)
    task_points: int | None = Field(default=None, ge=0, le=70)
    components: dict[str, int] | None = None
    override_classification: Classification | None = None
    override_reason: Text500 | None = None


class EvaluationRead(EntityRead):
    person_id: uuid.UUID
    period_kind: str
    period: str
    general_points: int
    task_points: int
    components: dict[str, Any]
    derived_classification: str | None = Field(
        description="the band before caps; null (and named in masked_fields) for callers "
        "who may not see disciplines: its gap with classification is a cap"
    )
    classification: str
    applied_rules: list[str] | None = Field(
        description="the discipline caps applied; null (and named in masked_fields) for "
        "callers who may not see disciplines"
    )
    override_classification: str | None
    override_reason: str | None
    masked_fields: list[str] = Field(
        default_factory=list, description="fields withheld from this caller (value null)"
    )
