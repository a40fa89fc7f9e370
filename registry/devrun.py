"""``make run``: migrate the embedded database, seed the demo ward when empty, print an
admin token and serve the API. Runs the same commands a user could type one by one."""

from __future__ import annotations

import argparse

from rich.console import Console

from registry import migrate
from registry.access.service import create_token
from registry.config import get_settings
from registry.runtime import Runtime

console = Console()


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

    with rt.sessions.begin() as session:
        rt.system_ctx(session, reason="make run: admin token for this session")
        token = create_token(session, role="admin", org_code=None, name="make run")
    console.print(f"\nAPI docs: http://{args.host}:{args.port}/docs")
    console.print("Admin token (send as 'Authorization: Bearer <token>'):")
    print(token, flush=True)

    import uvicorn

    from registry.app import create_app
    from registry.logging import configure

    configure(settings.log_level, json=settings.log_json)
    app = create_app(settings, sessions=rt.sessions, keys=rt.key_provider)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
