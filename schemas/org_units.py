from __future__ import annotations

import uuid
from typing import Literal

from pydantic import ConfigDict, Field

from schemas.common import Code, EntityRead, Text200, Wire

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
    unit_code: str | None = Field(default=None, pattern=r"^[0-9]{2,5}$")

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
    unit_code: str | None = Field(default=None, pattern=r"^[0-9]{2,5}$")


class OrgUnitRead(EntityRead):
    code: str
    name: str
    kind: str
    parent_id: uuid.UUID | None
    unit_code: str | None
