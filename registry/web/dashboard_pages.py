"""The dashboard: open alerts by rule and by unit, new alerts by month, vacant posts."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response

from registry.api.deps import SessionDep
from registry.dates import today
from registry.org_units.models import OrgUnit
from registry.reports import figures
from registry.web import render
from registry.web.charts import bar_chart
from registry.web.deps import UserDep
from registry.web.i18n import rule_namer, translator
from registry.web.routes import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _named(units: dict[str, str], items: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Units by their names (the code only when a unit has none)."""
    return [(units.get(code) or code, n) for code, n in items]


def _month(key: str) -> str:
    """``2026-11`` → ``11/2026``."""
    year, _, month = key.partition("-")
    return f"{month}/{year}"


@router.get("/dashboard")
def dashboard(request: Request, me: UserDep, session: SessionDep) -> Response:
    lang = render.language(request)
    t, name = translator(lang), rule_namer(lang)
    who, day = me.principal, today()
    units = dict(session.execute(sa.select(OrgUnit.code, OrgUnit.name)).tuples().all())
    charts = {
        "open_by_rule": [(name(rule), n) for rule, n in figures.open_by_rule(session, who)],
        "open_by_org": _named(units, figures.open_by_org(session, who)),
        "trend": [(_month(m), n) for m, n in figures.new_alerts_by_month(session, who, last=day)],
        "vacancies": _named(units, figures.vacancies_by_org(session, who, on=day)),
    }
    drawn = {key: bar_chart(t(key), items, empty=t("none")) for key, items in charts.items()}
    return render.page(request, "dashboard.html", {"charts": drawn})
