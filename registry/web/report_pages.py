"""The monthly report on the pages: a month picker and the XLSX or PDF download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from registry.api.deps import SessionDep
from registry.dates import today
from registry.errors import Forbidden, Invalid
from registry.reports.monthly import Month, report_for, write_xlsx
from registry.reports.pdf import write_pdf
from registry.web import render
from registry.web.deps import UserDep
from registry.web.render import person_of
from registry.web.routes import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"xlsx": XLSX, "pdf": "application/pdf"}


@router.get("/reports/monthly")
def monthly(
    request: Request,
    me: UserDep,
    session: SessionDep,
    month: Annotated[str, Query(max_length=7)] = "",
    format: Annotated[str, Query(max_length=4)] = "xlsx",
) -> Response:
    if not month:
        context = {"month": today().strftime("%Y-%m")}
        return render.page(request, "report.html", context)
    if not me.principal.reads_everything:
        # The report covers the whole ward (the history it counts has no org scope).
        raise Forbidden("the monthly report is for registry-wide administrators and auditors")
    if format not in FORMATS:
        raise Invalid.field("query.format", "must be one of xlsx, pdf")
    which = Month.parse(month, "query.month")
    report = report_for(
        session,
        which,
        settings=request.app.state.web.settings,
        produced_by=person_of(me.principal.subject),
    )
    data = write_pdf(report) if format == "pdf" else write_xlsx(report)
    name = f"bao-cao-thang-{which}.{format}"
    return Response(
        data,
        media_type=FORMATS[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
