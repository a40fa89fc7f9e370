from __future__ import annotations

from sqlalchemy.orm import Session

from registry.context import Ctx
from registry.errors import Forbidden
from registry.records import apply_changes, check_interval
from registry.standards.models import StandardProfile
from schemas.standards import StandardProfileCreate, StandardProfileUpdate


def _admin_only(ctx: Ctx) -> None:
    if ctx.principal.role != "admin":
        raise Forbidden("standard profiles are maintained by administrators")


def create_standard_profile(
    session: Session, ctx: Ctx, data: StandardProfileCreate
) -> StandardProfile:
    _admin_only(ctx)
    sp = StandardProfile(**data.model_dump())
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
    apply_changes(sp, data.model_dump(exclude_unset=True), required=("name", "requirements"))
    check_interval(
        sp.effective_from, sp.effective_to, start_field="effective_from", end_field="effective_to"
    )
    session.flush()
