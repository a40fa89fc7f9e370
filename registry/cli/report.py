"""``cadre report monthly --month YYYY-MM [--out FILE]``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from registry.config import get_settings
from registry.errors import RegistryError
from registry.runtime import Runtime

app = typer.Typer(no_args_is_help=True, help="Reports for the Standing Committee.")
console = Console(stderr=True)


@app.command("monthly")
def monthly(
    month: Annotated[str, typer.Option(help="the month reported, YYYY-MM")],
    out: Annotated[
        Path | None, typer.Option(help="default var/reports/monthly-YYYY-MM.xlsx")
    ] = None,
) -> None:
    """Write the monthly report (headcount, vacancies, shortfalls, changes, evaluations)."""
    from registry.reports.monthly import Month, build

    try:
        which = Month.parse(month, "--month")
    except RegistryError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(code=2) from None
    settings = get_settings()
    target = out or settings.reports_dir / f"monthly-{which}.xlsx"
    rt = Runtime(settings)
    with rt.sessions() as session:
        data = build(session, which)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    typer.echo(str(target))
