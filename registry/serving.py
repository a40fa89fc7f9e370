"""Serving the API, with the sync scheduler beside it when enabled (``cadre serve``,
``make run``)."""

from __future__ import annotations

import uvicorn

from registry.app import create_app
from registry.logging import configure
from registry.runtime import Runtime


def serve(rt: Runtime, *, host: str, port: int, scheduler: bool | None = None) -> None:
    configure(rt.settings.log_level, json=rt.settings.log_json)
    app = create_app(rt.settings, sessions=rt.sessions, keys=rt.key_provider)
    background = None
    if rt.settings.scheduler_enabled if scheduler is None else scheduler:
        import sync.jobs  # noqa: F401 - registers the jobs
        from sync.scheduler import build_scheduler

        background = build_scheduler(rt, rt.settings.sync_intervals or None)
        background.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        if background is not None:
            background.shutdown(wait=False)
