"""``cadre audit …``: verify the chain, sign a checkpoint, export and verify bundles."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from registry.config import get_settings
from registry.runtime import Runtime

app = typer.Typer(no_args_is_help=True, help="Audit log: verification and evidence.")
console = Console(stderr=True)


def _runtime() -> Runtime:
    return Runtime(get_settings())


@app.command("verify")
def verify() -> None:
    """Check every event and checkpoint, every history version against its event and every
    live row against its latest version; exit 1 naming the first bad event or row."""
    from registry.audit.verify import verify_all

    rt = _runtime()
    with rt.engine.connect() as conn:
        report = verify_all(
            conn,
            public_key_b64=rt.audit.signer.public_key_b64(),
            checkpoint_dir=rt.settings.checkpoints_dir,
        )
    rate = report.events / report.seconds if report.seconds else 0.0
    console.print(
        f"{report.events} events, {report.checkpoints} checkpoints, {report.versions} history "
        f"versions, {report.live_rows} live rows checked in {report.seconds:.2f}s "
        f"({rate:,.0f} events/s)"
    )
    console.print(
        f"{report.sequenced} pending entries chained before the check; "
        f"{report.unsequenced} still pending (written since, verified once chained)"
    )
    if report.last_external_checkpoint is None:
        console.print(f"no checkpoint outside the database; {report.events} events unanchored")
    else:
        console.print(
            f"{report.events_after_external_checkpoint} events newer than the last external "
            f"checkpoint (seq {report.last_external_checkpoint})"
        )
    if not report.ok:
        if report.first_bad_seq is not None:
            console.print(f"[red]FAILED[/red] first bad sequence number: {report.first_bad_seq}")
        if report.first_bad_row is not None:
            console.print(f"[red]FAILED[/red] first bad row: {report.first_bad_row}")
        for problem in report.problems[:20]:
            console.print(f"  - {problem}")
        if len(report.problems) > 20:
            console.print(f"  … and {len(report.problems) - 20} more")
        raise typer.Exit(code=1)
    console.print("[green]chain, checkpoints, history and live rows verify[/green]")


@app.command("checkpoint")
def checkpoint() -> None:
    """Sign the chain's current head now (also done every N events or T minutes)."""
    from registry.audit.chain import checkpoint_now

    rt = _runtime()
    with rt.sessions() as session:
        rt.system_ctx(session, reason="audit checkpoint (CLI)")
        signed = checkpoint_now(session, rt.audit)
        session.commit()
    console.print("chain is empty" if signed is None else f"checkpoint at {signed['seq']}")


@app.command("public-key")
def public_key() -> None:
    """Print the base64 Ed25519 public key that verifies checkpoints and bundles."""
    typer.echo(_runtime().audit.signer.public_key_b64())


@app.command("export")
def export(
    person: Annotated[uuid.UUID, typer.Option(help="person id")],
    out: Annotated[Path, typer.Option(help="bundle file to write")],
) -> None:
    """Write a signed bundle: the person's history, its audit events, the covering checkpoint."""
    from registry.audit.bundle import build_bundle
    from registry.audit.chain import append as audit_append
    from registry.audit.chain import draft

    rt = _runtime()
    with rt.sessions() as session:
        ctx = rt.system_ctx(session, reason="audit export (CLI)")
        bundle = build_bundle(session, rt.audit, person)
        if not bundle["bundle"]["versions"]:
            console.print(f"[red]error:[/red] no recorded history for person {person}")
            raise typer.Exit(code=2)
        audit_append(
            session,
            [
                draft(
                    actor=ctx.principal.subject,
                    role="admin",
                    action="persons.export",
                    object_type="persons",
                    object_id=str(person),
                    fields=["history", "audit_events"],
                )
            ],
        )
        session.commit()
    out.write_text(json.dumps(bundle, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(f"bundle written to {out}")


@app.command("verify-bundle")
def verify_bundle_cmd(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    public_key: Annotated[
        str | None, typer.Option(help="base64 Ed25519 public key; default: this installation's")
    ] = None,
) -> None:
    """Check a bundle offline with only the public key."""
    from registry.audit.bundle import verify_bundle

    key = public_key or _runtime().audit.signer.public_key_b64()
    try:
        doc = json.loads(file.read_text("utf-8"))
    except ValueError:
        console.print("[red]FAILED[/red] not JSON")
        raise typer.Exit(code=1) from None
    problems = verify_bundle(doc, key) if isinstance(doc, dict) else ["not a bundle"]
    if problems:
        console.print("[red]FAILED[/red]")
        for p in problems:
            console.print(f"  - {p}")
        raise typer.Exit(code=1)
    console.print("[green]bundle verifies[/green]")
