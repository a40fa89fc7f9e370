"""Ids a request body refers to (a unit, a post, a person) must name a record the caller may
see: otherwise the body is invalid, 422 naming the field — never a 404 (the URL was found)
nor a 500 (a foreign-key failure at commit)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from registry.access.principal import Principal
from registry.access.scope import entity_models, in_scope, label
from registry.db import Entity
from registry.errors import FieldIssue, Invalid


def _targets(model: type[Entity]) -> dict[str, type[Entity]]:
    """Column name → the versioned model its foreign key points at."""
    by_table = {m.__tablename__: m for m in entity_models()}
    found: dict[str, type[Entity]] = {}
    for column in model.__table__.columns:
        for fk in column.foreign_keys:
            target = by_table.get(fk.column.table.name)
            if target is not None and fk.column.name == "id":
                found[column.name] = target
    return found


def check_references(
    session: Session, principal: Principal, model: type[Entity], body: BaseModel
) -> None:
    """Refuse, naming each field, the ids in ``body`` that name no record in the caller's
    scope. A record outside the scope answers exactly like a missing one, so the refusal
    tells nothing of other units' records."""
    sent: dict[str, Any] = body.model_dump(exclude_unset=True)
    issues = [
        FieldIssue(f"body.{name}", f"no {label(target)} with this id in your scope")
        for name, target in _targets(model).items()
        if isinstance(sent.get(name), uuid.UUID)
        and not in_scope(session, target, sent[name], principal)
    ]
    if issues:
        raise Invalid("a referenced record does not exist", issues=issues)
