from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from registry.context import Ctx
from registry.errors import Conflict, FieldIssue, Forbidden, Invalid
from registry.records import apply_changes, check_interval
from registry.standards.models import RuleParameter, StandardProfile
from registry.standards.parameters import SPECS
from registry.standards.requirements import Requirements, unevaluated
from schemas.standards import (
    RuleParameterCreate,
    RuleParameterUpdate,
    StandardProfileCreate,
    StandardProfileUpdate,
)


def _admin_only(ctx: Ctx) -> None:
    if ctx.principal.role != "admin":
        raise Forbidden("standard profiles are maintained by administrators")


def _requirements(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise; an unknown or contradictory requirement is a 422 naming it."""
    try:
        req = Requirements.model_validate(raw)
    except ValidationError as exc:
        issues = [
            FieldIssue(
                "body.requirements" + "".join(f".{p}" for p in e["loc"]),
                e["msg"].removeprefix("Value error, "),
            )
            for e in exc.errors()
        ]
        raise Invalid("; ".join(f"{i.field}: {i.reason}" for i in issues), issues=issues) from None
    silent = unevaluated(req)
    if silent:
        raise Invalid.field(
            f"body.requirements.{silent[0]}", "is not evaluated by the standards engine"
        )
    return req.model_dump(exclude_defaults=True)


def create_standard_profile(
    session: Session, ctx: Ctx, data: StandardProfileCreate
) -> StandardProfile:
    _admin_only(ctx)
    sp = StandardProfile(**(data.model_dump() | {"requirements": _requirements(data.requirements)}))
    check_interval(
        sp.effective_from, sp.effective_to, start_field="effective_from", end_field="effective_to"
    )
    session.add(sp)
    session.flush()
    return sp


def update_standard_profile(
    session: Session, ctx: Ctx, sp: StandardProfile, data: StandardProfileUpdate
) -> None:
    _admin_only(ctx)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("requirements") is not None:
        changes["requirements"] = _requirements(changes["requirements"])
    apply_changes(sp, changes, required=("name", "requirements"))
    check_interval(
        sp.effective_from, sp.effective_to, start_field="effective_from", end_field="effective_to"
    )
    session.flush()


def _parameter_value(key: str, value: str) -> None:
    spec = SPECS.get(key)
    if spec is None:
        raise Invalid.field(
            "body.key", f"unknown rule parameter {key!r}: the engine reads {sorted(SPECS)}"
        )
    try:
        spec.parse(value)
    except ValueError as exc:
        raise Invalid.field("body.value", f"{key} {exc}") from None


def create_rule_parameter(session: Session, ctx: Ctx, data: RuleParameterCreate) -> RuleParameter:
    _admin_only(ctx)
    _parameter_value(data.key, data.value)
    check_interval(
        data.effective_from,
        data.effective_to,
        start_field="effective_from",
        end_field="effective_to",
    )
    clash = session.scalar(
        sa.select(RuleParameter.id).where(
            RuleParameter.key == data.key,
            RuleParameter.effective_from == data.effective_from,
            RuleParameter.retired_at.is_(None),
        )
    )
    if clash is not None:
        raise Conflict(f"{data.key} already has a version from {data.effective_from}: change it")
    rp = RuleParameter(**data.model_dump())
    session.add(rp)
    session.flush()
    return rp


def update_rule_parameter(
    session: Session, ctx: Ctx, rp: RuleParameter, data: RuleParameterUpdate
) -> None:
    _admin_only(ctx)
    changes = data.model_dump(exclude_unset=True)
    if "value" in changes:
        _parameter_value(rp.key, changes["value"] or "")
    apply_changes(rp, changes, required=("value", "source"))
    check_interval(
        rp.effective_from, rp.effective_to, start_field="effective_from", end_field="effective_to"
    )
    session.flush()
