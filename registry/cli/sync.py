"""``cadre sync …``, ``cadre worker`` and ``cadre simulate …``."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from rich.console import Console

from registry.config import get_settings
from registry.runtime import Runtime

app = typer.Typer(no_args_is_help=True, help="Synchronisation with the national databases.")
console = Console(stderr=True)


def _runtime() -> Runtime:
    import sync.jobs  # noqa: F401 - registers the jobs

    return Runtime(get_settings())


@app.command("run")
def run(name: Annotated[str, typer.Argument(help="job name, e.g. civil-service-pull")]) -> None:
    """Run one job now (unless it is already running somewhere)."""
    from sync.runs import JOBS, run_job

    rt = _runtime()
    if name not in JOBS:
        console.print(f"[red]error:[/red] unknown job {name!r}; jobs: {', '.join(sorted(JOBS))}")
        raise typer.Exit(code=2)
    result = run_job(rt, name)
    if result is None:
        console.print(f"{name} is running elsewhere; nothing done")
        return
    console.print(f"{name}: {result.status} {dict(result.counts)}")
    for error in result.errors:
        console.print(f"  - {error}")
    if result.status != "ok":
        raise typer.Exit(code=1)


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
