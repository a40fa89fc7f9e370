"""Throw-away databases for benchmarks: a fresh migrated PostgreSQL database or SQLite file."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from registry import migrate
from registry.db import make_engine

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def fresh_database(
    url: str | None, *, sqlite: bool = False, keep: bool = False
) -> Iterator[Engine]:
    if sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite+pysqlite:///{Path(tmp) / 'bench.db'}")
            migrate.upgrade(engine)
            yield engine
            engine.dispose()
        return
    base = make_url(url or DEFAULT_PG)
    name = f"cadre_bench_{secrets.token_hex(4)}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        if not keep:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
