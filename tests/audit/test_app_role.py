"""PostgreSQL: the application's role (granted by `grant_app_role`) appends to and reads the
evidence tables but cannot rewrite them, empty them or switch their triggers off, nor delete
a row of a versioned table."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from registry import migrate
from registry.db import make_engine
from tests.conftest import PG_URL

# Only where a PostgreSQL server is configured (CI always has one); not run on SQLite at all.
pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="CADRE_TEST_DATABASE_URL is not set"),
    pytest.mark.parametrize("engine", ["postgresql"], indirect=True),
]

REFUSED = [
    "UPDATE audit_events SET actor = 'x'",
    "DELETE FROM audit_events",
    "TRUNCATE audit_events",
    "UPDATE audit_checkpoints SET signature = 'x'",
    "DELETE FROM audit_checkpoints",
    "TRUNCATE audit_checkpoints",
    "DELETE FROM audit_head",
    "TRUNCATE audit_head",
    "UPDATE record_versions SET reason = 'x'",
    "DELETE FROM record_versions",
    "TRUNCATE record_versions",
    "SET session_replication_role = replica",
    "ALTER TABLE record_versions DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_events_append_only ON audit_events",
    "UPDATE alembic_version SET version_num = 'x'",
    # Versioned rows are retired, never deleted: a vanished row is tampering.
    "DELETE FROM disciplines",
    "DELETE FROM persons",
    "DELETE FROM org_units",
    "DELETE FROM alert_comments",
]
ALLOWED = [
    "SELECT count(*) FROM audit_events",
    "SELECT count(*) FROM record_versions",
    "UPDATE audit_head SET seq = seq",  # the head moves with every append
    "INSERT INTO audit_checkpoints (seq, head_hash, created_at, key_id, signature) "
    "VALUES (-1, 'h', now(), 'k', 's')",
    "UPDATE persons SET version = version",
]


@pytest.fixture
def app_engine(engine: Engine) -> Iterator[Engine]:
    role = f"cadre_app_{secrets.token_hex(4)}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
    migrate.grant_app_role(engine, role)
    app = make_engine(make_url(engine.url).set(username=role, password=None).render_as_string())
    try:
        yield app
    finally:
        app.dispose()
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")


@pytest.mark.parametrize("statement", REFUSED)
def test_the_app_role_cannot_rewrite_evidence(app_engine: Engine, statement: str) -> None:
    with app_engine.connect() as conn:
        with pytest.raises(sa.exc.DBAPIError) as refused:
            conn.exec_driver_sql(statement)
        conn.rollback()
    assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege), refused.value


def test_the_app_role_can_do_its_work(app_engine: Engine) -> None:
    with app_engine.connect() as conn:
        for statement in ALLOWED:
            conn.exec_driver_sql(statement)
        conn.rollback()


def test_no_versioned_table_grants_delete(app_engine: Engine) -> None:
    from registry.audit.verify_content import versioned_tables

    role = app_engine.url.username
    with app_engine.connect() as conn:
        for table in versioned_tables():
            held = conn.execute(
                sa.text("SELECT has_table_privilege(:r, :t, 'DELETE')"),
                {"r": role, "t": table.name},
            ).scalar()
            assert held is False, table.name


def test_a_superuser_or_the_owner_is_refused_as_app_role(engine: Engine) -> None:
    with engine.connect() as conn:
        me = str(conn.exec_driver_sql("SELECT current_user").scalar())
    with pytest.raises(migrate.RoleRefused):
        migrate.grant_app_role(engine, me)
