"""Person-file reads over HTTP against the same reads in plain SQL (target ≥ 0.3×).

Builds a fresh PostgreSQL database, fills it with ``cadre demo --persons N``, serves it with
``cadre serve --workers W`` (audit entries chained in batches by the serving process), and
loads ``GET /api/v1/persons/{id}`` (random persons) with wrk — 16 connections, then one — on
loopback. The baseline is pgbench running, on the same data with the same client counts, what
a file read is in SQL: one transaction reading the person row and each of its record tables by
``person_id``, and inserting one audit entry (into ``bench_audit``, a copy of the pending
table, so the server's sequencer is not left chaining pgbench's entries while the API is
measured). Then the same for a person-list page (50 persons)
against its SQL (the page's select and one audit entry per person listed).

    .venv/bin/python bench/api_read.py --persons 20000 [--workers 2] [--seconds 15] [--rounds 3]

Each load runs ``--rounds`` times, the API and its SQL one after the other; the ratio stated
is the median of the rounds' ratios (on this 2-core machine one run's rate moves by a quarter
from one minute to the next).

Needs ``wrk`` and ``pgbench`` (Debian: ``apt-get install wrk postgresql-contrib``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import fresh_database
from registry.db import make_engine
from registry.persons.views import EVENTS, VERIFICATION, sections

ROOT = Path(__file__).resolve().parent.parent

CADRE = [sys.executable, "-c", "from registry.cli import app; app()"]
LIST_PAGE = 50
# One load's result on each side: requests (transactions) per second, p50 and p99 in ms.
Pair = tuple[dict[str, float], dict[str, float]]


def cadre(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - this bench's own fixed commands
        [*CADRE, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"cadre {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    env: dict[str, str], port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    server = subprocess.Popen(  # noqa: S603 - this bench's own fixed commands
        [*CADRE, "serve", "--workers", str(workers), "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=out,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                time.sleep(3)  # every worker up, not only the first
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text(errors='replace')[-2000:]}")


_LUA = """
local ids = {}
for line in io.lines("%(ids)s") do ids[#ids + 1] = line end
local headers = {["Authorization"] = "Bearer %(token)s"}
request = function()
  local path = "%(path)s"
  if #ids > 0 and path:find("{id}") then path = path:gsub("{id}", ids[math.random(#ids)]) end
  return wrk.format("GET", path, headers)
end
"""


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    port: int, path: str, token: str, ids: Path, clients: int, seconds: int
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_LUA % {"ids": ids, "token": token, "path": path})
    threads = min(clients, 2)
    out = subprocess.run(  # noqa: S603 - this bench's own fixed commands
        [  # noqa: S607 - Debian's wrk on the PATH
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            f.name,
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(f.name)
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw failed requests:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    return {"rate": rps, "p50": p50, "p99": p99}


def pgbench(url: str, script: str, clients: int, seconds: int) -> dict[str, float]:
    u = make_url(url)
    binary = shutil.which("pgbench") or next(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    with tempfile.TemporaryDirectory() as logs:
        out = subprocess.run(  # noqa: S603 - this bench's own fixed commands
            [
                str(binary),
                "-n",
                "-M",
                "prepared",
                "-c",
                str(clients),
                "-j",
                str(min(clients, 2)),
                "-T",
                str(seconds),
                "-f",
                f.name,
                "-h",
                u.host or "127.0.0.1",
                "-p",
                str(u.port or 5432),
                "-U",
                u.username or "postgres",
                "-l",
                "--log-prefix",
                f"{logs}/tx",
                u.database or "postgres",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise SystemExit(f"pgbench failed:\n{out.stdout}\n{out.stderr}")
        latencies = sorted(
            int(line.split()[2]) / 1000
            for log in Path(logs).glob("tx*")
            for line in log.read_text().splitlines()
        )
    os.unlink(f.name)
    tps = float(re.search(r"tps = ([\d.]+)", out.stdout).group(1))  # type: ignore[union-attr]
    return {"rate": tps, "p50": _quantile(latencies, 0.5), "p99": _quantile(latencies, 0.99)}


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def file_script(persons: int) -> str:
    """What one file read is in SQL: the person, each record table, one audit entry."""
    reads = [f"SELECT * FROM {s.kind} WHERE person_id = :pid;" for s in sections()]
    reads.append(
        f"SELECT e.* FROM {EVENTS} e JOIN party_memberships m ON m.id = e.membership_id "
        "WHERE m.person_id = :pid;"
    )
    if VERIFICATION:
        reads.append("SELECT * FROM identity_verifications WHERE person_id = :pid;")
    return "\n".join(
        [
            f"\\set i random(1, {persons})",
            "SELECT id AS pid FROM bench_ids WHERE n = :i \\gset",
            "BEGIN;",
            "SELECT * FROM persons WHERE id = :pid;",
            *reads,
            "INSERT INTO bench_audit (occurred_at, actor, role, action, object_type, "
            "object_id, fields, outcome) VALUES (now(), 'bench', 'admin', "
            "'persons.read', 'persons', :pid, '[\"file\"]', 'ok');",
            "END;",
            "",
        ]
    )


def list_script() -> str:
    """What a list page is in SQL: the page of persons, one audit entry per person."""
    return "\n".join(
        [
            "BEGIN;",
            f"SELECT * FROM persons WHERE retired_at IS NULL ORDER BY id LIMIT {LIST_PAGE + 1};",
            "INSERT INTO bench_audit (occurred_at, actor, role, action, object_type, "
            "object_id, fields, outcome) SELECT now(), 'bench', 'admin', 'persons.list', "
            f"'persons', g::text, '[]', 'ok' FROM generate_series(1, {LIST_PAGE}) g;",
            "END;",
            "",
        ]
    )


def line(name: str, api: dict[str, float], sql: dict[str, float]) -> None:
    ratio = api["rate"] / sql["rate"]
    print(
        f"{name:<26} API {api['rate']:9,.0f}/s p50 {api['p50']:7.2f} ms p99 {api['p99']:7.2f} ms"
        f" | SQL {sql['rate']:9,.0f}/s p50 {sql['p50']:6.2f} ms p99 {sql['p99']:6.2f} ms"
        f" | ratio {ratio:5.2f}"
    )


def _env(url: str, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CADRE_DATABASE_URL": url,
        "CADRE_VAR_DIR": str(var_dir),
        "CADRE_LOG_LEVEL": "WARNING",
        "CADRE_SCHEDULER_ENABLED": "0",
        "CADRE_AUDIT_SEQUENCE_IN_REQUEST": "0",
    }


@contextmanager
def _ward(args: argparse.Namespace) -> Iterator[tuple[Engine, Path, int, str, Path]]:
    """The demo ward in a fresh database (kept with ``--keep``), or the one kept before
    (``--reuse URL --var-dir DIR``): the demo takes minutes."""
    if args.reuse:
        engine = make_engine(args.reuse)
        var_dir = Path(args.var_dir)
        yield engine, var_dir, *_prepare(engine, _env(args.reuse, var_dir), var_dir)
        engine.dispose()
        return
    with fresh_database(args.database_url, keep=args.keep) as engine:
        var_dir = Path(tempfile.mkdtemp(prefix="cadre-bench-"))
        url = engine.url.render_as_string(hide_password=False)
        env = _env(url, var_dir)
        started = time.perf_counter()
        cadre(env, "demo", "--persons", str(args.persons))
        print(f"demo of {args.persons:,} persons built in {time.perf_counter() - started:.0f} s")
        if args.keep:
            print(f"kept: --reuse {url} --var-dir {var_dir}")
        yield engine, var_dir, *_prepare(engine, env, var_dir)


def _prepare(engine: Engine, env: dict[str, str], var_dir: Path) -> tuple[int, str, Path]:
    """(persons, an admin token, a file of their ids); the ids also in ``bench_ids`` for
    pgbench."""
    token = cadre(env, "token", "create", "--role", "admin", "--name", "bench").split()[-1]
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_ids")
        conn.exec_driver_sql(
            "CREATE TABLE bench_ids AS SELECT row_number() OVER (ORDER BY id) AS n, id "
            "FROM persons WHERE retired_at IS NULL"
        )
        conn.exec_driver_sql("CREATE UNIQUE INDEX ON bench_ids (n)")
        # pgbench's audit entries go to a copy of the pending table (its columns, defaults
        # and indexes): written at the same cost, but not left for the server's sequencer
        # to chain while the API is being measured.
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_audit")
        conn.exec_driver_sql("CREATE TABLE bench_audit (LIKE audit_pending INCLUDING ALL)")
        conn.exec_driver_sql("ANALYZE")
        persons = int(conn.execute(sa.text("SELECT count(*) FROM bench_ids")).scalar_one())
        ids = var_dir / "ids.txt"
        rows = conn.execute(sa.text("SELECT id FROM bench_ids"))
        ids.write_text("\n".join(str(r[0]) for r in rows))
    return persons, token, ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="each load, API then SQL, this many times; the ratio printed is their median",
    )
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true", help="keep the demo database")
    parser.add_argument("--reuse", help="a database kept by --keep")
    parser.add_argument("--var-dir", help="its var directory (keys), printed by --keep")
    args = parser.parse_args()
    with _ward(args) as (engine, var_dir, persons, token, ids):
        url = engine.url.render_as_string(hide_password=False)
        env = _env(url, var_dir)
        port = free_port()
        server = start_server(env, port, args.workers, var_dir / "serve.log")
        file_path, list_path = "/api/v1/persons/{id}", f"/api/v1/persons?limit={LIST_PAGE}"
        loads = {
            f"file read, {args.clients} clients": (file_path, file_script(persons), args.clients),
            "file read, 1 client": (file_path, file_script(persons), 1),
            f"list page, {args.clients} clients": (list_path, list_script(), args.clients),
        }
        results: dict[str, list[Pair]] = {name: [] for name in loads}
        try:
            wrk(port, file_path, token, ids, args.clients, 3)  # warm-up
            # Rounds interleave the API and its SQL, so a slow spell of the machine weighs
            # on both sides of some ratio rather than on one side of all of them.
            for _ in range(args.rounds):
                for name, (path, script, clients) in loads.items():
                    api = wrk(port, path, token, ids, clients, args.seconds)
                    results[name].append((api, pgbench(url, script, clients, args.seconds)))
        finally:
            server.terminate()
            server.wait(timeout=60)
        print(
            f"PostgreSQL, {persons:,} persons, cadre serve --workers {args.workers}, wrk/pgbench,"
            f" {args.rounds} rounds of {args.seconds} s"
        )
        for name, pairs in results.items():
            for api, sql in pairs:
                line(name, api, sql)
            ratios = sorted(api["rate"] / sql["rate"] for api, sql in pairs)
            print(f"{name:<26} median ratio {statistics.median(ratios):5.2f}")
        print("target: file read and list page ≥ 0.30 of their SQL at 16 clients")


if __name__ == "__main__":
    main()
