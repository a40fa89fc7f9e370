"""The corps report page: the corps as at a day, for the caller's units, one table per
breakdown (rows: the total, each unit, each post kind), and the XLSX download. The figures
are ``registry.reports.corps``'s, through the same read policy as the API; each view is an
audit event on record before the page is sent. The page links to the monthly report; the
navigation (``base.html``, the pages' own layout) does not link here yet."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response

from registry.access.principal import Principal
from registry.access.scope import get_visible, visible
from registry.api.deps import SessionDep
from registry.audit.service import log_read
from registry.dates import today
from registry.errors import Invalid
from registry.org_units.models import OrgUnit
from registry.persons.loose_dates import parse_loose
from registry.reports import corps
from registry.web import render
from registry.web.deps import ServicesDep, SignedIn, UserDep, acting
from registry.web.routes import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Text = Annotated[str, Query(max_length=40)]


def _day(raw: str) -> dt.date:
    """The report's day as typed (``dd/mm/yyyy``) or as a date field sends it (ISO)."""
    if not raw.strip():
        return today()
    try:
        day = parse_loose(raw)
    except ValueError as exc:
        raise Invalid.field("query.on", str(exc)) from None
    if day.month is None or day.day is None:
        raise Invalid.field("query.on", "must be a whole day (dd/mm/yyyy)")
    found = day.earliest()
    if not dt.date(1900, 1, 1) <= found <= dt.date(2100, 12, 31):
        raise Invalid.field("query.on", "must be between 1900 and 2100")
    return found


def _unit(session: SessionDep, who: Principal, raw: str) -> OrgUnit | None:
    if not raw:
        return None
    try:
        unit_id = uuid.UUID(raw)
    except ValueError:
        raise Invalid.field("query.org_unit", "is not a unit id") from None
    return get_visible(session, OrgUnit, unit_id, who)


def _units(session: SessionDep, who: Principal) -> list[OrgUnit]:
    stmt = visible(sa.select(OrgUnit).where(OrgUnit.retired_at.is_(None)), OrgUnit, who)
    return list(session.scalars(stmt.order_by(OrgUnit.code)))


def _built(
    request: Request, session: SessionDep, svc: ServicesDep, me: SignedIn, on: str, org_unit: str
) -> tuple[corps.CorpsReport, OrgUnit | None]:
    ctx = acting(session, svc, me.principal, request, reason="read the corps report (page)")
    unit = _unit(session, ctx.principal, org_unit)
    report = corps.build(session, ctx.principal, on=_day(on), org_unit=unit)
    log_read(
        session,
        ctx,
        action="reports.corps",
        object_type="corps_report",
        object_ids=[str(unit.id) if unit else "registry"],
        fields=report.breakdowns,
    )
    session.commit()  # the read is on record before anyone sees the figures
    return report, unit


@router.get("/reports/corps")
def corps_page(
    request: Request,
    me: UserDep,
    session: SessionDep,
    svc: ServicesDep,
    on: Text = "",
    org_unit: Text = "",
) -> Response:
    report, unit = _built(request, session, svc, me, on, org_unit)
    return render.page(
        request,
        "corps.html",
        {
            "report": report,
            "breakdown_labels": {k: v[0] for k, v in corps.BREAKDOWNS.items()},
            "units": _units(session, me.principal),
            "unit": unit,
            "on_text": report.on.strftime("%d/%m/%Y"),
            "on_iso": report.on.isoformat(),
            "hidden": corps.SUPPRESSED,
        },
    )


@router.get("/reports/corps.xlsx")
def corps_download(
    request: Request,
    me: UserDep,
    session: SessionDep,
    svc: ServicesDep,
    on: Text = "",
    org_unit: Text = "",
) -> Response:
    report, unit = _built(request, session, svc, me, on, org_unit)
    scope = "Toàn bộ phạm vi" if unit is None else f"{unit.code} – {unit.name}"
    return Response(
        corps.to_xlsx(report, scope_label=scope),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="corps-{report.on}.xlsx"'},
    )
