"""The monthly report on the pages: a month picker and the XLSX download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from registry.api.deps import SessionDep
from registry.dates import today
from registry.errors import Forbidden
from registry.reports.monthly import Month, build
from registry.web import render
from registry.web.deps import UserDep
from registry.web.routes import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/reports/monthly")
def monthly(
    request: Request,
    me: UserDep,
    session: SessionDep,
    month: Annotated[str, Query(max_length=7)] = "",
) -> Response:
    if not month:
        return render.page(request, "report.html", {"month": today().strftime("%Y-%m")})
    if not me.principal.reads_everything:
        # The report covers the whole ward (the history it counts has no org scope).
        raise Forbidden("the monthly report is for registry-wide administrators and auditors")
    which = Month.parse(month, "query.month")
    return Response(
        build(session, which, me.principal),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="monthly-{which}.xlsx"'},
    )
