"""The standards engine: every rule is one SQL query over the holders of posts on a date
(set-based; no loop over people), grouped by the version of the standard in force.

``evaluate(session, on=D)`` answers "which posts were held below standard on D, under the
standard in force then"; with ``person_ids`` it re-evaluates only those people's posts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from registry.standards import rules_posts, rules_records
from registry.standards.findings import Finding
from registry.standards.inputs import RunInputs

RULES = (
    rules_records.qualification_rules,
    rules_records.party_rule,
    rules_records.planning_rule,
    rules_records.evaluation_rule,
    rules_records.discipline_rule,
    rules_records.certificate_rule,
    rules_posts.rotation_rule,
    rules_posts.age_rules,
    rules_posts.vacancy_rule,
    rules_posts.missing_evaluation_rule,
)


def evaluate(
    session: Session,
    *,
    on: dt.date,
    person_ids: set[uuid.UUID] | None = None,
    would_be: Any = None,
) -> list[Finding]:
    """``would_be``: a would-be holders subquery (candidates, dry runs) instead of the
    actual holders."""
    ev = RunInputs(session, on, person_ids, h=would_be, hypothetical=would_be is not None)
    findings: dict[str, Finding] = {}
    for rule in RULES:
        for f in rule(ev):
            findings.setdefault(f.key, f)
    return sorted(findings.values(), key=lambda f: f.key)
