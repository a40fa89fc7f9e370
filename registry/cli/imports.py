"""`cadre import`: bulk imports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from registry.cli.common import console, fail, runtime
from registry.errors import RegistryError

app = typer.Typer(no_args_is_help=True, help="Bulk imports.")


@app.command("persons")
def import_persons(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    report: Annotated[Path | None, typer.Option(help="where to write rejected rows")] = None,
    sex_codes: Annotated[
        str,
        typer.Option(
            help="the file's sex codes: qcvn109 (1/2), vi (Nam/Nữ), mf (M/F) or auto (any)"
        ),
    ] = "auto",
) -> None:
    """Import persons from UTF-8 CSV (docs/personnel-file.md); every valid row is applied,
    rejects are reported."""
    from registry.persons.importer import import_csv

    rt = runtime()
    report = report or file.with_suffix(".rejected.csv")
    try:
        result = import_csv(rt, file, report_path=report, show_progress=True, sex_codes=sex_codes)
    except RegistryError as exc:
        raise fail(exc) from None
    console.print(f"imported {result.imported} rows, rejected {result.rejected} (report: {report})")
    if result.rejected:
        raise typer.Exit(code=1)
