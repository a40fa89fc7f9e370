"""Real databases for every integration and API test: SQLite always, PostgreSQL when
``CADRE_TEST_DATABASE_URL`` is set (and in CI it must be). Each backend gets a fresh database
built by the migrations; each test runs inside a transaction that is rolled back."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from registry import migrate
from registry.app import create_app
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.db import make_engine
from registry.runtime import Runtime
from registry.wiring import install

PG_URL = os.environ.get("CADRE_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("CI") and not PG_URL:
        raise pytest.UsageError("CI must run the PostgreSQL backend: set CADRE_TEST_DATABASE_URL")
    install()  # the suite is wired like every edge: the outbox hears of history


def _fresh_pg_database() -> tuple[str, str]:
    base = make_url(PG_URL)
    name = f"cadre_t_{secrets.token_hex(4)}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), name


def _drop_pg_database(name: str) -> None:
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@contextmanager
def migrated_engine(backend: str, sqlite_path: Path) -> Iterator[Engine]:
    """A fresh database of ``backend`` built by the migrations, dropped afterwards."""
    if backend == "sqlite":
        eng = make_engine(f"sqlite+pysqlite:///{sqlite_path}")
        migrate.upgrade(eng)
        yield eng
        eng.dispose()
        return
    url, name = _fresh_pg_database()
    eng = make_engine(url)
    migrate.upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()
        _drop_pg_database(name)


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    with migrated_engine(request.param, tmp_path_factory.mktemp("db") / "cadre.db") as eng:
        yield eng


@pytest.fixture
def connection(engine: Engine) -> Iterator[sa.Connection]:
    conn = engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture
def sessions(connection: sa.Connection) -> sessionmaker[Session]:
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture(scope="session")
def keys() -> StaticKeyProvider:
    return StaticKeyProvider(
        keys={"k1": secrets.token_bytes(32)}, current="k1", index_key=secrets.token_bytes(32)
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", database_url="sqlite://")


@pytest.fixture
def runtime(settings: Settings, keys: StaticKeyProvider, connection: sa.Connection) -> Runtime:
    return Runtime(settings, keys=keys, engine_override=connection)  # type: ignore[arg-type]


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as s:
        yield s


@pytest.fixture
def client(
    settings: Settings, sessions: sessionmaker[Session], keys: StaticKeyProvider
) -> Iterator[TestClient]:
    app = create_app(settings, sessions=sessions, keys=keys)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def new_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture(params=BACKENDS)
def committed_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated database whose commits are real (for concurrency and at-rest tests)."""
    with migrated_engine(request.param, tmp_path / "committed.db") as eng:
        yield eng
