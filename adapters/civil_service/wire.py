"""The civil-servant database's wire format (contracts/civil-service.md), as strict models.

``Official`` is what the database answers: strict on every field it lists, tolerant of any
other (ignored, reported as drift by the client); ``OfficialWrite`` is a PUT body (no ``version`` or
``updated_at``, everything but ``nid`` optional because an absent registry-owned field is left
as stored there). Both systems' simulators and clients use these same models.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from adapters.wire_common import (
    Answer,
    Code,
    Cursor,
    Line64,
    Line200,
    Nid,
    PartialDateText,
    QcvnSex,
    Timestamp,
    WireDate,
)

MAX_PAGE = 500
QualificationKind = Literal["education", "political_theory", "state_management", "it", "language"]
Classification = Literal["HTXS", "HTT", "HT", "KHT"]
Period = Annotated[str, StringConstraints(pattern=r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$")]
AgencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]\d{2}(\.\d{1,5}){0,3}$")]
RankCode = Annotated[str, StringConstraints(pattern=r"^\d{2}\.\d{3}[a-z]?$")]
_MAX_ROWS = 200  # per list: far above any real dossier, far below a hostile megabyte


def period_kind(period: str) -> str:
    """``year``, ``quarter`` or ``month`` for a ``Period`` (YYYY, YYYY-Qn, YYYY-MM).

    The registry derives the same kind for its own evaluations
    (``registry.evaluations.rules.period_kind``); the adapter keeps its own because it reads
    the contract's period, and ``tests/adapters`` checks the two agree.
    """
    if "-Q" in period:
        return "quarter"
    return "month" if "-" in period else "year"


class Qualification(Answer):
    kind: QualificationKind
    level: Code
    major: Line200 | None = None
    awarded_on: WireDate | None = None
    institution: Line200 | None = None


class WorkPeriod(Answer):
    start: WireDate = Field(alias="from")
    end: WireDate | None = Field(alias="to")
    agency_code: AgencyCode
    position_title: Line200
    decision_no: Line64 | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end is not None and self.end < self.start:
            raise ValueError("a period that ends before it starts")
        return self


class Training(Answer):
    start: WireDate = Field(alias="from")
    end: WireDate | None = Field(default=None, alias="to")
    course: Line200
    institution: Line200 | None = None
    kind: Line64 | None = None
    certificate: Line200 | None = None


class Evaluation(Answer):
    period: Period
    score: int | None = Field(default=None, ge=0, le=100)
    classification: Classification


class _OfficialFields(Answer):
    """Registry-owned fields, as both reads and writes carry them."""

    agency_code: AgencyCode | None = None
    position_title: Line200 | None = None
    qualifications: list[Qualification] | None = Field(default=None, max_length=_MAX_ROWS)
    work_history: list[WorkPeriod] | None = Field(default=None, max_length=_MAX_ROWS)
    training: list[Training] | None = Field(default=None, max_length=_MAX_ROWS)
    evaluations: list[Evaluation] | None = Field(default=None, max_length=_MAX_ROWS)


class Official(_OfficialFields):
    nid: Nid
    civil_servant_no: Line64 | None = None
    full_name: Line200
    birth_date: PartialDateText
    sex: QcvnSex
    rank_code: RankCode | None = None
    salary_grade: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9.]{1,8}$")] | None = None
    salary_step: int | None = Field(default=None, ge=1, le=20)
    salary_coefficient: float | None = Field(default=None, ge=0, le=20)
    recruited_on: WireDate | None = None
    version: int = Field(ge=1)
    updated_at: Timestamp


class OfficialWrite(_OfficialFields):
    """A PUT body. Identity fields are echoed for a create; fields the registry does not own
    may be present but the database ignores them. We send it, so it lists every field."""

    model_config = ConfigDict(extra="forbid")

    nid: Nid
    full_name: Line200 | None = None
    birth_date: PartialDateText | None = None
    sex: QcvnSex | None = None
    civil_servant_no: Line64 | None = None
    rank_code: RankCode | None = None
    salary_grade: str | None = Field(default=None, max_length=8)
    salary_step: int | None = Field(default=None, ge=1, le=20)
    salary_coefficient: float | None = Field(default=None, ge=0, le=20)
    recruited_on: WireDate | None = None


class OfficialsPage(Answer):
    items: list[Official] = Field(max_length=MAX_PAGE)
    next_cursor: Cursor | None
    high_watermark: Timestamp


class RemoteIssue(Answer):
    # Error bodies only explain a refusal; extra detail in them is ignored, not even drift.

    field: Annotated[str, StringConstraints(max_length=200)] | None = None
    code: Code
    message: Annotated[str, StringConstraints(max_length=500)] | None = None


class ErrorsBody(Answer):
    errors: list[RemoteIssue] = Field(min_length=1, max_length=100)


def dump_write(body: OfficialWrite) -> dict[str, Any]:
    """JSON-ready PUT body: only the fields that were set, so absent means "leave as stored"
    while an explicit ``null`` (``to`` of a current post) survives."""
    return body.model_dump(mode="json", by_alias=True, exclude_unset=True)
