from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from schemas.common import Day, EntityRead, Text64, Text200, Text500, Wire

PartyStatus = Literal["probationary", "official", "transferred_out", "left", "expelled", "deceased"]


class PartyMembershipCreate(Wire):
    person_id: uuid.UUID
    party_cell_id: uuid.UUID
    admitted_on: Day
    official_on: Day | None = None
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

    admitted_on: Day | None = None
    official_on: Day | None = None
    card_no: Text64 | None = None
    party_cv_no: Text64 | None = None


class PartyStatusChange(Wire):
    to_status: PartyStatus
    effective_on: Day
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
    effective_on: Day
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


Term = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{4}$")]
CommitteeLevel = Literal["chi_bo", "dang_bo_bo_phan", "dang_bo_co_so", "cap_tren"]
CommitteeRole = Literal["bi_thu", "pho_bi_thu", "uy_vien_thuong_vu", "uy_vien"]


class PartyCommitteeMembershipCreate(Wire):
    person_id: uuid.UUID
    committee_id: uuid.UUID
    level: CommitteeLevel
    role: CommitteeRole = "uy_vien"
    standing_committee: bool = False
    term: Term
    area_of_responsibility: Text500 | None = None
    valid_from: Day
    valid_to: Day | None = None
    decision_no: Text64 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "committee_id": "7f1c8d2e-4b7a-4c55-9a64-2f8f5b0e1a11",
                "level": "dang_bo_co_so",
                "role": "uy_vien_thuong_vu",
                "standing_committee": True,
                "term": "2025-2030",
                "area_of_responsibility": "Phụ trách công tác tổ chức, cán bộ",
                "valid_from": "2025-08-15",
            }
        }
    )


class PartyCommitteeMembershipUpdate(Wire):
    role: CommitteeRole | None = None
    standing_committee: bool | None = None
    area_of_responsibility: Text500 | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    decision_no: Text64 | None = None


class PartyCommitteeMembershipRead(EntityRead):
    person_id: uuid.UUID
    committee_id: uuid.UUID | None
    level: str | None
    role: str | None
    standing_committee: bool | None
    term: str | None
    area_of_responsibility: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    decision_no: str | None
    masked_fields: list[str] = Field(default_factory=list)


class PartyProbationCreate(Wire):
    person_id: uuid.UUID
    started_on: Day | None = Field(
        default=None, description="defaults to the membership's admission date"
    )
    outcome: Literal["official", "removed"] | None = None
    decided_on: Day | None = None
    decision_no: Text64 | None = None


class PartyProbationUpdate(Wire):
    outcome: Literal["official", "removed"] | None = None
    decided_on: Day | None = None
    decision_no: Text64 | None = None


class PartyProbationRead(EntityRead):
    person_id: uuid.UUID
    membership_id: uuid.UUID | None
    started_on: dt.date | None
    outcome: str | None
    decided_on: dt.date | None
    decision_no: str | None
    masked_fields: list[str] = Field(default_factory=list)


class PartyTransferRecordCreate(Wire):
    person_id: uuid.UUID
    direction: Literal["in", "out"]
    from_cell_id: uuid.UUID | None = None
    from_organisation: Text200 | None = None
    to_cell_id: uuid.UUID | None = None
    to_organisation: Text200 | None = None
    decided_on: Day
    letter_issued_on: Day | None = None
    presented_on: Day | None = None
    decision_no: Text64 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "direction": "in",
                "from_organisation": "Chi bộ Trường THCS Lê Lợi, Đảng bộ phường Ngô Quyền",
                "to_cell_id": "7f1c8d2e-4b7a-4c55-9a64-2f8f5b0e1a11",
                "decided_on": "2026-03-02",
                "letter_issued_on": "2026-03-10",
            }
        }
    )


class PartyTransferRecordUpdate(Wire):
    letter_issued_on: Day | None = None
    presented_on: Day | None = None
    decision_no: Text64 | None = None
    from_organisation: Text200 | None = None
    to_organisation: Text200 | None = None


class PartyTransferRecordRead(EntityRead):
    person_id: uuid.UUID
    direction: str | None
    from_cell_id: uuid.UUID | None
    from_organisation: str | None
    to_cell_id: uuid.UUID | None
    to_organisation: str | None
    decided_on: dt.date | None
    letter_issued_on: dt.date | None
    presented_on: dt.date | None
    decision_no: str | None
    masked_fields: list[str] = Field(default_factory=list)


class PartyDuesPaymentCreate(Wire):
    person_id: uuid.UUID
    month: Annotated[str, Field(pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$")]
    amount_vnd: int = Field(ge=0, le=100_000_000)
    paid_on: Day
    exempt_reason: Text200 | None = None


class PartyDuesPaymentUpdate(Wire):
    amount_vnd: int | None = Field(default=None, ge=0, le=100_000_000)
    paid_on: Day | None = None
    exempt_reason: Text200 | None = None


class PartyDuesPaymentRead(EntityRead):
    person_id: uuid.UUID
    month: str | None
    amount_vnd: int | None
    paid_on: dt.date | None
    exempt_reason: str | None
    masked_fields: list[str] = Field(default_factory=list)


class PartyRegisterReconciliationCreate(Wire):
    org_unit_id: uuid.UUID = Field(description="the party cell or committee")
    period: Annotated[str, Field(pattern=r"^(19|20)[0-9]{2}-H[12]$")]
    reconciled_on: Day
    members_in_register: int = Field(ge=0, le=100_000)
    members_in_files: int = Field(ge=0, le=100_000)
    discrepancies: Annotated[str, Field(max_length=1000)] | None = None


class PartyRegisterReconciliationUpdate(Wire):
    reconciled_on: Day | None = None
    members_in_register: int | None = Field(default=None, ge=0, le=100_000)
    members_in_files: int | None = Field(default=None, ge=0, le=100_000)
    discrepancies: Annotated[str, Field(max_length=1000)] | None = None


class PartyRegisterReconciliationRead(EntityRead):
    org_unit_id: uuid.UUID
    period: str | None
    reconciled_on: dt.date | None
    members_in_register: int | None
    members_in_files: int | None
    discrepancies: str | None
    masked_fields: list[str] = Field(default_factory=list)
