"""The ``cadre`` command."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from registry.cli import demo as cli_demo
from registry.cli import serve as cli_serve
from registry.cli import sync as cli_sync
from registry.cli.audit import app as audit_app
from registry.cli.common import console, fail, runtime
from registry.cli.imports import app as import_app
from registry.cli.keys import app as keys_app
from registry.cli.report import app as report_app
from registry.cli.standards import app as standards_app
from registry.cli.sync import app as sync_app
from registry.cli.token import app as token_app
from registry.cli.user import app as user_app
from registry.config import get_settings
from registry.db import make_engine
from registry.errors import RegistryError

app = typer.Typer(no_args_is_help=True, help="Ward cadre and party-member registry.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
org_app = typer.Typer(no_args_is_help=True, help="Org units.")
app.add_typer(db_app, name="db")
app.add_typer(org_app, name="org")
app.add_typer(token_app, name="token")
app.add_typer(import_app, name="import")
app.add_typer(audit_app, name="audit")
app.add_typer(sync_app, name="sync")
app.add_typer(standards_app, name="standards")
app.add_typer(user_app, name="user")
app.add_typer(report_app, name="report")
app.add_typer(keys_app, name="keys")
app.command("worker")(cli_sync.worker)
app.command("simulate")(cli_sync.simulate)
app.command("serve")(cli_serve.serve)
app.command("demo")(cli_demo.demo)

_runtime = runtime
_fail = fail


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration up to head."""
    from registry import migrate

    # The schema owner migrates (CADRE_MIGRATION_DATABASE_URL), not the application's role.
    engine = _migration_engine()
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    console.print("database at head")


@db_app.command("grant-app-role")
def db_grant_app_role(
    role: Annotated[str, typer.Option(help="the PostgreSQL role the application logs in as")],
) -> None:
    """PostgreSQL: let ROLE read and write the registry but only append to the audit,
    checkpoint and history tables. Run as the owner after every upgrade."""
    from registry import migrate

    engine = _migration_engine()
    try:
        migrate.grant_app_role(engine, role)
    except migrate.RoleRefused as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from None
    finally:
        engine.dispose()
    console.print(f"role {role} may append to the evidence tables, not rewrite them")


def _migration_engine() -> Engine:
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.resolved_migration_database_url())


@db_app.command("check")
def db_check() -> None:
    """Fail if the models and the migration history disagree."""
    from registry import migrate

    migrate.check(_runtime().engine)


@org_app.command("create")
def org_create(
    code: Annotated[str, typer.Option(help="unique org unit code")],
    name: Annotated[str, typer.Option()],
    kind: Annotated[str, typer.Option(help="party_committee, party_cell, …")],
    parent: Annotated[str | None, typer.Option(help="parent org unit code")] = None,
) -> None:
    """Create an org unit (how an empty registry gets its first one)."""
    from pydantic import ValidationError

    from registry.org_units.service import create_org_unit, find_by_code
    from schemas.org_units import OrgUnitCreate

    rt = _runtime()
    with rt.sessions.begin() as session:
        ctx = rt.system_ctx(session, reason="org create (CLI)")
        parent_id = None
        if parent:
            found = find_by_code(session, parent)
            if found is None:
                raise _fail(RegistryError(f"parent org unit {parent!r} not found"))
            parent_id = found.id
        try:
            data = OrgUnitCreate.model_validate(
                {"code": code, "name": name, "kind": kind, "parent_id": parent_id}
            )
        except ValidationError as exc:
            console.print(
                f"[red]error:[/red] {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}"
            )
            raise typer.Exit(code=2) from None
        try:
            unit = create_org_unit(session, ctx, data)
        except RegistryError as exc:
            raise _fail(exc) from None
        typer.echo(str(unit.id))
