"""``make run``: migrate the embedded database, seed the demo ward when empty (with standard
profiles for its posts and a first evaluation, so alerts are open at once), create the demo
administrator with a one-time password, start a simulator of each national system on loopback
(holding the demo ward's people), print how to sign in and an API token, and serve the pages
and the API with the sync scheduler — the whole product on one machine."""

from __future__ import annotations

import argparse
import threading
import time
from dataclasses import dataclass

import uvicorn
from rich.console import Console

from registry import migrate
from registry.access.service import create_token
from registry.config import Settings, get_settings
from registry.dates import utcnow
from registry.runtime import Runtime
from registry.serving import serve

console = Console()
LOOPBACK = "127.0.0.1"
DEMO_ADMIN = "admin"


@dataclass(frozen=True)
class WayIn:
    """What a new user needs to get in: the account, its one-time password (None when its
    owner already chose one), and how many findings the first evaluation saw."""

    username: str
    password: str | None
    findings: int | None

    def lines(self, url: str) -> list[str]:
        head = [
            f"Open {url}/ in a browser and sign in (Đăng nhập):",
            f"  username: {self.username}",
        ]
        if self.password is None:
            return [*head, "  password: the one you chose (cadre user create makes more users)"]
        return [
            *head,
            f"  one-time password: {self.password}",
            "  (you choose your own password right after signing in; this one then stops working)",
        ]


def prepare(rt: Runtime, *, persons: int | None = None, progress: Console | None = None) -> WayIn:
    """Everything ``make run`` does before serving, as one function the browser test runs
    too: migrate; build the demo ward when the registry is empty; seed the standard profiles
    of its posts when none exist; evaluate every post now; and create (or re-issue, while its
    password is still the printed one) the demo administrator."""
    from registry.demo.generator import build_demo, registry_is_empty
    from registry.demo.standards import first_evaluation, needs_standards, seed_standards
    from registry.users.service import issue_one_time

    migrate.upgrade(rt.engine)
    with rt.sessions() as session:
        empty = registry_is_empty(session)
    if empty:
        if progress is not None:
            progress.print("seeding the demo ward …")
        summary = build_demo(rt, persons=persons, seed=2025, progress=progress)
        if progress is not None:
            progress.print(summary)
    findings = None
    with rt.sessions.begin() as session:
        if needs_standards(session):
            ctx = rt.system_ctx(session, reason="demo ward: standard profiles", source="demo")
            seed_standards(session, ctx)
            rt.system_ctx(session, reason="demo ward: first evaluation", source="demo")
            findings = first_evaluation(session)
    with rt.sessions.begin() as session:
        rt.system_ctx(session, reason="make run: demo administrator", source="demo")
        issued = issue_one_time(session, username=DEMO_ADMIN, now=utcnow())
    return WayIn(issued.username, issued.password, findings)


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
    way_in = prepare(rt, progress=console)
    console.print(f"database ready: {settings.resolved_database_url()}")
    if way_in.findings is not None:
        console.print(f"standards evaluated: {way_in.findings} findings (see /alerts)")

    from sync.systems import SYSTEMS, intervals

    if not any(system.configured(settings) for system in SYSTEMS):
        start_simulators(rt, settings)
    # Demo cadence (sync visibly within a minute), under any CADRE_SYNC_INTERVALS given.
    settings.sync_intervals = intervals(demo=True) | settings.sync_intervals

    with rt.sessions.begin() as session:
        rt.system_ctx(session, reason="make run: admin token for this session")
        token = create_token(session, role="admin", org_code=None, name="make run")
    url = f"http://{args.host}:{args.port}"
    console.print(f"\nAPI docs: {url}/docs   metrics: /metrics")
    console.print("Sync runs: GET /api/v1/sync/runs   conflicts: GET /api/v1/sync/conflicts")
    console.print("API admin token (send as 'Authorization: Bearer <token>'):")
    print(token, flush=True)
    print("", flush=True)
    for line in way_in.lines(url):
        print(line, flush=True)
    serve(rt, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
