from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field

from registry.codes import place_issue
from schemas.common import Code, EntityRead, Text200, Wire


def _administrative_unit(value: str | None) -> str | None:
    """The unit's administrative code: a 2025 province or commune of the loaded lists."""
    if value is not None and (problem := place_issue(value, "2025")) is not None:
        raise ValueError(problem)
    return value


AdminUnitCode = Annotated[
    str | None, Field(pattern=r"^[0-9]{2,5}$"), AfterValidator(_administrative_unit)
]

OrgUnitKind = Literal[
    "party_committee",
    "party_cell",
    "peoples_council",
    "peoples_committee",
    "specialised_office",
    "fatherland_front",
    "mass_organisation",
    "public_service_unit",
]


class OrgUnitCreate(Wire):
    code: Code
    name: Text200
    kind: OrgUnitKind
    parent_id: uuid.UUID | None = None
    unit_code: AdminUnitCode = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "code": "CB-KP3",
                "name": "Chi bộ Khu phố 3",
                "kind": "party_cell",
                "parent_id": "7f1c8d2e-4b7a-4c55-9a64-2f8f5b0e1a11",
            }
        }
    )


class OrgUnitUpdate(Wire):
    name: Text200 | None = None
    unit_code: AdminUnitCode = None


class OrgUnitRead(EntityRead):
    code: str
    name: str
    kind: str
    parent_id: uuid.UUID | None
    unit_code: str | None
