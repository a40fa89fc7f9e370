"""Runs Alembic from code (CLI, tests) on a given engine connection, and grants the
application's PostgreSQL role what it may do once the owner has migrated."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def check(engine: Engine) -> None:
    """Raise if the models and the migration history disagree."""
    cfg = alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.check(cfg)


# Evidence: the application appends and reads, never rewrites. The head row moves with every
# append, so it may be updated, but not deleted or emptied.
APPEND_ONLY = ("audit_events", "audit_checkpoints", "record_versions")
HEAD = "audit_head"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleRefused(ValueError):
    """The role named cannot serve as the application's role."""


def grant_app_role(engine: Engine, role: str) -> None:
    """Give ``role`` (an existing PostgreSQL role that owns nothing and is no superuser)
    read and write on the ordinary tables, INSERT and SELECT only on the evidence tables,
    no DELETE on the versioned tables (nothing deletes their rows: DELETE retires, and
    ``cadre audit verify`` counts a vanished row as tampering), and nothing on Alembic's
    table. Idempotent: run it again after every upgrade so new tables are covered. Run as
    the schema owner."""
    if engine.dialect.name != "postgresql":
        raise RoleRefused("roles exist only on PostgreSQL")
    if not _ROLE_NAME.match(role):
        raise RoleRefused(f"not a plain role name: {role!r}")
    with engine.begin() as conn:
        _refuse_powerful(conn, role)
        q, schema = f'"{role}"', _schema(conn)
        evidence = ", ".join(APPEND_ONLY)
        versioned = ", ".join(_versioned_tables(conn))
        for statement in (
            f"GRANT USAGE ON SCHEMA {schema} TO {q}",
            # TRUNCATE, TRIGGER and REFERENCES are never granted; ownership stays elsewhere.
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {q}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {q}",
            f"REVOKE UPDATE, DELETE ON {evidence} FROM {q}",
            f"REVOKE DELETE ON {HEAD} FROM {q}",
            *([f"REVOKE DELETE ON {versioned} FROM {q}"] if versioned else []),
            f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {q}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {q}",
        ):
            conn.exec_driver_sql(statement)


def _versioned_tables(conn: sa.Connection) -> list[str]:
    """The versioned tables (``registry.audit.verify_content.versioned_tables``) that exist
    in the current schema, quoted."""
    from registry.audit.verify_content import versioned_tables

    present = set(
        conn.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).scalars()
    )
    return [f'"{t.name}"' for t in versioned_tables() if t.name in present]


def _schema(conn: sa.Connection) -> str:
    name = conn.exec_driver_sql("SELECT current_schema()").scalar()
    return f'"{name}"'


def _refuse_powerful(conn: sa.Connection, role: str) -> None:
    """A superuser, an owner of the evidence tables or a member of the owner's role could
    switch the append-only triggers off: such a role cannot be the application's."""
    found = conn.execute(
        sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).first()
    if found is None:
        raise RoleRefused(f"role {role} does not exist: CREATE ROLE {role} LOGIN first")
    if found.rolsuper:
        raise RoleRefused(f"role {role} is a superuser")
    owner = conn.execute(
        sa.text(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events' "
            "AND schemaname = current_schema()"
        )
    ).scalar()
    if owner is None:
        raise RoleRefused("the schema is not migrated: run `cadre db upgrade` first")
    if conn.execute(
        sa.text("SELECT pg_has_role(:r, :o, 'MEMBER')"), {"r": role, "o": owner}
    ).scalar():
        raise RoleRefused(f"role {role} is (or belongs to) {owner}, the owner of the tables")
