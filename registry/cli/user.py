"""``cadre user …``: accounts for the review pages."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from registry.config import get_settings
from registry.errors import RegistryError
from registry.runtime import Runtime

app = typer.Typer(no_args_is_help=True, help="People who sign in to the review pages.")
console = Console(stderr=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line: the trailing newline is the end of input, not part of the password.
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@app.command("create")
def user_create(
    username: Annotated[str, typer.Option(help="lower-case sign-in name")],
    role: Annotated[str, typer.Option(help="admin | officer | auditor")],
    org: Annotated[str | None, typer.Option(help="org unit code the user is scoped to")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Create a user; the password is prompted for twice (or read from standard input)."""
    from registry.users.service import create_user

    password = _read_password(password_stdin)
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    rt = Runtime(settings)
    with rt.sessions.begin() as session:
        rt.system_ctx(session, reason=f"user create ({role})")
        try:
            user = create_user(
                session, username=username, password=password, role=role, org_code=org
            )
        except RegistryError as exc:
            console.print(f"[red]error:[/red] {exc.message}")
            raise typer.Exit(code=2) from None
        typer.echo(str(user.id))


@app.command("one-time")
def user_one_time(
    username: Annotated[str, typer.Option(help="the account whose password was forgotten")],
) -> None:
    """Print a one-time password for an existing account (as its last line); the user must
    choose their own at the next sign-in, and the account's open sessions end."""
    from registry.dates import utcnow
    from registry.users.service import reset_one_time

    settings = get_settings()
    rt = Runtime(settings)
    with rt.sessions.begin() as session:
        rt.system_ctx(session, reason="user one-time password (forgotten password)")
        try:
            password = reset_one_time(session, username=username, now=utcnow())
        except RegistryError as exc:
            console.print(f"[red]error:[/red] {exc.message}")
            raise typer.Exit(code=2) from None
    console.print("one-time password (to be changed at the next sign-in):")
    typer.echo(password)
