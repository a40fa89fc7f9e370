from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from registry.dates import PartialDate
from schemas.common import EntityRead, Name, OptName, ReadModel, Text64, Text200, Wire

Sex = Literal["M", "F"]
LifeStatus = Literal["alive", "deceased"]


class Place(Wire):
    unit_code: str | None = Field(default=None, pattern=r"^[0-9]{2,5}$")
    code_list: Literal["2004", "2025"] = "2025"
    text: Text200


def _partial_date(value: str) -> str:
    return str(PartialDate.parse(value))


class _PersonFields(Wire):
    nid: str | None = Field(default=None, description="12-digit personal identification number")
    cmnd: str | None = Field(default=None, description="legacy 9-digit identity card number")
    other_names: OptName | None = None
    middle_name: OptName | None = None
    birth_place: Place | None = None
    origin_place: Place | None = None
    permanent_residence: Place | None = None
    current_residence: Place | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9]{8,15}$")
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    death_date: dt.date | None = None
    general_education: str | None = Field(default=None, pattern=r"^[0-9]{1,2}/[0-9]{2}$")
    recruited_on: dt.date | None = None
    recruiting_agency: Text200 | None = None
    civil_servant_no: Text64 | None = None
    rank_code: str | None = Field(default=None, pattern=r"^[0-9]{2}\.[0-9]{3}[a-z]?$")
    salary_grade: str | None = Field(default=None, max_length=8)
    salary_step: int | None = Field(default=None, ge=1, le=20)
    salary_coefficient: decimal.Decimal | None = Field(
        default=None, ge=0, le=20, max_digits=5, decimal_places=2
    )


class PersonCreate(_PersonFields):
    org_unit_id: uuid.UUID = Field(description="unit that manages this file")
    family_name: Name
    given_name: Name
    birth_date: str = Field(description="YYYY, YYYY-MM or YYYY-MM-DD")
    sex: Sex
    ethnicity_code: str = Field(pattern=r"^[0-9]{2}$")
    religion_code: str = Field(pattern=r"^[0-9]{2}$")
    life_status: LifeStatus = "alive"

    _bd = field_validator("birth_date")(_partial_date)

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "org_unit_id": "7f1c8d2e-4b7a-4c55-9a64-2f8f5b0e1a11",
                "nid": "031185001234",
                "family_name": "Nguyễn",
                "middle_name": "Thị Thu",
                "given_name": "Hà",
                "birth_date": "1985-03-14",
                "sex": "F",
                "ethnicity_code": "01",
                "religion_code": "00",
                "origin_place": {
                    "unit_code": "11311",
                    "code_list": "2025",
                    "text": "Phường Lê Chân, Hải Phòng",
                },
            }
        }
    )


class PersonUpdate(_PersonFields):
    org_unit_id: uuid.UUID | None = None
    family_name: Name | None = None
    given_name: Name | None = None
    birth_date: str | None = None
    sex: Sex | None = None
    ethnicity_code: str | None = Field(default=None, pattern=r"^[0-9]{2}$")
    religion_code: str | None = Field(default=None, pattern=r"^[0-9]{2}$")
    life_status: LifeStatus | None = None

    @field_validator("birth_date")
    @classmethod
    def _bd(cls, value: str | None) -> str | None:
        return None if value is None else _partial_date(value)

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "current_residence": {
                    "unit_code": "11311",
                    "code_list": "2025",
                    "text": "Số 5 Lạch Tray, Lê Chân",
                }
            }
        }
    )


class ProvenanceRead(ReadModel):
    field_group: str
    source: str
    asserted_at: dt.datetime


class PersonRead(EntityRead):
    """A person as the caller may see it; fields it may not see are null and named in
    ``masked_fields``."""

    org_unit_id: uuid.UUID
    nid: str | None = None
    cmnd: str | None = None
    family_name: str
    middle_name: str
    given_name: str
    full_name: str
    other_names: str
    birth_date: str
    sex: str
    ethnicity_code: str | None
    religion_code: str | None
    birth_place: dict[str, object] | None
    origin_place: dict[str, object] | None
    permanent_residence: dict[str, object] | None
    current_residence: dict[str, object] | None
    phone: str | None = None
    email: str | None = None
    life_status: str
    death_date: dt.date | None
    general_education: str | None
    recruited_on: dt.date | None
    recruiting_agency: str | None
    civil_servant_no: str | None
    rank_code: str | None
    salary_grade: str | None
    salary_step: int | None
    salary_coefficient: decimal.Decimal | None
    masked_fields: list[str] = Field(default_factory=list)
