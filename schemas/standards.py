from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from schemas.common import Code, Day, EntityRead, Text200, Wire


class StandardProfileCreate(Wire):
    code: Code
    name: Text200
    effective_from: Day
    effective_to: Day | None = None
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
    effective_to: Day | None = None
    requirements: dict[str, Any] | None = None


class StandardProfileRead(EntityRead):
    code: str
    name: str
    effective_from: dt.date
    effective_to: dt.date | None
    requirements: dict[str, Any]


class RuleParameterCreate(Wire):
    """A new version of a rule parameter: in force from ``effective_from``. ``value`` is a
    whole number, or an ISO date for a due date (``GET /rule-parameters`` shows each key's
    kind in the documentation, docs/standards.md)."""

    key: Annotated[str, Field(pattern=r"^[a-z_.]{1,64}$")]
    value: Annotated[str, Field(min_length=1, max_length=32)]
    source: Text200
    effective_from: Annotated[Day, Field(ge=Day(1990, 1, 1), le=Day(2100, 12, 31))]
    effective_to: (
        Annotated[dt.date, Field(ge=dt.date(1990, 1, 1), le=dt.date(2100, 12, 31))] | None
    ) = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "key": "party.probation_months",
                "value": "12",
                "source": "Quy định 232-QĐ/TW (2025)",
                "effective_from": "2026-01-01",
            }
        }
    )


class RuleParameterUpdate(Wire):
    value: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    source: Text200 | None = None
    effective_to: (
        Annotated[dt.date, Field(ge=dt.date(1990, 1, 1), le=dt.date(2100, 12, 31))] | None
    ) = None


class RuleParameterRead(EntityRead):
    key: str
    value: str
    source: str
    effective_from: dt.date
    effective_to: dt.date | None
