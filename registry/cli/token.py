"""`cadre token`: API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from registry.cli.common import fail, runtime
from registry.errors import RegistryError

app = typer.Typer(no_args_is_help=True, help="API tokens.")


@app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="admin | officer | auditor | service")],
    org: Annotated[str | None, typer.Option(help="org unit code the token is scoped to")] = None,
    name: Annotated[str, typer.Option(help="who or what holds the token")] = "cli",
    lookups_per_minute: Annotated[
        int | None,
        typer.Option(
            help="exact identification-number lookups a minute "
            "(default: CADRE_API_LOOKUPS_PER_MINUTE, 6000)"
        ),
    ] = None,
) -> None:
    """Create an API token; it is printed once, as the last line, and stored only as a hash."""
    from registry.access.service import create_token

    rt = runtime()
    with rt.sessions.begin() as session:
        rt.system_ctx(session, reason=f"token create ({role})")
        try:
            token = create_token(
                session,
                role=role,
                org_code=org,
                name=name,
                lookups_per_minute=lookups_per_minute,
            )
        except RegistryError as exc:
            raise fail(exc) from None
    typer.echo(token)
