"""Carrying findings through review: one active alert per (rule, subject), resolved when the
data satisfies the rule, waived with a reason and an expiry, reopened when the waiver ends."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import replace
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.principal import Principal
from registry.access.scope import require_writable, visible
from registry.alerts.models import Alert, AlertComment
from registry.bulk import bulk_insert, bulk_update
from registry.context import Ctx
from registry.dates import today, utcnow
from registry.errors import Conflict, Forbidden, Invalid
from registry.history import get_actor, set_actor
from registry.org_units.models import OrgUnit
from registry.standards.engine import evaluate, evaluated
from registry.standards.findings import (
    SUBJECT_INDEX,
    Finding,
    Scratch,
    basis,
    basis_sql,
    details_of,
    finding_key,
)
from registry.standards.rules_party import RECONCILIATION, reconciliation_findings


def reconcile(
    session: Session, sc: Scratch, *, on: dt.date, person_ids: set[uuid.UUID] | None = None
) -> Counter[str]:
    """Make the active alerts match the findings of a run (``standards.findings.Scratch``),
    set-based: only alerts that open, resolve, reopen or whose explanation changed are
    touched, each with its recorded version. With ``person_ids`` only those people's alerts
    are in question (an incremental run). Findings of a post and alerts of a post are matched
    by (post, subject, rule); post-less ones (a member without a post, a party organisation)
    by (subject, rule) among the post-less alerts."""
    _index(session.connection(), sc)
    counts: Counter[str] = Counter()
    for with_post in (True, False):
        counts += _reconcile(session, sc, on=on, person_ids=person_ids, with_post=with_post)
    for name in ("resolved", "updated", "reopened", "opened"):
        counts.setdefault(name, 0)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Alert):
            session.expire(obj)  # written above with Core: the loaded state is stale
    return counts


def _reconcile(
    session: Session,
    sc: Scratch,
    *,
    on: dt.date,
    person_ids: set[uuid.UUID] | None,
    with_post: bool,
) -> Counter[str]:
    a, t = _alerts(), sc.findings
    conn = session.connection()
    now = utcnow()
    counts: Counter[str] = Counter()
    found = t.join(sc.statements, sc.statements.c.no == t.c.stmt)

    def subject_of(alerts: Any) -> Any:
        if with_post:
            return sa.func.coalesce(alerts.person_id, alerts.position_id)
        return sa.func.coalesce(alerts.person_id, alerts.org_unit_id)

    def same_post(f: Any) -> Any:
        if with_post:
            return a.c.position_id == f.position_id
        return sa.and_(a.c.position_id.is_(None), f.position_id.is_(None))

    mine_findings = t.c.position_id.is_not(None) if with_post else t.c.position_id.is_(None)
    match = sa.and_(
        same_post(t.c),
        subject_of(a.c) == t.c.subject,
        a.c.rule == sc.statements.c.rule,
        a.c.active_key.is_not(None),
    )
    scope = [
        a.c.active_key.is_not(None),
        a.c.position_id.is_not(None) if with_post else a.c.position_id.is_(None),
    ]
    if person_ids is not None:
        # Every finding of an incremental run is about one of these people: saying so lets
        # the database go to their few alerts by person, whatever its statistics say.
        mine = a.c.person_id.in_(list(person_ids))
        scope.append(mine)
        match = sa.and_(match, mine)

    gone = conn.scalars(
        sa.select(a.c.id).where(
            *scope, ~sa.exists(sa.select(t.c.stmt).select_from(found).where(match))
        )
    ).all()
    bulk_update(
        session,
        Alert,
        {i: {"status": "resolved", "active_key": None, "resolved_at": now} for i in gone},
    )
    counts["resolved"] = len(gone)

    cols = sc.joined().selected_columns
    expired = sa.and_(a.c.status == "waived", a.c.waived_until < on)
    # A subject may have two findings of one rule (a post held twice by one person, two
    # plannings of one post): the alert is unchanged if it states either of them.
    f2, s2 = t.alias("f2"), sc.statements.alias("s2")
    stated_by_one = sa.exists(
        sa.select(f2.c.stmt)
        .select_from(f2.join(s2, s2.c.no == f2.c.stmt))
        .where(
            same_post(f2.c),
            f2.c.subject == subject_of(a.c),
            s2.c.rule == a.c.rule,
            basis_sql(f2, s2, pg=conn.dialect.name == "postgresql") == a.c.basis,
        )
    )
    restated: dict[uuid.UUID, Any] = {}
    reopen: set[uuid.UUID] = set()
    unchanged: set[uuid.UUID] = set()
    for row in conn.execute(
        sa.select(
            a.c.id.label("alert_id"), a.c.basis.label("stated"), expired.label("expired"), *cols
        )
        .select_from(found.join(a, match))
        .where(mine_findings, sa.or_(a.c.basis.is_(None), ~stated_by_one, expired))
    ):
        m = row._mapping
        if m["expired"]:
            reopen.add(m["alert_id"])
        if m["stated"] == basis(m):
            unchanged.add(m["alert_id"])
        else:
            seen = restated.get(m["alert_id"])
            if seen is None or (m["since"], basis(m)) < (seen["since"], basis(seen)):
                restated[m["alert_id"]] = m  # the earliest, whatever order rows come in
    for alert_id in unchanged:
        restated.pop(alert_id, None)
    changes: dict[uuid.UUID, dict[str, Any]] = {}
    for alert_id, m in restated.items():
        changes[alert_id] = {
            "details": details_of(m),
            "basis": basis(m),
            "since": m["since"],
            "last_seen_at": now,
        }
    for alert_id in reopen:
        changes.setdefault(alert_id, {}).update(
            status="open", waived_reason=None, waived_until=None
        )
    counts["updated"], counts["reopened"] = len(restated), len(reopen)
    bulk_update(session, Alert, changes)

    order = (t.c.position_id, t.c.subject, t.c.stmt) if with_post else (t.c.subject, t.c.stmt)
    new = (
        sa.select(*cols, t.c.stmt)
        .select_from(found)
        .where(mine_findings, ~sa.exists(sa.select(a.c.id).where(match)))
    )
    after: Any = None
    while True:
        page = new if after is None else new.where(sa.tuple_(*order) > after)
        ordered = page.order_by(*order, t.c.since, t.c.explained)  # the earliest of a subject
        rows = [r._mapping for r in conn.execute(ordered.limit(2000))]
        if not rows:
            break
        opened: dict[str, Any] = {}
        for m in rows:  # a post held twice by one person is one subject: the first wins
            key = finding_key(m["rule"], m["position_id"], m["person_id"], m["org_unit_id"])
            opened.setdefault(key, m)
        bulk_insert(session, Alert, [_opened(key, m, now) for key, m in opened.items()])
        counts["opened"] += len(opened)
        last = rows[-1]
        after = sa.tuple_(
            *([sa.literal(last["position_id"], sa.Uuid())] if with_post else []),
            sa.literal(last["subject"], sa.Uuid()),
            sa.literal(last["stmt"], sa.Integer()),
        )
    return counts


def _index(conn: sa.Connection, sc: Scratch) -> None:
    t = sc.findings
    conn.execute(SUBJECT_INDEX)
    if conn.dialect.name == "postgresql":  # temporary tables get no statistics otherwise
        conn.exec_driver_sql(f"ANALYZE {t.name}")
        conn.exec_driver_sql(f"ANALYZE {sc.statements.name}")


def _alerts() -> sa.Table:
    return cast(sa.Table, Alert.__table__)


def _opened(key: str, m: Any, now: dt.datetime) -> dict[str, Any]:
    return {
        "rule": m["rule"],
        "person_id": m["person_id"],
        "position_id": m["position_id"],
        "org_unit_id": m["org_unit_id"],
        "status": "open",
        "active_key": key,
        "details": details_of(m),
        "basis": basis(m),
        "since": m["since"],
        "first_seen_at": now,
        "last_seen_at": now,
        "resolved_at": None,
        "waived_reason": None,
        "waived_until": None,
        "assigned_to": None,
    }


def run_full(session: Session, *, on: dt.date | None = None) -> Counter[str]:
    day = on or today()
    with evaluated(session, on=day) as found:
        counts = reconcile(session, found, on=day)
        counts["findings"] = _count(session, found)
    conn = session.connection()
    if conn.dialect.name == "postgresql" and counts.total() - counts["findings"] >= 1000:
        # Many alerts changed at once (a first run, a new standard): the in-request
        # re-evaluations that follow must not be planned on statistics from before it.
        conn.exec_driver_sql("ANALYZE alerts")
    return counts


def _count(session: Session, sc: Scratch) -> int:
    """Findings, one per (rule, subject)."""
    t, s = sc.findings, sc.statements
    subjects = (
        sa.select(s.c.rule, t.c.position_id, t.c.subject)
        .join(s, s.c.no == t.c.stmt)
        .distinct()
        .subquery()
    )
    return session.connection().scalar(sa.select(sa.func.count()).select_from(subjects)) or 0


def reevaluate_people(session: Session, person_ids: set[uuid.UUID]) -> Counter[str]:
    """Called in the same request as a change to these people's records."""
    if not person_ids:
        return Counter()
    day = today()
    session.flush()
    with evaluated(session, on=day, person_ids=person_ids) as found:
        return reconcile(session, found, on=day, person_ids=person_ids)


def reevaluate_units(session: Session, unit_ids: set[uuid.UUID]) -> Counter[str]:
    """The findings whose subject is a party organisation (the reconciliation of its
    registers) for these units, carried into their alerts in the request that records or
    corrects a reconciliation: resolved when the rule is met, restated when the explanation
    changed, opened when newly unmet — as a full run would (a waiver's expiry is left to it)."""
    if not unit_ids:
        return Counter()
    day = today()
    session.flush()
    now = utcnow()
    counts: Counter[str] = Counter()
    found = {f.org_unit_id: f for f in reconciliation_findings(session, day, unit_ids)}
    active = session.scalars(
        sa.select(Alert).where(
            Alert.rule == RECONCILIATION,
            Alert.active_key.is_not(None),
            Alert.person_id.is_(None),
            Alert.position_id.is_(None),
            Alert.org_unit_id.in_(list(unit_ids)),
        )
    ).all()
    for alert in active:
        f = found.pop(alert.org_unit_id, None)
        if f is None:
            alert.status, alert.active_key, alert.resolved_at = "resolved", None, now
            counts["resolved"] += 1
            continue
        m = _stated(f)
        if alert.basis != basis(m):
            alert.details, alert.basis, alert.since = f.details(), basis(m), f.since
            alert.last_seen_at = now
            counts["updated"] += 1
    for f in found.values():
        session.add(Alert(**_opened(f.key, _stated(f), now)))
        counts["opened"] += 1
    session.flush()
    return counts


def _stated(f: Finding) -> dict[str, Any]:
    """A finding computed in Python as the row a run's scratch tables give for it."""
    st = f.statement()
    return f.as_row(0) | {
        "rule": st.rule,
        "requirement": st.requirement,
        "standard": st.standard,
        "found": st.found,
    }


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


def findings_on(session: Session, on: dt.date, who: Principal) -> list[dict[str, Any]]:
    """Which posts were held below standard on ``on``, under the standard in force then, and
    which party members and organisations fell short of their party obligations, in ``who``'s
    scope (``position_id`` None for a finding of no post)."""
    units = set(session.scalars(visible(sa.select(OrgUnit.id), OrgUnit, who)))
    return [
        {
            "rule": f.rule,
            "position_id": str(f.position_id) if f.position_id else None,
            "person_id": str(f.person_id) if f.person_id else None,
            "org_unit_id": str(f.org_unit_id),
            "since": f.since.isoformat(),
            **f.details(),
        }
        for f in evaluate(session, on=on)
        if f.org_unit_id in units
    ]
