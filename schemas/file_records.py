"""Wire models of the rest of the personnel file (``registry.file_records``).

Coded fields accept exactly the codes of their catalogue declaration
(``registry/catalogue/kinds_file.py``); a wrong code is a 422 naming the field and the list.
Dates are bounded (1900-01-01..2100-12-31) so no value reaches the database that it cannot
hold or that no one could mean.
"""

from __future__ import annotations

import datetime as dt
import decimal
import unicodedata
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from registry import catalogue
from registry.persons.loose_dates import parse_loose
from schemas.common import Day, EntityRead, Text64, Text200, Text500, Wire


def coded(table: str, name: str) -> Callable[[str], str]:
    """A validator accepting exactly the codes the catalogue declares for ``table.name``."""
    declared = catalogue.field(table, name)
    if declared is None or not declared.codes:
        raise LookupError(f"{table}.{name} declares no code list")
    codes = tuple(code for code, _ in declared.codes)

    def check(value: str) -> str:
        if value not in codes:
            raise ValueError(f"is not in the list {table}.{name} ({', '.join(codes)})")
        return value

    return check


def _name(value: object) -> object:
    """Names arrive decomposed (NFD) or with stray spaces from some keyboards and systems:
    the same name, stored NFC and single-spaced, never refused for it."""
    if not isinstance(value, str):
        return value
    return " ".join(unicodedata.normalize("NFC", value).split())


def _partial(value: str) -> str:
    return str(parse_loose(value))


Side = Annotated[str, AfterValidator(coded("family_relations", "side"))]
Relation = Annotated[str, AfterValidator(coded("family_relations", "relation"))]
PartyStatus = Annotated[str, AfterValidator(coded("family_relations", "party_status"))]
HealthStatus = Annotated[str, AfterValidator(coded("health_records", "status"))]
Organisation = Annotated[str, AfterValidator(coded("organisation_memberships", "organisation"))]
AllowanceKind = Annotated[str, AfterValidator(coded("salary_history", "allowances"))]
PartialText = Annotated[str, AfterValidator(_partial)]
RelativeName = Annotated[Text200, BeforeValidator(_name), Field(max_length=120)]
BirthYear = Annotated[int, Field(ge=1850, le=2100)]
Coefficient = Annotated[decimal.Decimal, Field(ge=0, le=20, max_digits=5, decimal_places=2)]
RankCode = Annotated[str, Field(pattern=r"^[0-9A-Z]{1,2}(\.[0-9]{2,3}){1,3}[a-z]?$")]


class _Read(EntityRead):
    person_id: uuid.UUID
    masked_fields: list[str] = Field(default_factory=list)


# --- family relations ---------------------------------------------------------------------


class FamilyRelationCreate(Wire):
    person_id: uuid.UUID
    side: Side = Field(description="own | spouse")
    relation: Relation
    full_name: RelativeName
    birth_year: BirthYear | None = None
    occupation: Text200 | None = None
    workplace: Text200 | None = None
    residence: Text200 | None = None
    party_status: PartyStatus = "unknown"
    deceased: bool = False
    relative_person_id: uuid.UUID | None = Field(
        default=None, description="the relative's own file in this registry, if any"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "side": "own",
                "relation": "father",
                "full_name": "Nguyễn Văn Bình",
                "birth_year": 1955,
                "occupation": "Hưu trí",
                "residence": "Phường Lê Chân, Hải Phòng",
                "party_status": "member",
            }
        }
    )


class FamilyRelationUpdate(Wire):
    side: Side | None = None
    relation: Relation | None = None
    full_name: RelativeName | None = None
    birth_year: BirthYear | None = None
    occupation: Text200 | None = None
    workplace: Text200 | None = None
    residence: Text200 | None = None
    party_status: PartyStatus | None = None
    deceased: bool | None = None
    relative_person_id: uuid.UUID | None = None


class FamilyRelationRead(_Read):
    side: str
    relation: str
    full_name: str
    birth_year: int | None
    occupation: str | None
    workplace: str | None
    residence: str | None
    party_status: str | None
    deceased: bool
    relative_person_id: uuid.UUID | None


# --- personal history ---------------------------------------------------------------------


class PersonalHistoryCreate(Wire):
    person_id: uuid.UUID
    valid_from: PartialText = Field(description="yyyy, mm/yyyy, dd/mm/yyyy or ISO")
    valid_to: PartialText | None = None
    activity: Text500
    place: Text200 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "valid_from": "09/2003",
                "valid_to": "06/2007",
                "activity": "Sinh viên khoa Luật",
                "place": "Trường Đại học Luật Hà Nội",
            }
        }
    )


class PersonalHistoryUpdate(Wire):
    valid_from: PartialText | None = None
    valid_to: PartialText | None = None
    activity: Text500 | None = None
    place: Text200 | None = None


class PersonalHistoryRead(_Read):
    valid_from: str
    valid_to: str | None
    activity: str
    place: str | None


# --- military service ---------------------------------------------------------------------


class MilitaryServiceCreate(Wire):
    person_id: uuid.UUID
    enlisted_on: Day
    discharged_on: Day | None = None
    rank: Text64 | None = None
    unit: Text200 | None = None
    notes: Text500 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "enlisted_on": "2004-02-15",
                "discharged_on": "2006-02-15",
                "rank": "Thượng sĩ",
                "unit": "Sư đoàn 363, Quân khu 3",
            }
        }
    )


class MilitaryServiceUpdate(Wire):
    enlisted_on: Day | None = None
    discharged_on: Day | None = None
    rank: Text64 | None = None
    unit: Text200 | None = None
    notes: Text500 | None = None


class MilitaryServiceRead(_Read):
    enlisted_on: dt.date
    discharged_on: dt.date | None
    rank: str | None
    unit: str | None
    notes: str | None


# --- health -------------------------------------------------------------------------------


class HealthRecordCreate(Wire):
    person_id: uuid.UUID
    examined_on: Day
    status: HealthStatus
    height_cm: int | None = Field(default=None, ge=50, le=250)
    weight_kg: decimal.Decimal | None = Field(
        default=None, ge=20, le=300, max_digits=4, decimal_places=1
    )
    notes: Text500 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "examined_on": "2026-03-10",
                "status": "loai_2",
                "height_cm": 160,
                "weight_kg": "52.5",
            }
        }
    )


class HealthRecordUpdate(Wire):
    examined_on: Day | None = None
    status: HealthStatus | None = None
    height_cm: int | None = Field(default=None, ge=50, le=250)
    weight_kg: decimal.Decimal | None = Field(
        default=None, ge=20, le=300, max_digits=4, decimal_places=1
    )
    notes: Text500 | None = None


class HealthRecordRead(_Read):
    examined_on: dt.date | None
    status: str | None
    height_cm: int | None
    weight_kg: decimal.Decimal | None
    notes: str | None


# --- socio-political organisations ---------------------------------------------------------


class OrganisationMembershipCreate(Wire):
    person_id: uuid.UUID
    organisation: Organisation
    role: Text64 | None = None
    joined_on: Day
    left_on: Day | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "organisation": "cong_doan",
                "role": "Đoàn viên",
                "joined_on": "2008-07-01",
            }
        }
    )


class OrganisationMembershipUpdate(Wire):
    organisation: Organisation | None = None
    role: Text64 | None = None
    joined_on: Day | None = None
    left_on: Day | None = None


class OrganisationMembershipRead(_Read):
    organisation: str
    role: str | None
    joined_on: dt.date
    left_on: dt.date | None


# --- salary and allowances ----------------------------------------------------------------


class Allowance(Wire):
    """One allowance drawn: a coefficient of the base salary, or a percentage."""

    kind: AllowanceKind
    coefficient: Coefficient | None = None
    percent: decimal.Decimal | None = Field(default=None, ge=0, le=100, max_digits=5)

    @model_validator(mode="after")
    def _one_amount(self) -> Allowance:
        if (self.coefficient is None) == (self.percent is None):
            raise ValueError("give exactly one of coefficient and percent")
        return self


def _allowances_json(items: list[Allowance] | None) -> list[dict[str, Any]] | None:
    if items is None:
        return None
    kinds = [a.kind for a in items]
    if len(set(kinds)) != len(kinds):
        raise ValueError("an allowance kind is listed twice")
    return [a.model_dump(mode="json", exclude_none=True) for a in items]


class SalaryHistoryCreate(Wire):
    person_id: uuid.UUID
    valid_from: Day
    valid_to: Day | None = None
    rank_code: RankCode | None = None
    salary_grade: str | None = Field(default=None, max_length=8, pattern=r"^[A-Za-z0-9.]+$")
    salary_step: int | None = Field(default=None, ge=1, le=20)
    salary_coefficient: Coefficient
    allowances: list[Allowance] = Field(default_factory=list, max_length=20)

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "person_id": "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                "valid_from": "2024-07-01",
                "rank_code": "01.003",
                "salary_step": 4,
                "salary_coefficient": "3.33",
                "allowances": [{"kind": "chuc_vu", "coefficient": "0.20"}],
            }
        }
    )

    @field_validator("allowances", mode="after")
    @classmethod
    def _distinct(cls, value: list[Allowance]) -> list[Allowance]:
        _allowances_json(value)
        return value

    def stored(self) -> dict[str, Any]:
        data = self.model_dump(mode="python")
        data["allowances"] = _allowances_json(self.allowances)
        return data


class SalaryHistoryUpdate(Wire):
    valid_from: Day | None = None
    valid_to: Day | None = None
    rank_code: RankCode | None = None
    salary_grade: str | None = Field(default=None, max_length=8, pattern=r"^[A-Za-z0-9.]+$")
    salary_step: int | None = Field(default=None, ge=1, le=20)
    salary_coefficient: Coefficient | None = None
    allowances: list[Allowance] | None = Field(default=None, max_length=20)

    @field_validator("allowances", mode="after")
    @classmethod
    def _distinct(cls, value: list[Allowance] | None) -> list[Allowance] | None:
        _allowances_json(value)
        return value

    def stored(self) -> dict[str, Any]:
        data = self.model_dump(mode="python", exclude_unset=True)
        if "allowances" in data:
            data["allowances"] = _allowances_json(self.allowances)
        return data


class SalaryHistoryRead(_Read):
    valid_from: dt.date
    valid_to: dt.date | None
    rank_code: str | None
    salary_grade: str | None
    salary_step: int | None
    salary_coefficient: decimal.Decimal
    allowances: list[dict[str, Any]] | None
