"""``make run``: migrate the embedded database, seed the demo ward when empty, start a simulator
of each national system on loopback (holding the demo ward's people), print an admin token,
and serve the API with the sync scheduler — the whole product on one machine."""

from __future__ import annotations

import argparse
import threading
import time

import uvicorn
from rich.console import Console

from registry import migrate
from registry.access.service import create_token
from registry.config import Settings, get_settings
from registry.runtime import Runtime
from registry.serving import serve

console = Console()
LOOPBACK = "127.0.0.1"


def start_simulators(rt: Runtime, settings: Settings) -> None:
    """Serve a simulator of every external system in a background thread, holding the
    registry's people, and point the settings at it."""
    from sync.systems import SYSTEMS

    for system in SYSTEMS:
        sim = system.adapter.build(seed=2025)
        shared = system.seed(rt, sim)
        port = system.adapter.dev_port
        server = uvicorn.Server(
            uvicorn.Config(sim.app, host=LOOPBACK, port=port, log_level="warning", access_log=False)
        )
        threading.Thread(target=server.run, daemon=True, name=f"sim-{system.name}").start()
        while not server.started:
            time.sleep(0.02)
        url = f"http://{LOOPBACK}:{port}"
        system.point_at(settings, sim, url)
        console.print(
            f"{system.name} simulator on {url} ({shared} people shared with the registry)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()

    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    rt = Runtime(settings)
    migrate.upgrade(rt.engine)
    console.print(f"database ready: {settings.resolved_database_url()}")

    from registry.demo.generator import build_demo, registry_is_empty

    with rt.sessions() as session:
        empty = registry_is_empty(session)
    if empty:
        console.print("seeding the demo ward …")
        console.print(build_demo(rt, persons=None, seed=2025, progress=console))

    from sync.systems import SYSTEMS, intervals

    if not any(system.configured(settings) for system in SYSTEMS):
        start_simulators(rt, settings)
    # Demo cadence (sync visibly within a minute), under any CADRE_SYNC_INTERVALS given.
    settings.sync_intervals = intervals(demo=True) | settings.sync_intervals

    with rt.sessions.begin() as session:
        rt.system_ctx(session, reason="make run: admin token for this session")
        token = create_token(session, role="admin", org_code=None, name="make run")
    console.print(f"\nAPI docs: http://{args.host}:{args.port}/docs   metrics: /metrics")
    console.print("Sync runs: GET /api/v1/sync/runs   conflicts: GET /api/v1/sync/conflicts")
    console.print("Admin token (send as 'Authorization: Bearer <token>'):")
    print(token, flush=True)
    serve(rt, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
