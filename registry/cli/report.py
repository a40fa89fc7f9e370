"""``cadre report monthly --month YYYY-MM [--format xlsx|pdf] [--out FILE]``."""

from __future__ import annotations

import getpass
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
    month: Annotated[str, typer.Option(help="the month reported, YYYY-MM (not in the future)")],
    format: Annotated[str, typer.Option(help="xlsx or pdf")] = "xlsx",
    out: Annotated[
        Path | None, typer.Option(help="default var/reports/monthly-YYYY-MM.xlsx (or .pdf)")
    ] = None,
) -> None:
    """Write the monthly report: cadres by unit, party members by cell, vacancies, shortfalls
    by rule, evaluations by period, changes of posts and party status in the month."""
    from registry.reports.monthly import Month, report_for, write_xlsx
    from registry.reports.pdf import write_pdf

    try:
        which = Month.parse(month, "--month")
        if format not in ("xlsx", "pdf"):
            raise RegistryError("--format: must be xlsx or pdf")
    except RegistryError as exc:
        console.print(
            f"[red]error:[/red] {exc.message}"
            + "".join(f" {i.field}: {i.reason}" for i in exc.issues)
        )
        raise typer.Exit(code=2) from None
    settings = get_settings()
    target = out or settings.reports_dir / f"monthly-{which}.{format}"
    rt = Runtime(settings)
    with rt.sessions() as session:
        report = report_for(session, which, settings=settings, produced_by=getpass.getuser())
    data = write_pdf(report) if format == "pdf" else write_xlsx(report)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    typer.echo(str(target))
