"""The review page of sync runs: every run with its status in words, times in Vietnam."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response

from registry.api.deps import SessionDep
from registry.dates import LOCAL
from registry.web import render
from registry.web.deps import UserDep
from registry.web.errors import PageRoute
from registry.web.i18n import labeller
from sync.api import require_operator
from sync.models import SyncRun

router = APIRouter(route_class=PageRoute, include_in_schema=False)
SHOWN = 100


@router.get("/sync/runs")
def runs_page(request: Request, me: UserDep, session: SessionDep) -> Response:
    require_operator(session, me.principal)
    rows = session.scalars(sa.select(SyncRun).order_by(SyncRun.started_at.desc()).limit(SHOWN))
    shown = [
        {
            "job": r.job,
            "status": r.status,
            "started": r.started_at.astimezone(LOCAL).strftime("%d/%m/%Y %H:%M:%S"),
            "finished": r.finished_at.astimezone(LOCAL).strftime("%d/%m/%Y %H:%M:%S")
            if r.finished_at
            else "",
            "counts": sorted((k, v) for k, v in (r.counts or {}).items() if k != "left"),
            "left": (r.counts or {}).get("left") or {},
            "errors": r.errors or [],
        }
        for r in rows
    ]
    count_label = labeller(render.language(request), "count_")
    return render.page(request, "sync_runs.html", {"runs": shown, "count_label": count_label})
