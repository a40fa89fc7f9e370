"""The standards engine: every rule is SQL over the holders of posts on a date (set-based; no
loop over people), grouped by the version of the standard in force; the party obligations are
judged over every party member, with a post or without, and the reconciliation of the party
registers over the party organisations (``rules_party``; the subjects in ``findings``).

``evaluated(session, on=D)`` writes the findings of a full run into scratch tables with one
``INSERT … SELECT`` per rule group, the explanation of each finding built in the database;
``evaluate(session, on=D)`` answers the same question as a list ("which posts were held below
standard on D, under the standard in force then"); with ``person_ids`` only those people's
posts are judged.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.standards import (
    rules_age,
    rules_career,
    rules_eligibility,
    rules_party,
    rules_posts,
    rules_records,
)
from registry.standards.findings import FINDING_COLUMNS, SCRATCH, Finding, Scratch
from registry.standards.inputs import RunInputs

RULES = (
    rules_records.qualification_rules,
    rules_records.party_rule,
    rules_records.planning_rule,
    rules_records.evaluation_rule,
    rules_records.discipline_rule,
    rules_records.certificate_rule,
    rules_eligibility.eligibility_rule,
    rules_eligibility.planning_eligibility_rule,
    rules_posts.rotation_rule,
    rules_age.age_rules,
    rules_posts.vacancy_rule,
    rules_posts.missing_evaluation_rule,
    rules_career.rank_rule,
    rules_career.experience_rule,
    rules_career.reappointment_rule,
    rules_career.evaluation_cap_rule,
    rules_party.probation_rule,
    rules_party.transfer_rule,
    rules_party.dues_rule,
    rules_party.reconciliation_rule,
)


@contextmanager
def _without_jit(session: Session) -> Iterator[None]:
    """PostgreSQL's JIT off for the rules' statements, then as it was: a run is a score of
    statements, each costly enough for the planner to compile it (about half a second each
    on a 2-core machine at 1,000,000 persons) and none long enough to win that back."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        yield
        return
    before = conn.scalar(sa.text("SELECT current_setting('jit')"))
    conn.execute(sa.text("SELECT set_config('jit', 'off', true)"))
    restore = sa.text("SELECT set_config('jit', :v, true)")
    try:
        yield
    except Exception:
        # A failed statement ended the transaction, and the setting with it; after an error
        # in Python the transaction goes on, as it was.
        with suppress(sa.exc.DBAPIError), conn.begin_nested():
            conn.execute(restore, {"v": before})
        raise
    conn.execute(restore, {"v": before})


def _run(
    session: Session, on: dt.date, person_ids: set[uuid.UUID] | None, would_be: Any = None
) -> RunInputs:
    ev = RunInputs(session, on, person_ids, h=would_be, hypothetical=would_be is not None)
    for rule in RULES:
        rule(ev)
    return ev


def evaluate(
    session: Session,
    *,
    on: dt.date,
    person_ids: set[uuid.UUID] | None = None,
    would_be: Any = None,
) -> list[Finding]:
    """``would_be``: a would-be holders subquery (candidates, dry runs) instead of the
    actual holders. One finding per (rule, subject): the first, as in a full run."""
    with _without_jit(session):
        ev = _run(session, on, person_ids, would_be)
        stated = [st.row(no) for no, st in enumerate(ev.statements)]
        findings: dict[str, Finding] = {}
        for stmt in ev.selects:
            for row in session.execute(stmt):
                m = row._mapping
                f = Finding.from_row(stated[m["stmt"]] | dict(m))
                findings.setdefault(f.key, f)
    for f in ev.computed:
        findings.setdefault(f.key, f)
    return sorted(findings.values(), key=lambda f: f.key)


@contextmanager
def evaluated(
    session: Session, *, on: dt.date, person_ids: set[uuid.UUID] | None = None
) -> Iterator[Scratch]:
    """The run's findings in temporary tables, for the duration of the block, in the
    caller's transaction: one ``INSERT … SELECT`` per rule group, nothing per finding."""
    conn = session.connection()
    sc = SCRATCH
    temp = "pg_temp" if conn.dialect.name == "postgresql" else "temp"
    with _without_jit(session):
        ev = _run(session, on, person_ids)  # before the tables: a rule that raises leaves none
        for table in (sc.findings, sc.statements):  # left by a block that raised, if any
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {temp}.{table.name}"))
            table.create(conn)
        for stmt in ev.selects:
            conn.execute(sa.insert(sc.findings).from_select(FINDING_COLUMNS, stmt))
    if ev.computed:
        conn.execute(
            sa.insert(sc.findings),
            [f.as_row(ev.statement(f.statement())) for f in ev.computed],
        )
    if ev.statements:
        conn.execute(sa.insert(sc.statements), [st.row(no) for no, st in enumerate(ev.statements)])
    yield sc
    sc.findings.drop(conn)
    sc.statements.drop(conn)
