"""What every ``cadre`` command shares: the runtime, the error console and the failure exit."""

from __future__ import annotations

import typer
from rich.console import Console

from registry.config import get_settings
from registry.errors import RegistryError
from registry.runtime import Runtime

console = Console(stderr=True)


def runtime() -> Runtime:
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return Runtime(settings)


def fail(exc: RegistryError) -> typer.Exit:
    console.print(f"[red]error:[/red] {exc.message}")
    return typer.Exit(code=2)
