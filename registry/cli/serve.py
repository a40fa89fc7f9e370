"""`cadre serve`: the API and the pages."""

from __future__ import annotations

from typing import Annotated

import typer

from registry.cli.common import runtime


def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, help="worker processes (default: CADRE_SERVE_WORKERS, else one per core)"
        ),
    ] = None,
) -> None:
    """Serve the API (and /docs) with worker processes, the sync scheduler and the audit
    sequencer in this one supervising process (no scheduler if CADRE_SCHEDULER_ENABLED=0)."""
    from registry.serving import serve as serve_api

    serve_api(runtime(), host=host, port=port, workers=workers)
