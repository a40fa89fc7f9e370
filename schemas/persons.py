from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from registry.codes import RANK_CODES, place_2025, place_issue
from registry.persons.loose_dates import parse_loose
from schemas.common import Day, EntityRead, Name, OptName, ReadModel, Text64, Text200, Wire

Sex = Literal["M", "F"]
LifeStatus = Literal["alive", "deceased"]


class Place(Wire):
    """A place as (unit code, code-list version, text): the code must be a unit of its list,
    and a pre-2025 province is stored as the 2025 province that took it over (the old name
    stays in the text), as sync stores what the population database asserts."""

    unit_code: str | None = Field(default=None, pattern=r"^[0-9]{2,5}$")
    code_list: Literal["2004", "2025"] = "2025"
    text: Text200

    @model_validator(mode="after")
    def _on_the_2025_units(self) -> Place:
        if self.unit_code is None:
            return self
        problem = place_issue(self.unit_code, self.code_list)
        if problem is not None:
            raise ValueError(f"unit_code {problem}")
        mapped = place_2025(self.unit_code, self.code_list, self.text)
        self.unit_code, self.code_list = mapped["unit_code"], mapped["code_list"]  # type: ignore[assignment]
        return self


def _partial_date(value: str) -> str:
    """``dd/mm/yyyy``, ``mm/yyyy``, ``yyyy`` or ISO: stored as the partial date it is."""
    return str(parse_loose(value))


class _PersonFields(Wire):
    nid: str | None = Field(default=None, description="12-digit personal identification number")
    cmnd: str | None = Field(default=None, description="legacy 9-digit identity card number")
    id_issued_on: Day | None = Field(
        default=None, description="issue date of the identity card (CCCD or CMND)"
    )
    id_issue_place: Text200 | None = Field(
        default=None, description="authority that issued the card, as printed on it"
    )
    social_insurance_no: str | None = Field(
        default=None, pattern=r"^[0-9]{10}$", description="social insurance number (10 digits)"
    )
    other_names: OptName | None = None
    middle_name: OptName | None = None
    birth_place: Place | None = None
    origin_place: Place | None = None
    permanent_residence: Place | None = None
    current_residence: Place | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9]{8,15}$")
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    death_date: Day | None = None
    general_education: str | None = Field(default=None, pattern=r"^[0-9]{1,2}/[0-9]{2}$")
    recruited_on: Day | None = None
    recruiting_agency: Text200 | None = None
    civil_servant_no: Text64 | None = None
    rank_code: str | None = Field(default=None, pattern=r"^[0-9]{2}\.[0-9]{3}[a-z]?$")
    salary_grade: str | None = Field(default=None, max_length=8)

    @field_validator("rank_code")
    @classmethod
    def _rank_on_the_list(cls, value: str | None) -> str | None:
        if value is not None and value not in RANK_CODES:
            raise ValueError("unknown rank code: not in the rank list (registry/data/ranks.csv)")
        return value

    salary_step: int | None = Field(default=None, ge=1, le=20)
    salary_coefficient: decimal.Decimal | None = Field(
        default=None, ge=0, le=20, max_digits=5, decimal_places=2
    )


class PersonCreate(_PersonFields):
    org_unit_id: uuid.UUID = Field(description="unit that manages this file")
    family_name: Name
    given_name: Name
    birth_date: str = Field(description="YYYY-MM-DD, YYYY-MM, YYYY, dd/mm/yyyy or mm/yyyy")
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
    id_issued_on: dt.date | None = None
    id_issue_place: str | None = None
    social_insurance_no: str | None = None
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
