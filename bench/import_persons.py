"""Benchmark: CSV import of persons vs a raw COPY (or executemany) of the same rows.

    .venv/bin/python bench/import_persons.py --rows 100000
    .venv/bin/python bench/import_persons.py --rows 20000 --sqlite

Generates N demo persons into a CSV and imports it with
``registry.persons.importer.import_csv`` into a fresh database (PostgreSQL: a uniquely named
database, dropped at the end). Then, in the same run, it writes the very rows the import
stored (same columns, values already encrypted and indexed) into a plain table of the same
shape — same columns, keys and indexes, no foreign key, no history — with a raw psycopg binary
COPY (SQLite: ``executemany``), and prints rows/s of both and their ratio.

It also writes everything the import wrote (persons, provenance, history, audit events) the
same raw way: the floor for any importer that keeps history and audit in the same transaction.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import resource
import secrets
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry import migrate
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.db import make_engine
from registry.demo.people import person
from registry.models import Base
from registry.org_units.service import create_org_unit
from registry.persons.bulk import PERSON_COLUMNS, PROVENANCE_COLUMNS
from registry.persons.bulk_copy import VERSION_COLUMNS, pg_type_names
from registry.persons.importer import HEADER, import_csv
from registry.runtime import Runtime
from schemas.org_units import OrgUnitCreate

ORG_CODE = "BENCH-CB1"
EVENT_COLUMNS = tuple(c.key for c in Base.metadata.tables["audit_events"].columns)
WRITTEN = (
    ("persons", PERSON_COLUMNS),
    ("provenance", PROVENANCE_COLUMNS),
    ("record_versions", VERSION_COLUMNS),
    ("audit_events", EVENT_COLUMNS),
)


@dataclass
class Table:
    """Rows read back from one table the import wrote, ready to write again raw."""

    name: str
    columns: Sequence[str]
    rows: list[tuple[Any, ...]]


def write_csv(path: Path, rows: int, seed: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(rows):
            p = person(seed, i, role="resident")
            names = (p.family_name, p.middle_name, p.given_name)
            codes = (p.ethnicity_code, p.religion_code, ORG_CODE)
            out.writerow((p.nid, *names, p.birth_date, p.sex, *codes))


def runtime_for(url: str, var_dir: Path) -> Runtime:
    keys = StaticKeyProvider(
        keys={"k1": secrets.token_bytes(32)}, current="k1", index_key=secrets.token_bytes(32)
    )
    rt = Runtime(Settings(var_dir=var_dir, database_url=url), keys=keys)
    migrate.upgrade(rt.engine)
    with rt.sessions.begin() as session:
        ctx = rt.system_ctx(session, reason="benchmark setup")
        unit = OrgUnitCreate(code=ORG_CODE, name="Chi bộ Khu dân cư số 1", kind="party_cell")
        create_org_unit(session, ctx, unit)
    return rt


@contextmanager
def fresh_postgres(admin_url: str) -> Iterator[str]:
    name = f"cadre_bench_{secrets.token_hex(4)}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def libpq_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_read(url: str) -> list[Table]:
    """The rows as stored; JSON as its text, so writing it again costs no serialisation."""
    tables = []
    with psycopg.connect(libpq_dsn(url)) as conn:
        for name, columns in WRITTEN:
            types = pg_type_names(Base.metadata.tables[name], columns)
            select = ", ".join(
                f"{c}::text" if t == "json" else c for c, t in zip(columns, types, strict=True)
            )
            rows = conn.execute(f"SELECT {select} FROM {name}").fetchall()
            tables.append(Table(name, columns, rows))
    return tables


def pg_raw_copy(url: str, tables: Sequence[Table]) -> float:
    """Binary COPY of ``tables`` into plain copies, in one transaction; seconds taken."""
    with psycopg.connect(libpq_dsn(url)) as conn:
        for t in tables:
            conn.execute(
                sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                    sql.Identifier(f"raw_{t.name}"), sql.Identifier(t.name)
                )
            )
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cur:
            for t in tables:
                types = pg_type_names(Base.metadata.tables[t.name], tuple(t.columns))
                stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
                    sql.Identifier(f"raw_{t.name}"),
                    sql.SQL(", ").join(map(sql.Identifier, t.columns)),
                )
                with cur.copy(stmt) as copy:
                    # The stored JSON text goes in as it is (json's binary form is its text).
                    copy.set_types(["text" if ty == "json" else ty for ty in types])
                    for row in t.rows:
                        copy.write_row(row)
        conn.commit()
        elapsed = time.perf_counter() - start
        for t in tables:
            conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(f"raw_{t.name}")))
        return elapsed


def sqlite_read(path: Path) -> list[Table]:
    with sqlite3.connect(path) as conn:
        return [
            Table(
                name, columns, conn.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall()
            )
            for name, columns in WRITTEN
        ]


def _sqlite_plain_copy(conn: sqlite3.Connection, name: str) -> None:
    """Same columns, keys and indexes as ``name``, without foreign keys."""
    ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
    ddl = re.sub(r",\s*CONSTRAINT \w+ FOREIGN KEY\([^)]*\) REFERENCES \w+ \([^)]*\)", "", ddl)
    conn.execute(ddl.replace(f"CREATE TABLE {name}", f"CREATE TABLE raw_{name}", 1))
    indexes = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (name,),
    ).fetchall()
    for (index_sql,) in indexes:
        renamed = re.sub(r"INDEX (\w+) ON (\w+)", rf"INDEX raw_\1 ON raw_{name}", index_sql)
        conn.execute(renamed)


def sqlite_raw_insert(path: Path, tables: Sequence[Table]) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for t in tables:
            _sqlite_plain_copy(conn, t.name)
        start = time.perf_counter()
        conn.execute("BEGIN")
        for t in tables:
            marks = ", ".join("?" for _ in t.columns)
            conn.executemany(
                f"INSERT INTO raw_{t.name} ({', '.join(t.columns)}) VALUES ({marks})", t.rows
            )
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        for t in tables:
            conn.execute(f"DROP TABLE raw_{t.name}")
        return elapsed
    finally:
        conn.close()


def rate(rows: int, seconds: float) -> str:
    return f"{rows:>9,} rows in {seconds:7.2f} s = {rows / seconds:>9,.0f} rows/s"


def run_import(rt: Runtime, csv_path: Path, work: Path) -> tuple[int, float]:
    before = peak_rss_mb()
    start = time.perf_counter()
    result = import_csv(rt, csv_path, report_path=work / "rejected.csv", show_progress=False)
    took = time.perf_counter() - start
    if result.rejected:
        raise SystemExit(f"{result.rejected} rows rejected: the benchmark data should be valid")
    # Peak resident memory of this process (whatever it held before the import included)
    # and of the largest checking process the import forked, which has ended by now.
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"memory    peak RSS {peak_rss_mb():.0f} MB in the importing process"
        f" ({before:.0f} MB before the import), {children:.0f} MB in a checking process"
    )
    return result.imported, took


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def report(
    imported: int, took: float, raw: float, floor: float, tables: Sequence[Table], how: str
) -> None:
    written = sum(len(t.rows) for t in tables)
    print(f"import    {rate(imported, took)}  (validate, encrypt, provenance, history)")
    print(f"raw       {rate(imported, raw)}  ({how} of the stored person rows, no history)")
    print(f"ratio     import / raw = {raw / took:.2f}   (target >= 0.20)")
    print(
        f"floor     {rate(imported, floor)}  ({how} of all {written:,} rows the import wrote:"
        " persons, provenance, history, audit events)"
    )
    print(f"          import / floor = {floor / took:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--database-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server to create the throw-away database on",
    )
    parser.add_argument("--sqlite", action="store_true", help="benchmark SQLite instead")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cadre-bench-") as tmp:
        work = Path(tmp)
        csv_path = work / "persons.csv"
        write_csv(csv_path, args.rows, args.seed)
        size_mb = csv_path.stat().st_size / 1e6
        print(f"rows      {args.rows:,} demo persons, CSV {size_mb:.1f} MB")
        # Shared machines skew both sides; the load says how much else was running.
        print(f"machine   {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        if args.sqlite:
            db_path = work / "bench.db"
            rt = runtime_for(f"sqlite+pysqlite:///{db_path}", work / "var")
            print(f"backend   SQLite {sqlite3.sqlite_version} (file in {tmp})")
            imported, took = run_import(rt, csv_path, work)
            rt.engine.dispose()
            tables = sqlite_read(db_path)
            raw = sqlite_raw_insert(db_path, tables[:1])
            floor = sqlite_raw_insert(db_path, tables)
            report(imported, took, raw, floor, tables, "executemany")
            return
        with fresh_postgres(args.database_url) as url:
            rt = runtime_for(url, work / "var")
            print(f"backend   PostgreSQL, throw-away database {make_url(url).database}")
            imported, took = run_import(rt, csv_path, work)
            rt.engine.dispose()
            tables = pg_read(url)
            raw = pg_raw_copy(url, tables[:1])
            floor = pg_raw_copy(url, tables)
            report(imported, took, raw, floor, tables, "binary COPY")
        print("dropped the throw-away database")


if __name__ == "__main__":
    main()
