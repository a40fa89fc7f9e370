"""The dashboard: open alerts by rule and by unit, new alerts by month, vacant posts."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from registry.api.deps import SessionDep
from registry.dates import today
from registry.reports import figures
from registry.web import render
from registry.web.charts import bar_chart
from registry.web.deps import UserDep
from registry.web.i18n import rule_namer, translator
from registry.web.routes import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/dashboard")
def dashboard(request: Request, me: UserDep, session: SessionDep) -> Response:
    lang = render.language(request)
    t, name = translator(lang), rule_namer(lang)
    who, day = me.principal, today()
    charts = {
        "open_by_rule": [(name(rule), n) for rule, n in figures.open_by_rule(session, who)],
        "open_by_org": figures.open_by_org(session, who),
        "trend": figures.new_alerts_by_month(session, who, last=day),
        "vacancies": figures.vacancies_by_org(session, who, on=day),
    }
    drawn = {key: bar_chart(t(key), items, empty=t("none")) for key, items in charts.items()}
    return render.page(request, "dashboard.html", {"charts": drawn})
