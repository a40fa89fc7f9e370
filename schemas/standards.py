from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ConfigDict, Field

from schemas.common import Code, EntityRead, Text200, Wire


class StandardProfileCreate(Wire):
    code: Code
    name: Text200
    effective_from: dt.date
    effective_to: dt.date | None = None
    requirements: dict[str, Any] = Field(default_factory=dict)

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "code": "CT-UBND-PHUONG",
                "name": "Chủ tịch UBND phường",
                "effective_from": "2025-07-01",
                "requirements": {"professional": "dai_hoc", "political_theory": "cao_cap"},
            }
        }
    )


class StandardProfileUpdate(Wire):
    name: Text200 | None = None
    effective_to: dt.date | None = None
    requirements: dict[str, Any] | None = None


class StandardProfileRead(EntityRead):
    code: str
    name: str
    effective_from: dt.date
    effective_to: dt.date | None
    requirements: dict[str, Any]
