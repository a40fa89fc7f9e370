from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import ConfigDict, Field

from schemas.common import EntityRead, Text64, Wire

PartyStatus = Literal["probationary", "official", "transferred_out", "left", "expelled", "deceased"]


class PartyMembershipCreate(Wire):
    person_id: uuid.UUID
    party_cell_id: uuid.UUID
    admitted_on: dt.date
    official_on: dt.date | None = None
    card_no: Text64 | None = None
    party_cv_no: Text64 | None = None
    status: Literal["probationary", "official"] = "probationary"

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "party_cell_id": "7f1c8d2e-4b7a-4c55-9a64-2f8f5b0e1a11",
                "admitted_on": "2015-05-19",
                "official_on": "2016-05-19",
                "status": "official",
            }
        }
    )


class PartyMembershipUpdate(Wire):
    """Corrections of recorded facts. Status changes and transfers have their own actions."""

    admitted_on: dt.date | None = None
    official_on: dt.date | None = None
    card_no: Text64 | None = None
    party_cv_no: Text64 | None = None


class PartyStatusChange(Wire):
    to_status: PartyStatus
    effective_on: dt.date
    decision_no: Text64 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "to_status": "official",
                "effective_on": "2026-05-19",
                "decision_no": "125-QĐ/ĐU",
            }
        }
    )


class PartyTransfer(Wire):
    to_cell_id: uuid.UUID
    effective_on: dt.date
    decision_no: Text64 | None = None


class PartyMembershipRead(EntityRead):
    person_id: uuid.UUID
    party_cell_id: uuid.UUID
    admitted_on: dt.date
    official_on: dt.date | None
    card_no: str | None
    party_cv_no: str | None
    status: str


class PartyEventRead(EntityRead):
    membership_id: uuid.UUID
    kind: str
    from_status: str | None
    to_status: str | None
    from_cell_id: uuid.UUID | None
    to_cell_id: uuid.UUID | None
    effective_on: dt.date
    decision_no: str | None = Field(default=None)
