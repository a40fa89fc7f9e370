"""The corps report (the review of the whole body of cadres as at a date): JSON and XLSX.

Through the read policy (``registry.reports.corps``): breakdowns made of special-category data
(ethnicity, party status) only for callers who may see them, small cells withheld from callers
who may not; scoped to the caller's units. Every read is an audit event, on record before the
answer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from registry.access.scope import get_visible
from registry.api.deps import CtxDep, SessionDep
from registry.api.errors import ERROR_RESPONSES
from registry.audit.service import log_read
from registry.context import Ctx
from registry.dates import today
from registry.org_units.models import OrgUnit
from registry.reports import corps
from schemas.common import Day

router = APIRouter(tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

OnQuery = Annotated[
    Day | None,
    Query(description="the day the corps is counted on (YYYY-MM-DD; default: today in Vietnam)"),
]
OrgQuery = Annotated[
    uuid.UUID | None, Query(description="count only the posts of this unit and its sub-units")
]


class CorpsCategory(BaseModel):
    code: str
    label: str


class CorpsGroup(BaseModel):
    by: str = Field(description="total | org_unit | post_kind")
    key: str | None = Field(description="the unit's id or the post kind")
    code: str | None = Field(description="the unit's code")
    label: str
    headcount: int
    counts: dict[str, dict[str, int | None]] = Field(
        description="breakdown → category → persons (null: withheld, fewer than suppressed_below)"
    )


class CorpsReportRead(BaseModel):
    on: dt.date
    org_unit_id: uuid.UUID | None
    total: int
    breakdowns: list[str]
    masked_fields: list[str] = Field(description="breakdowns the caller may not see")
    suppressed_below: int | None
    categories: dict[str, list[CorpsCategory]]
    groups: list[CorpsGroup]


def _report(
    session: SessionDep, ctx: Ctx, on: dt.date | None, org: uuid.UUID | None
) -> tuple[corps.CorpsReport, str]:
    unit = None if org is None else get_visible(session, OrgUnit, org, ctx.principal)
    report = corps.build(session, ctx.principal, on=on or today(), org_unit=unit)
    log_read(
        session,
        ctx,
        action="reports.corps",
        object_type="corps_report",
        object_ids=[str(org) if org else "registry"],
        fields=report.breakdowns,
    )
    session.commit()  # the read is on record before anyone sees the figures
    return report, "Toàn bộ phạm vi" if unit is None else f"{unit.code} – {unit.name}"


@router.get(
    "/reports/corps",
    response_model=CorpsReportRead,
    summary="The corps as at a date: headcount by unit and post kind, with breakdowns",
    responses=ERROR_RESPONSES,
    operation_id="corps_report",
)
def corps_report(
    session: SessionDep, ctx: CtxDep, on: OnQuery = None, org_unit: OrgQuery = None
) -> CorpsReportRead:
    report, _ = _report(session, ctx, on, org_unit)
    return CorpsReportRead(
        on=report.on,
        org_unit_id=report.org_unit_id,
        total=report.total,
        breakdowns=report.breakdowns,
        masked_fields=report.masked_fields,
        suppressed_below=report.suppressed_below,
        categories={
            k: [CorpsCategory(code=c, label=label) for c, label in v]
            for k, v in report.categories.items()
        },
        groups=[CorpsGroup.model_validate(g) for g in report.groups],
    )


@router.get(
    "/reports/corps.xlsx",
    summary="The corps report as a workbook",
    responses={200: {"content": {XLSX: {}}}, **ERROR_RESPONSES},
    response_class=Response,
    operation_id="corps_report_xlsx",
)
def corps_report_xlsx(
    session: SessionDep, ctx: CtxDep, on: OnQuery = None, org_unit: OrgQuery = None
) -> Response:
    report, scope = _report(session, ctx, on, org_unit)
    return Response(
        corps.to_xlsx(report, scope_label=scope),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="corps-{report.on}.xlsx"'},
    )
