"""`cadre serve --workers 3`: three processes answer requests, each on a socket of its own,
a killed one is replaced, and the scheduler runs in the supervising process only — each job
once per period, always by the same runner. A port another program holds stops the server
with an error instead of restarting workers forever."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.models import SyncRun

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
INTERVAL = 1  # seconds
WATCH = 6  # seconds of serving once the first answer came
STARTUP = 120  # seconds at most until then


# this checkout's code, whichever checkout the installed `cadre` script points at
CADRE = [sys.executable, "-c", "from registry.cli import app; app()"]


def _env(engine: Engine, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "CADRE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "CADRE_VAR_DIR": str(tmp_path / "var"),
        "CADRE_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def _listeners(port: int) -> int:
    """Sockets listening on ``port`` (from /proc/net/tcp: state 0A is LISTEN)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1:4:2]
            count += state == "0A" and int(local.rsplit(":", 1)[1], 16) == port
    return count


def _workers(parent: int) -> set[int]:
    """The worker processes of the server ``parent`` (its spawned children)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == parent and b"spawn_main" in cmdline:
            found.add(int(stat.parent.name))
    return found


def _kill_one_worker(parent: int, port: int) -> bool:
    """SIGKILL one worker; whether a new one took its place and listens, and the server
    answers."""
    before = _workers(parent)
    if not before:
        return False
    os.kill(min(before), signal.SIGKILL)
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        now = _workers(parent)
        if len(now) == WORKERS and now - before and _listeners(port) == WORKERS:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
        time.sleep(0.2)
    return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow  # starts four processes that each import the whole app
def test_serve_with_workers_runs_the_scheduler_once(
    committed_engine: Engine, tmp_path: Path
) -> None:
    port = _free_port()
    env = _env(
        committed_engine,
        tmp_path,
        CADRE_SYNC_INTERVALS=json.dumps({"audit-checkpoint": INTERVAL}),
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*CADRE, "serve", "--workers", str(WORKERS), "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=out,
        )
        answers, listening = 0, 0
        try:
            # Workers import the whole app; on a loaded machine that takes a while.
            started = time.monotonic()
            deadline = started + STARTUP
            while time.monotonic() < deadline:
                try:
                    r = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                    answers += r.status_code == 200
                except httpx.TransportError:
                    pass  # still starting
                if answers == 1:
                    deadline = min(time.monotonic() + WATCH, started + STARTUP + WATCH)
                listening = max(listening, _listeners(port))
                time.sleep(0.05)
            replaced = _kill_one_worker(server.pid, port)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    detail = log.read_text(errors="replace")[-2000:]
    assert answers > 0, f"the server never answered\n{detail}"
    # Each worker listens on a socket of its own (SO_REUSEPORT), so the kernel spreads
    # connections over them; one shared socket let one worker accept a whole burst.
    assert listening == WORKERS, (listening, detail)
    assert replaced, f"a killed worker was not replaced\n{detail}"
    with committed_engine.connect() as conn:
        rows = conn.execute(
            sa.select(SyncRun.period, SyncRun.runner).where(SyncRun.job == "audit-checkpoint")
        ).all()
    runners = {r.runner for r in rows}
    periods = [r.period for r in rows]
    assert len(periods) >= 3, (rows, detail)
    assert len(periods) == len(set(periods)), "a period ran twice"
    # one scheduler: every run by the supervising process, none by a worker
    assert len(runners) == 1, runners
    assert runners == {f"{socket.gethostname()}:{server.pid}"}, runners


@pytest.mark.slow  # starts three processes that each import the whole app
def test_a_port_held_by_another_program_stops_the_server(
    committed_engine: Engine, tmp_path: Path
) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = int(holder.getsockname()[1])
    try:
        done = subprocess.run(
            [*CADRE, "serve", "--workers", "2", "--port", str(port)],
            env=_env(committed_engine, tmp_path, CADRE_SCHEDULER_ENABLED="0"),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=STARTUP,
            check=False,
        )
    finally:
        holder.close()
    assert done.returncode != 0, done.stdout + done.stderr
    assert "could not start serving" in done.stderr, done.stderr[-2000:]
