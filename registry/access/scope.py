"""Object-level access: every read and write is checked against the caller's org subtree.

An object outside the caller's scope answers exactly like a missing one (404), so ids of
other units' records leak nothing.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import rows as policy_rows
from registry.access.principal import Principal
from registry.db import Entity
from registry.errors import Forbidden, NotFound
from registry.org_units.models import OrgUnit
from registry.party.models import PartyEvent, PartyMembership
from registry.persons.models import Person

E = TypeVar("E", bound=Entity)


def label(model: type[Entity]) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()


def _subtree(path: str) -> sa.Select[tuple[uuid.UUID]]:
    return sa.select(OrgUnit.id).where(OrgUnit.path.startswith(path, autoescape=True))


def _persons_in(path: str) -> sa.Select[tuple[uuid.UUID]]:
    return sa.select(Person.id).where(Person.org_unit_id.in_(_subtree(path)))


def scope_clause(model: type[Entity], path: str) -> sa.ColumnElement[bool]:
    """Rows of ``model`` inside the org subtree rooted at ``path``."""
    cols: Any = model.__table__.c
    if model is OrgUnit:
        return OrgUnit.path.startswith(path, autoescape=True)
    if model is PartyMembership:
        return sa.or_(
            PartyMembership.person_id.in_(_persons_in(path)),
            PartyMembership.party_cell_id.in_(_subtree(path)),
        )
    if model.__tablename__ == "alerts":  # about a post or a person: scoped by the post's unit
        return cols.org_unit_id.in_(_subtree(path))  # type: ignore[no-any-return]
    if model.__tablename__ == "alert_comments":  # as its alert
        from registry.alerts.models import Alert

        return cols.alert_id.in_(  # type: ignore[no-any-return]
            sa.select(Alert.id).where(Alert.org_unit_id.in_(_subtree(path)))
        )
    if model is PartyEvent:
        return PartyEvent.membership_id.in_(
            sa.select(PartyMembership.id).where(scope_clause(PartyMembership, path))
        )
    if "person_id" in cols:
        return cols.person_id.in_(_persons_in(path))  # type: ignore[no-any-return]
    if "org_unit_id" in cols:
        return cols.org_unit_id.in_(_subtree(path))  # type: ignore[no-any-return]
    return sa.true()  # registry-wide reference data (standard profiles)


def entity_models() -> list[type[Entity]]:
    """Every versioned model of the registry."""
    return sorted(
        (m.class_ for m in Entity.registry.mappers if issubclass(m.class_, Entity)),
        key=lambda m: m.__tablename__,
    )


def rows_in_scope(
    table_col: sa.ColumnElement[str], row_col: sa.ColumnElement[uuid.UUID], path: str
) -> sa.ColumnElement[bool]:
    """History rows (``table_col``, ``row_col``) of records inside the subtree at ``path``,
    judged by where each record stands now."""
    return sa.or_(
        *(
            sa.and_(
                table_col == m.__tablename__,
                row_col.in_(sa.select(m.__table__.c.id).where(scope_clause(m, path))),
            )
            for m in entity_models()
        )
    )


def visible(stmt: sa.Select[Any], model: type[Entity], principal: Principal) -> sa.Select[Any]:
    """Rows of ``model`` the principal may read: in its org scope, and not rows whose very
    existence is a fact the read policy closes to it (an alert under a discipline rule)."""
    cols: Any = model.__table__.c
    for name, values in policy_rows.withheld_rows(principal, model.__tablename__).items():
        stmt = stmt.where(cols[name].not_in(sorted(values)))
    if principal.reads_everything:
        return stmt
    assert principal.org_path is not None
    return stmt.where(scope_clause(model, principal.org_path))


# The statements of ``get_visible``, one per model and view of it (scope, withheld rows),
# built once: building and keying a select of every column costs more than running it.
_BY_ID: dict[tuple[Any, ...], sa.Select[Any]] = {}
_BY_ID_MAX = 4096


def _by_id(model: type[Entity], principal: Principal) -> sa.Select[Any]:
    withheld = policy_rows.withheld_rows(principal, model.__tablename__)
    key = (
        model,
        None if principal.reads_everything else principal.org_path,
        tuple(sorted((name, tuple(sorted(values))) for name, values in withheld.items())),
    )
    stmt = _BY_ID.get(key)
    if stmt is None:
        stmt = visible(sa.select(model).where(model.id == sa.bindparam("obj_id")), model, principal)
        if len(_BY_ID) >= _BY_ID_MAX:
            _BY_ID.clear()
        _BY_ID[key] = stmt
    return stmt


def get_visible(session: Session, model: type[E], obj_id: uuid.UUID, principal: Principal) -> E:
    obj: E | None = session.scalars(_by_id(model, principal), {"obj_id": obj_id}).first()
    if obj is None:
        raise NotFound(f"{label(model)} {obj_id} not found")
    return obj


def in_scope(
    session: Session, model: type[Entity], obj_id: uuid.UUID, principal: Principal
) -> bool:
    """Whether a record the caller refers to (a post, a party cell) is inside its scope.

    Services treat a reference outside the scope exactly like an unknown id, so a write can
    neither land on another unit's record nor tell whether that record exists.
    """
    stmt = visible(sa.select(model.id).where(model.id == obj_id), model, principal)
    return session.scalar(stmt) is not None


def require_writable(
    session: Session, model: type[E], obj_id: uuid.UUID, principal: Principal
) -> E:
    """Load a record the caller may change: out of scope → 404, read-only role → 403."""
    if not principal.can_write:
        raise Forbidden(f"role {principal.role} may not change records")
    if principal.org_path is None:
        obj = session.get(model, obj_id)
        if obj is None:
            raise NotFound(f"{label(model)} {obj_id} not found")
        return obj
    stmt = sa.select(model).where(model.id == obj_id, scope_clause(model, principal.org_path))
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound(f"{label(model)} {obj_id} not found")
    return found


def require_org_writable(session: Session, org_id: uuid.UUID, principal: Principal) -> OrgUnit:
    return require_writable(session, OrgUnit, org_id, principal)


def require_person_writable(session: Session, person_id: uuid.UUID, principal: Principal) -> Person:
    return require_writable(session, Person, person_id, principal)
