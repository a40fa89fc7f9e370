"""`cadre serve --workers 3`: three processes answer requests, and the scheduler runs in the
supervising process only — each job once per period, always by the same runner."""

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


def _listeners(port: int) -> int:
    """Sockets listening on ``port`` (from /proc/net/tcp: state 0A is LISTEN)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            count += state == "0A" and int(local.rsplit(":", 1)[1], 16) == port
    return count


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow  # starts four processes that each import the whole app
def test_serve_with_workers_runs_the_scheduler_once(
    committed_engine: Engine, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "CADRE_DATABASE_URL": committed_engine.url.render_as_string(hide_password=False),
        "CADRE_VAR_DIR": str(tmp_path / "var"),
        "CADRE_LOG_LEVEL": "WARNING",
        "CADRE_SYNC_INTERVALS": json.dumps({"audit-checkpoint": INTERVAL}),
    }
    # this checkout's code, whichever checkout the installed `cadre` script points at
    env["PYTHONPATH"] = str(ROOT)
    cadre = [sys.executable, "-c", "from registry.cli import app; app()"]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*cadre, "serve", "--workers", str(WORKERS), "--port", str(port)],
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
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    detail = log.read_text(errors="replace")[-2000:]
    assert answers > 0, f"the server never answered\n{detail}"
    # Each worker listens on a socket of its own (SO_REUSEPORT), so the kernel spreads
    # connections over them; one shared socket let one worker accept a whole burst.
    assert listening == WORKERS, (listening, detail)
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
