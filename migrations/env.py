"""Alembic environment: the URL comes from the caller's connection or from Settings (the
schema owner's, CADRE_MIGRATION_DATABASE_URL, when set)."""

from __future__ import annotations

from alembic import context

from registry.config import get_settings
from registry.db import make_engine
from registry.wiring import metadata

target_metadata = metadata()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or (
        get_settings().resolved_migration_database_url()
    )
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run against a database")
run_migrations_online()
