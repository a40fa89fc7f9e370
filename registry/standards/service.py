from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from registry.context import Ctx
from registry.errors import FieldIssue, Forbidden, Invalid
from registry.records import apply_changes, check_interval
from registry.standards.models import StandardProfile
from registry.standards.requirements import Requirements
from schemas.standards import StandardProfileCreate, StandardProfileUpdate


def _admin_only(ctx: Ctx) -> None:
    if ctx.principal.role != "admin":
        raise Forbidden("standard profiles are maintained by administrators")


def _requirements(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise; an unknown or contradictory requirement is a 422 naming it."""
    try:
        return Requirements.model_validate(raw).model_dump(exclude_defaults=True)
    except ValidationError as exc:
        issues = [
            FieldIssue(
                "body.requirements" + "".join(f".{p}" for p in e["loc"]),
                e["msg"].removeprefix("Value error, "),
            )
            for e in exc.errors()
        ]
        raise Invalid("; ".join(f"{i.field}: {i.reason}" for i in issues), issues=issues) from None


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
