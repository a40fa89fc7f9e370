"""`cadre demo`: the demo ward."""

from __future__ import annotations

from typing import Annotated

import typer

from registry.cli.common import console, fail, runtime
from registry.errors import RegistryError


def demo(
    persons: Annotated[int | None, typer.Option(help="scale the generator to N persons")] = None,
    seed: Annotated[int, typer.Option()] = 2025,
    if_empty: Annotated[bool, typer.Option(help="do nothing when persons exist")] = False,
) -> None:
    """Build the demo ward (deterministic from the seed)."""
    from registry.demo.generator import build_demo, registry_is_empty

    rt = runtime()
    with rt.sessions() as session:
        if if_empty and not registry_is_empty(session):
            console.print("registry already has data; demo skipped")
            return
    try:
        summary = build_demo(rt, persons=persons, seed=seed, progress=console)
    except RegistryError as exc:
        raise fail(exc) from None
    console.print(summary)
    from registry.demo.standards import first_evaluation, needs_standards, seed_standards

    with rt.sessions.begin() as session:
        if needs_standards(session):
            ctx = rt.system_ctx(session, reason="demo ward: standard profiles", source="demo")
            posts = seed_standards(session, ctx)
            rt.system_ctx(session, reason="demo ward: first evaluation", source="demo")
            console.print(
                f"standard profiles on {posts} posts; {first_evaluation(session)} findings"
            )
