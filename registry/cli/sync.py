"""``cadre sync …``, ``cadre worker`` and ``cadre simulate …``."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from registry.config import get_settings
from registry.runtime import Runtime

if TYPE_CHECKING:
    from sync.status import SystemStatus

app = typer.Typer(no_args_is_help=True, help="Synchronisation with the national databases.")
console = Console(stderr=True)


def _runtime() -> Runtime:
    import sync.jobs  # noqa: F401 - registers the jobs

    return Runtime(get_settings())


# `cadre sync run` exit codes: 0 the run is ok; 1 it ended partial, failed or could not be
# recorded as started; 2 unknown job; 3 it did not run (running elsewhere, period done).
EXIT_NOT_OK, EXIT_USAGE, EXIT_NOT_RUN = 1, 2, 3


@app.command("run")
def run(name: Annotated[str, typer.Argument(help="job name, e.g. civil-service-pull")]) -> None:
    """Run one job now (unless it is already running somewhere); exits 0 only when it is ok."""
    from sqlalchemy.exc import SQLAlchemyError

    from sync.runs import JOBS, OK, describe, run_job

    rt = _runtime()
    if name not in JOBS:
        console.print(f"[red]error:[/red] unknown job {name!r}; jobs: {', '.join(sorted(JOBS))}")
        raise typer.Exit(code=EXIT_USAGE)
    try:
        result = run_job(rt, name)
    except SQLAlchemyError as exc:
        console.print(f"[red]error:[/red] {name} could not start: {describe(exc)}")
        raise typer.Exit(code=EXIT_NOT_OK) from None
    finally:
        rt.close()
    if result is None:
        console.print(f"{name} is running elsewhere or already ran this period; nothing done")
        raise typer.Exit(code=EXIT_NOT_RUN)
    counts = {k: v for k, v in dict(result.counts).items() if k != "left"}
    console.print(f"{name}: {result.status} {counts}", markup=False)
    for error in result.errors:
        console.print(f"  - {error}", markup=False)
    left = dict(result.counts).get("left") or {}
    if left:
        console.print(
            "  left: " + ", ".join(f"{n} {kind}" for kind, n in sorted(left.items())),
            markup=False,
        )
    if result.status != OK:
        raise typer.Exit(code=EXIT_NOT_OK)


@app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of text")] = False,
) -> None:
    """Per system: each job's last successful run, the outbox by state, conflicts open,
    refused answers kept and contract drift."""
    import json

    from sync.status import system_status

    rt = _runtime()
    try:
        with rt.sessions() as session:
            found = system_status(session)
    finally:
        rt.close()
    if as_json:
        typer.echo(json.dumps([s.as_json() for s in found], ensure_ascii=False, indent=2))
        return
    for system in found:
        typer.echo("\n".join(_status_lines(system)))


def _when(value: object) -> str:
    """An instant as the ward reads it: dd/mm/yyyy, Vietnam time."""
    import datetime as dt

    from registry.dates import LOCAL

    if isinstance(value, dt.datetime):
        return value.astimezone(LOCAL).strftime("%d/%m/%Y %H:%M:%S (UTC+7)")
    return "never"


def _status_lines(system: SystemStatus) -> list[str]:
    lines = [system.name]
    width = max((len(j.job) for j in system.jobs), default=0)
    for j in system.jobs:
        if j.latest_status is None:
            lines.append(f"  {j.job:<{width}}  never run")
            continue
        latest = f"latest {j.latest_status} started {_when(j.latest_started_at)}"
        lines.append(f"  {j.job:<{width}}  last ok {_when(j.last_ok_at)}; {latest}")
    if system.outbox:
        lines.append("  outbox: " + ", ".join(f"{state} {n}" for state, n in system.outbox.items()))
    if system.external:
        lines.append(f"  conflicts open: {system.conflicts_open}")
        lines.append(f"  refused answers kept: {system.refused_answers}")
        drift = system.contract_drift
        lines.append(f"  contract drift: {len(drift)} unknown fields")
        lines += [f"    {path} (seen {n} times)" for path, n in sorted(drift.items())]
    return lines


@app.command("replay")
def replay(item_id: Annotated[int, typer.Argument(help="outbox item id")]) -> None:
    """Put a dead-lettered or quarantined outbox item back in line."""
    from sync.jobs.civil_service_push import replay as replay_item

    rt = _runtime()
    with rt.sessions() as session:
        rt.system_ctx(session, reason=f"replay outbox item {item_id}")
        try:
            replay_item(session, item_id)
        except LookupError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(code=2) from None
        session.commit()
    console.print(f"outbox item {item_id} is pending again")


def worker() -> None:
    """Run the scheduler without the API (a separate process beside ``cadre serve``)."""
    from registry.logging import configure
    from sync.scheduler import build_scheduler

    rt = _runtime()
    configure(rt.settings.log_level, json=rt.settings.log_json)
    scheduler = build_scheduler(rt, rt.settings.sync_intervals or None)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    scheduler.start()
    console.print(f"worker started: {', '.join(j.id for j in scheduler.get_jobs())}")
    stop.wait()
    scheduler.shutdown(wait=True)


def simulate(
    kind: Annotated[str, typer.Argument(help="population or civil-service")],
    port: Annotated[int | None, typer.Option(help="default: the system's dev port")] = None,
    seed: Annotated[int, typer.Option()] = 2025,
    people: Annotated[int, typer.Option(help="extra generated people")] = 0,
    from_registry: Annotated[
        bool, typer.Option(help="share the people of this installation's registry (the demo ward)")
    ] = True,
) -> None:
    """Serve a simulator of a national system on 127.0.0.1."""
    import uvicorn

    from sync.systems import system_named

    try:
        system = system_named(kind)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from None
    sim = system.adapter.build(seed, people)
    if from_registry:
        seeded = system.seed(Runtime(get_settings()), sim)
        console.print(f"{seeded} people shared from the registry")
    uvicorn.run(
        sim.app, host="127.0.0.1", port=port or system.adapter.dev_port, log_level="warning"
    )
