from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from registry.api.deps import ServicesDep

router = APIRouter(tags=["operations"])


@router.get("/health", summary="The process is up")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="The database answers and its schema is at the code's head")
def ready(svc: ServicesDep) -> Any:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from registry.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    try:
        with svc.sessions() as session:
            session.execute(sa.text("SELECT 1"))
            current = MigrationContext.configure(session.connection()).get_current_revision()
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "database": "schema not at head"}, status_code=503
        )
    return {"status": "ready"}
