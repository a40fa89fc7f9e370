"""``cadre keys …``: rotate the data key (and the blind-index key), report and retire keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from registry.config import get_settings
from registry.errors import RegistryError
from registry.runtime import Runtime

app = typer.Typer(no_args_is_help=True, help="Encryption keys: rotation and retirement.")
console = Console(stderr=True)


def _runtime() -> Runtime:
    return Runtime(get_settings())


def _no_push(session: Session) -> None:
    # Re-encryption changes no value the civil-servant database receives: nothing to push.
    from registry import catalogue
    from sync.outbox import skip_outbox

    skip_outbox(session, catalogue.CIVIL_SERVICE)


@app.command("rotate")
def rotate(
    index_key: Annotated[
        bool, typer.Option("--index-key", help="also a new blind-index key; rebuild the indexes")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000)] = 500,
    pause: Annotated[
        float, typer.Option(min=0, help="seconds to wait between batches (a busy database)")
    ] = 0.0,
) -> None:
    """Make a new data key current and re-encrypt every value and document file under it, in
    batches.

    Interrupted, run it again: it finishes the same rotation instead of starting another."""
    from registry.keys.service import rotate as run_rotation

    rt = _runtime()

    def progress(where: str, done: int) -> None:
        console.print(f"{where}: {done} rewritten")

    try:
        report = run_rotation(
            rt,
            index_key=index_key,
            batch_size=batch_size,
            prepare=_no_push,
            progress=progress,
            pause=pause,
        )
    except RegistryError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(code=2) from None
    finally:
        rt.close()
    verb = "resumed" if report.resumed else "started"
    rows = sum(report.rewritten.values())
    console.print(
        f"rotation to {report.data_key} {verb}: {rows} rows and {report.files} document files"
        f" in {report.passes} passes"
    )
    if report.unreadable:
        console.print(
            f"[red]{len(report.unreadable)} document files do not decrypt or do not match their"
            " address; they are left as they are:[/red] "
            + ", ".join(sorted(report.unreadable)[:20])
        )
    if report.duplicates:
        console.print(
            f"[red]{len(report.duplicates)} rows hold a number another row holds; their index"
            " is not rebuilt and the previous index key stays in use:[/red] "
            + ", ".join(sorted(report.duplicates)[:20])
        )
    if not report.data_done or (report.index_key is not None and not report.index_done):
        step = "run `cadre keys rotate` again"
        if report.unreadable:
            step = "restore those files from a backup (or remove them), then " + step
        console.print(f"[red]not finished[/red]: {step}")
        raise typer.Exit(code=1)
    index = f"; blind indexes under {report.index_key}" if report.index_key else ""
    console.print(f"[green]every value and file is under {report.data_key}{index}[/green]")


@app.command("status")
def status(
    history: Annotated[
        bool, typer.Option("--history", help="also count values kept in recorded versions")
    ] = False,
) -> None:
    """How many values and document files each key holds (per table and column), and which keys
    are current."""
    from registry.keys.service import status as key_status
    from registry.wiring import metadata

    rt = _runtime()
    try:
        with rt.sessions() as session:
            report = key_status(rt, session, metadata=metadata(), with_history=history)
    finally:
        rt.close()
    s = report.state
    typer.echo(f"current data key: {s.current}")
    typer.echo(f"data keys: {', '.join(s.data_key_ids)}")
    if s.retired:
        typer.echo(f"retired: {', '.join(s.retired)}")
    if s.rotating:
        typer.echo(f"rotation to {s.rotating} in progress")
    index = f"blind-index key: {s.index_current}"
    if s.index_previous:
        index += f" (rebuild in progress; lookups also under {s.index_previous})"
    typer.echo(index)
    sections = [
        ("values", report.live),
        ("outside the catalogue", report.other),
        ("files", report.files),
    ]
    if report.history is not None:
        sections.append(("recorded versions", report.history))
    for title, usages in sections:
        for u in usages:
            typer.echo(f"{title}\t{u.key_id}\t{u.table}.{u.column}\t{u.values}")


@app.command("retire")
def retire(
    key_id: Annotated[str, typer.Argument(help="the data key id, e.g. k1")],
    forget_history: Annotated[
        bool,
        typer.Option(
            "--forget-history",
            help="retire it although recorded versions use it (they become unreadable)",
        ),
    ] = False,
) -> None:
    """Remove an old data key from the keyring, only when no value or document file needs it."""
    from registry.keys.service import retire as retire_key
    from registry.wiring import metadata

    rt = _runtime()
    try:
        with rt.sessions() as session:
            retire_key(rt, session, key_id, metadata=metadata(), forget_history=forget_history)
    except RegistryError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(code=2) from None
    finally:
        rt.close()
    console.print(f"{key_id} retired")
