from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import policy
from registry.access.principal import Principal
from registry.access.scope import require_person_writable
from registry.conduct.models import Discipline
from registry.context import Ctx
from registry.dates import today
from registry.errors import Conflict, Invalid
from registry.evaluations.models import Evaluation
from registry.evaluations.rules import evaluation_rules, period_kind, period_year
from registry.records import apply_changes
from schemas.evaluations import EvaluationCreate, EvaluationUpdate


def _discipline_forms_in_year(session: Session, person_id: object, year: int) -> list[str]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return list(
        session.scalars(
            sa.select(Discipline.form).where(
                Discipline.person_id == person_id,
                Discipline.retired_at.is_(None),
                Discipline.decided_on >= start,
                Discipline.decided_on <= end,
            )
        )
    )


def _derive(session: Session, e: Evaluation, principal: Principal) -> None:
    rules = evaluation_rules()
    unknown = set(e.components) - set(rules.components)
    if unknown:
        raise Invalid.field("body.components", f"unknown indicator groups: {sorted(unknown)}")
    if any(not 0 <= v <= 100 for v in e.components.values()):
        raise Invalid.field("body.components", "scores must be within 0..100")
    if (e.override_classification is None) != (e.override_reason is None):
        raise Invalid.field("body.override_reason", "an override needs a reason, and only then")
    forms = _discipline_forms_in_year(session, e.person_id, period_year(e.period))
    derived, capped, applied = rules.classify(e.general_points + e.task_points, forms)
    # A cap binds overrides too: a cadre disciplined that year cannot be classed above it
    # (domain.md, Evaluation). The ceiling is what full marks would get under the caps.
    _, ceiling, _ = rules.classify(100, forms)
    override = e.override_classification
    if override is not None and rules.rank(override) > rules.rank(ceiling):
        # Naming the discipline tells of it: only to callers who may see disciplines.
        raise Invalid.field(
            "body.override_classification",
            f"a cadre disciplined in {period_year(e.period)} cannot be classed above {ceiling}"
            if policy.sees_kind(principal, "disciplines")
            else "this classification is above what the records allow",
        )
    e.derived_classification = derived
    e.applied_rules = applied
    e.classification = e.override_classification or capped


def create_evaluation(session: Session, ctx: Ctx, data: EvaluationCreate) -> Evaluation:
    require_person_writable(session, data.person_id, ctx.principal)
    if period_year(data.period) > today().year:
        raise Invalid.field("body.period", "is in the future")
    clash = session.scalar(
        sa.select(Evaluation.id).where(
            Evaluation.person_id == data.person_id,
            Evaluation.period == data.period,
            Evaluation.retired_at.is_(None),
        )
    )
    if clash is not None:
        raise Conflict(f"an evaluation for period {data.period} already exists")
    e = Evaluation(**data.model_dump(), period_kind=period_kind(data.period))
    _derive(session, e, ctx.principal)
    session.add(e)
    session.flush()
    return e


def update_evaluation(session: Session, ctx: Ctx, e: Evaluation, data: EvaluationUpdate) -> None:
    apply_changes(
        e,
        data.model_dump(exclude_unset=True),
        required=("general_points", "task_points", "components"),
    )
    _derive(session, e, ctx.principal)
    session.flush()
