"""Run a simulator on loopback: in the foreground for the demo, or in a thread for tests.

    python -m adapters.serve population --port 8101 --seed 7 --people 25 --knob error_rate=0.1
    python -m adapters.serve civil_service --port 8102 --knob duplicate_rate=0.3

Simulators only ever bind 127.0.0.1: they hand out tokens to anyone who knows the fixed
simulator secret.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

from adapters.systems import BY_NAME, SIMULATORS, Simulator, simulated

LOOPBACK = "127.0.0.1"
KINDS = tuple(s.name for s in SIMULATORS)


def build_simulator(kind: str, seed: int, people: int = 0, **knobs: Any) -> Simulator:
    """A simulator of ``kind`` with ``people`` demo records; unknown knobs raise TypeError."""
    sim: Simulator = simulated(kind).build(seed, people, **knobs)
    return sim


def serve_simulator(kind: str, port: int | None, seed: int, people: int = 0, **knobs: Any) -> None:
    """Serve a simulator of ``kind`` in the foreground (on its dev port unless ``port``)."""
    system = simulated(kind)
    sim = system.build(seed, people, **knobs)
    port = port or system.dev_port
    base = f"http://{LOOPBACK}:{port}"
    print(f"{system.name} simulator on {base} (seed {seed}); configure the registry with:")
    for variable, value in system.environment_for(sim, base).items():
        print(f"  {variable}={value}")
    # No access log: paths of the civil-service API carry identification numbers.
    uvicorn.run(sim.app, host=LOOPBACK, port=port, log_level="info", access_log=False)


@contextmanager
def running_simulator(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a background thread; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOOPBACK, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="none",
        # Open streams (a test's never-ending body) must not hold the shutdown for long.
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("simulator failed to start")
            time.sleep(0.01)
        yield f"http://{LOOPBACK}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _knob(text: str) -> tuple[str, Any]:
    name, _, raw = text.partition("=")
    value: Any = raw
    if raw.lower() in ("true", "false"):
        value = raw.lower() == "true"
    else:
        for number in (int, float):
            try:
                value = number(raw)
                break
            except ValueError:
                continue
    return name.strip(), value


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run an external-system simulator.")
    parser.add_argument("kind", choices=sorted(BY_NAME))
    parser.add_argument("--port", type=int, default=None, help="default: the system's dev port")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--people", type=int, default=25, help="demo records to create")
    parser.add_argument("--knob", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    knobs = dict(_knob(k) for k in args.knob)
    serve_simulator(args.kind, args.port, args.seed, args.people, **knobs)


if __name__ == "__main__":
    main()
