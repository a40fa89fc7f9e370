"""``cadre standards evaluate``: evaluate every post now."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console

from registry.config import get_settings
from registry.runtime import Runtime

app = typer.Typer(no_args_is_help=True, help="Position standards and shortfall alerts.")
console = Console(stderr=True)


@app.command("evaluate")
def evaluate(
    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today")] = None,
) -> None:
    """Evaluate every post against the standard in force and update the alerts."""
    from registry.alerts.service import run_full

    day = dt.date.fromisoformat(on) if on else None
    rt = Runtime(get_settings())
    with rt.sessions() as session:
        rt.system_ctx(session, reason="cadre standards evaluate")
        counts = run_full(session, on=day)
        session.commit()
    console.print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no findings")
