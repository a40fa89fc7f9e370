from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.scope import require_org_writable
from registry.context import Ctx
from registry.errors import Conflict, Forbidden, Invalid
from registry.org_units.models import OrgUnit
from schemas.org_units import OrgUnitCreate, OrgUnitUpdate


def create_org_unit(session: Session, ctx: Ctx, data: OrgUnitCreate) -> OrgUnit:
    parent_path = "/"
    if data.parent_id is not None:
        parent_path = require_org_writable(session, data.parent_id, ctx.principal).path
    elif ctx.principal.org_path is not None or ctx.principal.role != "admin":
        raise Forbidden("only a registry-wide admin may create a root org unit")
    if session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == data.code)) is not None:
        raise Conflict(f"org unit code {data.code!r} already exists")
    unit_id = uuid.uuid4()
    unit = OrgUnit(
        id=unit_id,
        code=data.code,
        name=data.name,
        kind=data.kind,
        parent_id=data.parent_id,
        path=f"{parent_path}{unit_id}/",
        unit_code=data.unit_code,
    )
    session.add(unit)
    session.flush()
    return unit


def update_org_unit(session: Session, ctx: Ctx, unit: OrgUnit, data: OrgUnitUpdate) -> None:
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise Invalid.field("body.name", "may not be null")
    for key, value in changes.items():
        setattr(unit, key, value)
    session.flush()


def find_by_code(session: Session, code: str) -> OrgUnit | None:
    return session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))
