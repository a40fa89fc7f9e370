"""Who did what to an alert and when, read from its recorded versions (each state change is
an ordinary versioned update: actor, instant and reason are in the history)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.history import RecordVersion
from registry.web.render import person_of


@dataclass(frozen=True)
class Step:
    action: str  # i18n key: act_opened, act_acknowledged, …
    by: str  # a user's name, or "" for the registry itself (a run, a job)
    at: dt.datetime
    detail: str = ""


BY_THE_RULES = ("act_opened", "act_resolved", "act_reopened")


def _action(before: dict[str, object] | None, after: dict[str, object]) -> tuple[str, str]:
    if before is None:
        return "act_opened", ""
    old, new = before.get("status"), after.get("status")
    if old != new:
        if new == "open" and old in ("resolved", "waived"):
            return "act_reopened", ""
        if new == "waived":
            return "act_waived", str(after.get("waived_reason") or "")
        return f"act_{new}", ""
    if before.get("assigned_to") != after.get("assigned_to"):
        return "act_assigned", str(after.get("assigned_to") or "")
    return "act_changed", ""


def _who(actor: str) -> str:
    """People by their name; the registry's own runs and jobs as "" (shown as "system")."""
    if actor.startswith(("user:", "cli:")):
        return person_of(actor)
    return ""


def history(session: Session, alert_id: uuid.UUID) -> list[Step]:
    versions = session.execute(
        sa.select(RecordVersion.data, RecordVersion.actor, RecordVersion.recorded_at)
        .where(RecordVersion.table_name == "alerts", RecordVersion.row_id == alert_id)
        .order_by(RecordVersion.seq)
    ).all()
    steps: list[Step] = []
    before: dict[str, object] | None = None
    for data, actor, at in versions:
        action, detail = _action(before, data)
        # An evaluation run opens, resolves and reopens alerts, whoever started it.
        who = "" if action in BY_THE_RULES else _who(actor)
        if action != "act_changed" or who:
            steps.append(Step(action, who, at, detail))
        before = data
    return steps
