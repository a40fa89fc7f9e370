"""``cadre standards evaluate``: evaluate every post now."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console

from registry.config import get_settings
from registry.runtime import Runtime

app = typer.Typer(no_args_is_help=True, help="Position standards and shortfall alerts.")
console = Console(stderr=True)


@app.command("evaluate")
def evaluate(
    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today")] = None,
) -> None:
    """Evaluate every post against the standard in force and update the alerts."""
    from registry.alerts.service import run_full

    day = dt.date.fromisoformat(on) if on else None
    rt = Runtime(get_settings())
    with rt.sessions() as session:
        rt.system_ctx(session, reason="cadre standards evaluate")
        counts = run_full(session, on=day)
        session.commit()
    console.print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no findings")


def _vn(day: dt.date | None) -> str:
    return "—" if day is None else day.strftime("%d/%m/%Y")


@app.command("params")
def params(
    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today")] = None,
) -> None:
    """The rule parameters in force on a date: value, unit, source, and the version (or
    "default" when no version was recorded)."""
    from registry.dates import today
    from registry.standards.parameters import SPECS, in_force

    day = dt.date.fromisoformat(on) if on else today()
    rt = Runtime(get_settings())
    with rt.sessions() as session:
        got = in_force(session, day)
    out = Console()
    out.print(f"Tham số quy tắc có hiệu lực ngày {_vn(day)}")
    for key, spec in SPECS.items():
        value = got.values[key]
        shown = _vn(value) if isinstance(value, dt.date) else f"{value} {spec.unit}"
        out.print(f"{key:<40} {shown:<18} {spec.label_vi} — {spec.source} [{got.versions[key]}]")


@app.command("params-seed")
def params_seed(
    effective_from: Annotated[str, typer.Option(help="YYYY-MM-DD the seeded versions start")] = (
        "2025-07-01"
    ),
) -> None:
    """Record the declared defaults as versions (audited, in the history), for every key
    with no version yet: an administrator then changes them through /rule-parameters."""
    import sqlalchemy as sa

    from registry.standards.models import RuleParameter
    from registry.standards.parameters import SPECS

    start = dt.date.fromisoformat(effective_from)
    rt = Runtime(get_settings())
    with rt.sessions() as session:
        rt.system_ctx(session, reason="cadre standards params-seed")
        have = set(session.scalars(sa.select(RuleParameter.key)))
        added = [
            RuleParameter(key=k, value=s.default, source=s.source, effective_from=start)
            for k, s in SPECS.items()
            if k not in have
        ]
        session.add_all(added)
        session.commit()
    console.print(f"seeded {len(added)} rule parameters from {_vn(start)}")


@app.command("party-checks")
def party_checks(
    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today")] = None,
) -> None:
    """Party cells whose registers are overdue for their six-monthly reconciliation."""
    from registry.dates import today
    from registry.party.checks import reconciliation_overdue

    day = dt.date.fromisoformat(on) if on else today()
    rt = Runtime(get_settings())
    with rt.sessions() as session:
        overdue = reconciliation_overdue(session, on=day)
    out = Console()
    if not overdue:
        out.print(f"Không có chi bộ quá hạn đối chiếu sổ đảng viên ({_vn(day)})")
    for o in overdue:
        out.print(
            f"{o.code:<12} {o.name:<40} {o.members:>5} đảng viên, "
            f"đối chiếu lần cuối {_vn(o.last_reconciled_on)} (chu kỳ {o.months} tháng)"
        )
