"""Four processes with the scheduler on, over many periods: each job runs once per period."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.models import SyncRun

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4
INTERVAL = 2  # seconds
WATCH = 14  # seconds of scheduling


def test_each_job_runs_once_per_period_across_four_workers(
    committed_engine: Engine, tmp_path: Path
) -> None:
    url = committed_engine.url.render_as_string(hide_password=False)
    env = {
        **os.environ,
        "CADRE_DATABASE_URL": url,
        "CADRE_VAR_DIR": str(tmp_path / "var"),
        "CADRE_LOG_LEVEL": "WARNING",
        "CADRE_SYNC_INTERVALS": json.dumps({"audit-checkpoint": INTERVAL}),
    }
    cadre = Path(sys.executable).parent / "cadre"
    logs = [tmp_path / f"worker-{i}.log" for i in range(PROCESSES)]
    handles = [log.open("wb") for log in logs]
    workers = [
        subprocess.Popen([str(cadre), "worker"], env=env, cwd=tmp_path, stdout=h, stderr=h)
        for h in handles
    ]
    try:
        time.sleep(WATCH)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(timeout=30)
        for h in handles:
            h.close()
    with committed_engine.connect() as conn:
        rows = conn.execute(
            sa.select(SyncRun.period, SyncRun.runner, SyncRun.status).where(
                SyncRun.job == "audit-checkpoint"
            )
        ).all()
    per_period = Counter(r.period for r in rows)
    runners = {r.runner for r in rows}
    detail = "\n".join(log.read_text(errors="replace")[-500:] for log in logs)
    assert per_period, f"no run recorded\n{detail}"
    assert max(per_period.values()) == 1, per_period
    # Every period in the watch window ran (allowing the first and last to be cut short).
    assert len(per_period) >= WATCH // INTERVAL - 3, (len(per_period), detail)
    assert all(r.status == "ok" for r in rows), [r.status for r in rows]
    assert len(runners) >= 2, "one process did all the work: the test proved nothing"
