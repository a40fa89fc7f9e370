"""Party obligations of every party member: probation past its term without a decision, a
transfer letter not issued or not presented in time, dues in arrears — judged over
``RunInputs.party``, the holders of posts (subject: the post and its holder, as every rule of
a post) and the members who hold no post (subject: the member in their party cell), so a
member is judged once either way. And the party organisation's own duty: the six-monthly
reconciliation of its registers (subject: the org unit). Their findings tell of party
membership and are masked and withheld as it is (``catalogue/rule_sources.py``)."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.party.checks import reconciliation_overdue
from registry.party.models import (
    PartyDuesPayment,
    PartyMembership,
    PartyProbation,
    PartyTransferRecord,
)
from registry.party.rules import CURRENT
from registry.standards.findings import Finding
from registry.standards.inputs import RunInputs, add_months, months_before
from registry.standards.sqlfn import cat

RECONCILIATION = "register_reconciliation_overdue"


def add_working_days(day: dt.date, n: int) -> dt.date:
    """``n`` working days (Monday to Friday) after ``day``. Public holidays are not known to
    the registry: a deadline may come a few days early around Tết, never late."""
    out = day
    while n > 0:
        out += dt.timedelta(days=1)
        if out.weekday() < 5:
            n -= 1
    return out


def probation_rule(ev: RunInputs) -> None:
    """Regulation 232-QĐ/TW: probation lasts 12 months (a parameter); a probationary member
    past it with no decision (recognised official or removed) is overdue. Probationary members
    are few: read and judged in Python."""
    if ev.hypothetical:
        return  # a party obligation, not a standard of the post
    months = ev.params.number("party.probation_months")
    h, m, p = ev.party, PartyMembership, PartyProbation
    decided = sa.select(p.id).where(
        p.membership_id == m.id, p.retired_at.is_(None), p.decided_on.is_not(None)
    )
    started = sa.func.coalesce(
        sa.select(sa.func.min(p.started_on))
        .where(p.membership_id == m.id, p.retired_at.is_(None))
        .scalar_subquery(),
        m.admitted_on,
    )
    stmt = (
        sa.select(h, m.id.label("membership_id"), started.label("started_on"))
        .join(m, m.person_id == h.c.person_id)
        .where(
            m.status == "probationary",
            m.retired_at.is_(None),
            m.admitted_on < months_before(ev.on, months),
            ~sa.exists(decided),
        )
    )
    for row in ev.rows(stmt):
        due = add_months(row.started_on, months)
        if due >= ev.on:
            continue
        ev.add(
            ev.finding(
                "probation_overdue",
                row,
                None,
                requirement={"probation_months": months},
                found={
                    "probation_started_on": row.started_on.isoformat(),
                    "due_on": due.isoformat(),
                },
                evidence=[{"table": "party_memberships", "id": str(row.membership_id)}],
                since=due + dt.timedelta(days=1),
            )
        )


def transfer_rule(ev: RunInputs) -> None:
    """Regulation 232-QĐ/TW, Guidance 01-HD/TW: the transfer letter is issued within 60
    working days of the decision, and presented to the receiving cell within 30 working days
    of its issue. A transfer of a holder with the step not done past its deadline is a
    finding (a letter presented late, once presented, is history, not a shortfall)."""
    if ev.hypothetical:
        return  # a party obligation, not a standard of the post: no part of a candidate's fit
    issue = ev.params.number("party.transfer_issue_working_days")
    present = ev.params.number("party.transfer_present_working_days")
    h, t = ev.party, PartyTransferRecord
    stmt = (
        sa.select(h, t.id.label("transfer_id"), t.decided_on, t.letter_issued_on)
        .join(t, t.person_id == h.c.person_id)
        .where(t.retired_at.is_(None), t.presented_on.is_(None), t.decided_on <= ev.on)
        .order_by(t.decided_on, t.id)
    )
    for row in ev.rows(stmt):
        if row.letter_issued_on is None:
            step, deadline = "letter_issued", add_working_days(row.decided_on, issue)
        else:
            step, deadline = "letter_presented", add_working_days(row.letter_issued_on, present)
        if deadline >= ev.on:
            continue
        ev.add(
            ev.finding(
                "transfer_overdue",
                row,
                None,
                requirement={"issue_working_days": issue, "present_working_days": present},
                found={"step": step, "due_on": deadline.isoformat()},
                evidence=[{"table": "party_transfers", "id": str(row.transfer_id)}],
                since=max(row.valid_from, deadline + dt.timedelta(days=1)),
            )
        )


def dues_rule(ev: RunInputs) -> None:
    """Regulation 01-QĐ/TW, Điều lệ Đảng: three months of dues unpaid in a year (without an
    exemption, recorded as a month paid with amount 0) is a ground for removal. A member owes
    dues from admission: the months counted are the last 12 closed months (both numbers
    parameters) from the later of the admission month and the window's start, so a member
    admitted a year ago who never paid is in arrears. SQL over every current member, with a
    post or without."""
    if ev.hypothetical:
        return  # a party obligation, not a standard of the post
    unpaid_max = ev.params.number("party.dues_unpaid_months")
    window = ev.params.number("party.dues_window_months")
    h, m, d, fn = ev.party, PartyMembership, PartyDuesPayment, ev.fn
    this_month = ev.on.replace(day=1)
    start = add_months(this_month, -window).replace(day=1)
    end_index = this_month.year * 12 + this_month.month
    # The membership is joined once (one per person), not looked up per expression.
    admitted = sa.func.substr(sa.cast(m.admitted_on, sa.String), 1, 7)
    # months are YYYY-MM text: the month index of the later of the two starts
    latest = sa.func.greatest if fn.pg else sa.func.max
    begin = latest(admitted, sa.literal(start.strftime("%Y-%m")), type_=sa.String)
    expected = sa.literal(end_index) - (
        sa.cast(sa.func.substr(begin, 1, 4), sa.Integer) * 12
        + sa.cast(sa.func.substr(begin, 6, 2), sa.Integer)
    )
    paid = (
        sa.select(sa.func.count(sa.distinct(d.month)))
        .where(
            d.person_id == h.c.person_id,
            d.retired_at.is_(None),
            d.month >= start.strftime("%Y-%m"),
            d.month < this_month.strftime("%Y-%m"),
            d.month >= admitted,
        )
        .correlate_except(d)
        .scalar_subquery()
    )
    # Each member's unpaid months computed once: the filter and the explanation read the
    # column (PostgreSQL would otherwise pull the subquery up and count twice; OFFSET 0
    # keeps it a subquery).
    owing = sa.select(
        h.c.person_id,
        h.c.position_id,
        h.c.org_unit_id,
        h.c.valid_from,
        (expected - paid).label("unpaid"),
    ).where(
        m.person_id == h.c.person_id,
        m.retired_at.is_(None),
        m.status.in_(sorted(CURRENT)),
    )
    owed = (owing.offset(0) if fn.pg else owing).subquery("owing")
    ev.emit(
        "dues_arrears",
        None,
        owed.c.unpaid >= unpaid_max,
        requirement={"max_unpaid_months": unpaid_max - 1, "window_months": window},
        explained=cat(
            '{"found": {"unpaid_months": ',
            sa.cast(owed.c.unpaid, sa.Text),
            f', "window_months": {window}}}, "evidence": []}}',
        ),
        since=sa.literal(this_month, sa.Date),
        over=owed,
    )


def reconciliation_rule(ev: RunInputs) -> None:
    """Guidance 01-HD/TW: a party organisation reconciles its member registers with the
    members' files every six months (a parameter). A party cell or committee with current
    members and no reconciliation within the period — or none ever, once its earliest member
    has been a member longer than the period — is overdue; the subject is the organisation.
    Cells are few: judged in Python. Not part of a run about some people (an incremental run
    or a candidate's fit): its subject is no person."""
    if ev.hypothetical or ev.person_ids is not None:
        return
    for f in reconciliation_findings(ev.session, ev.on):
        ev.add(f)


def reconciliation_findings(
    session: Session, on: dt.date, units: set[uuid.UUID] | None = None
) -> list[Finding]:
    """The findings of ``reconciliation_rule`` on ``on`` (of ``units`` only, if given)."""
    out = []
    for cell in reconciliation_overdue(session, on=on):
        if units is not None and cell.org_unit_id not in units:
            continue
        last = cell.last_reconciled_on
        out.append(
            Finding(
                RECONCILIATION,
                None,
                cell.org_unit_id,
                min(on, cell.due_on + dt.timedelta(days=1)),
                requirement={"every_months": cell.months},
                found={
                    "members": cell.members,
                    "last_reconciled_on": None if last is None else last.isoformat(),
                    "due_on": cell.due_on.isoformat(),
                },
                evidence=[]
                if cell.last_id is None
                else [{"table": "party_register_reconciliations", "id": str(cell.last_id)}],
            )
        )
    return out
