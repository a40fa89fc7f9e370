"""Carrying findings through review: one active alert per (rule, subject), resolved when the
data satisfies the rule, waived with a reason and an expiry, reopened when the waiver ends."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.scope import require_writable
from registry.alerts.models import ACTIVE, Alert, AlertComment
from registry.context import Ctx
from registry.dates import today, utcnow
from registry.errors import Conflict, Forbidden, Invalid
from registry.history import get_actor, set_actor
from registry.standards.engine import evaluate
from registry.standards.findings import Finding


def reconcile(
    session: Session,
    findings: list[Finding],
    *,
    on: dt.date,
    person_ids: set[uuid.UUID] | None = None,
) -> Counter[str]:
    """Make the active alerts match ``findings``. With ``person_ids`` only those people's
    alerts are in question (an incremental re-evaluation)."""
    counts: Counter[str] = Counter()
    stmt = sa.select(Alert).where(Alert.status.in_(ACTIVE))
    if person_ids is not None:
        stmt = stmt.where(Alert.person_id.in_(list(person_ids)))
    active = {a.active_key: a for a in session.scalars(stmt)}
    now = utcnow()
    for f in findings:
        alert = active.pop(f.key, None)
        if alert is None:
            session.add(
                Alert(
                    rule=f.rule,
                    person_id=f.person_id,
                    position_id=f.position_id,
                    org_unit_id=f.org_unit_id,
                    status="open",
                    active_key=f.key,
                    details=f.details(),
                    since=f.since,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
            counts["opened"] += 1
            continue
        if alert.details != f.details():
            alert.details = f.details()
        alert.last_seen_at = now
        if alert.status == "waived" and alert.waived_until is not None and alert.waived_until < on:
            alert.status, alert.waived_reason, alert.waived_until = "open", None, None
            counts["reopened"] += 1
    for alert in active.values():  # the data now satisfies the rule
        alert.status, alert.active_key, alert.resolved_at = "resolved", None, now
        counts["resolved"] += 1
    session.flush()
    return counts


def run_full(session: Session, *, on: dt.date | None = None) -> Counter[str]:
    day = on or today()
    findings = evaluate(session, on=day)
    counts = reconcile(session, findings, on=day)
    counts["findings"] = len(findings)
    return counts


def reevaluate_people(session: Session, person_ids: set[uuid.UUID]) -> Counter[str]:
    """Called in the same request as a change to these people's records."""
    if not person_ids:
        return Counter()
    day = today()
    return reconcile(
        session, evaluate(session, on=day, person_ids=person_ids), on=day, person_ids=person_ids
    )


def _writable(session: Session, ctx: Ctx, alert_id: uuid.UUID) -> Alert:
    if ctx.principal.role not in ("admin", "officer"):
        raise Forbidden("only administrators and officers act on alerts")
    return require_writable(session, Alert, alert_id, ctx.principal)


def acknowledge(session: Session, ctx: Ctx, alert_id: uuid.UUID) -> Alert:
    alert = _writable(session, ctx, alert_id)
    if alert.status != "open":
        raise Conflict(f"only an open alert can be acknowledged (this one is {alert.status})")
    alert.status = "acknowledged"
    session.flush()
    return alert


def waive(session: Session, ctx: Ctx, alert_id: uuid.UUID, *, reason: str, until: dt.date) -> Alert:
    if not reason.strip():
        raise Invalid.field("body.reason", "a waiver needs a reason")
    if until <= today():
        raise Invalid.field("body.until", "a waiver must expire in the future")
    alert = _writable(session, ctx, alert_id)
    if alert.status not in ("open", "acknowledged"):
        raise Conflict(f"an alert that is {alert.status} cannot be waived")
    set_actor(session, replace(get_actor(session), reason=f"waived: {reason.strip()}"))
    alert.status, alert.waived_reason, alert.waived_until = "waived", reason.strip(), until
    session.flush()
    return alert


def assign(session: Session, ctx: Ctx, alert_id: uuid.UUID, *, to: str) -> Alert:
    alert = _writable(session, ctx, alert_id)
    alert.assigned_to = to
    session.flush()
    return alert


def comment(session: Session, ctx: Ctx, alert_id: uuid.UUID, *, text: str) -> AlertComment:
    alert = _writable(session, ctx, alert_id)
    note = AlertComment(alert_id=alert.id, author=ctx.principal.subject, text=text)
    session.add(note)
    session.flush()
    return note


def findings_on(session: Session, on: dt.date) -> list[dict[str, Any]]:
    """Which posts were held below standard on ``on``, under the standard in force then."""
    return [
        {
            "rule": f.rule,
            "position_id": str(f.position_id),
            "person_id": str(f.person_id) if f.person_id else None,
            "since": f.since.isoformat(),
            **f.details(),
        }
        for f in evaluate(session, on=on)
    ]
