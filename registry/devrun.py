"""``make run``: migrate the embedded database, seed the demo ward when empty, start the two
national-system simulators on loopback (holding the demo ward's people), print an admin token,
and serve the API with the sync scheduler — the whole product on one machine."""

from __future__ import annotations

import argparse
import threading
import time

import uvicorn
from pydantic import SecretStr
from rich.console import Console

from registry import migrate
from registry.access.service import create_token
from registry.config import Settings, get_settings
from registry.runtime import Runtime
from registry.serving import serve

console = Console()
SIM_PORTS = {"population": 8101, "civil_service": 8102}
# Demo cadence: sync visibly within a minute of starting.
DEMO_INTERVALS = {
    "population-verify": 120,
    "population-events": 30,
    "civil-service-pull": 60,
    "civil-service-push": 20,
    "reconcile": 3600,
    "audit-checkpoint": 300,
}


def start_simulators(rt: Runtime, settings: Settings) -> None:
    """Serve both simulators in background threads and point the adapters at them."""
    from adapters.population.simulator import PopulationSim
    from adapters.serve import build_simulator
    from sync.demo_link import seed_from_registry

    for kind, port in SIM_PORTS.items():
        sim = build_simulator(kind, seed=2025)
        shared = seed_from_registry(rt, sim)
        server = uvicorn.Server(
            uvicorn.Config(
                sim.app, host="127.0.0.1", port=port, log_level="warning", access_log=False
            )
        )
        threading.Thread(target=server.run, daemon=True, name=f"sim-{kind}").start()
        while not server.started:
            time.sleep(0.02)
        url = f"http://127.0.0.1:{port}"
        if isinstance(sim, PopulationSim):
            settings.population_url = url
            settings.population_client_id = sim.core.client_id
            settings.population_client_secret = SecretStr(sim.core.client_secret)
            settings.population_public_key = sim.public_key_b64
        else:
            settings.civil_service_url = url
            settings.civil_service_client_id = sim.core.client_id
            settings.civil_service_client_secret = SecretStr(sim.core.client_secret)
        console.print(f"{kind} simulator on {url} ({shared} people shared with the registry)")


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

    if not settings.population_url and not settings.civil_service_url:
        start_simulators(rt, settings)
    if not settings.sync_intervals:
        settings.sync_intervals = DEMO_INTERVALS

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
