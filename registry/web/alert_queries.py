"""Queries behind the alert pages, every one scoped to the caller like the API."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.principal import Principal
from registry.access.rows import require_filter_value
from registry.access.scope import get_visible, scope_clause, visible
from registry.alerts.models import Alert, AlertComment
from registry.dates import today
from registry.errors import Invalid, NotFound
from registry.org_units.models import OrgUnit
from registry.persons.models import Person
from registry.positions.models import Position
from registry.text import full_name

STATUSES = ("open", "acknowledged", "waived", "resolved")
SORTS: dict[str, Any] = {
    "since": Alert.since,
    "rule": Alert.rule,
    "status": Alert.status,
    "org": OrgUnit.code,
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class AlertFilter:
    org: str | None = None
    rule: str | None = None
    status: str | None = None
    older_than_days: int | None = None
    sort: str = "-since"
    page: int = 1

    def check(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise Invalid.field("query.status", f"must be one of {', '.join(STATUSES)}")
        if self.sort.removeprefix("-") not in SORTS:
            raise Invalid.field("query.sort", f"must be one of {', '.join(SORTS)} (- for desc)")


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    org_code: str
    org_name: str
    person_name: str | None
    position_title: str | None


def _rows(stmt: sa.Select[Any]) -> sa.Select[Any]:
    return (
        stmt.join(OrgUnit, OrgUnit.id == Alert.org_unit_id)
        .outerjoin(Person, Person.id == Alert.person_id)
        .outerjoin(Position, Position.id == Alert.position_id)
    )


def _row(found: Any) -> AlertRow:
    alert, code, name, family, middle, given, title = found
    person = None if family is None else full_name(family, middle, given)
    return AlertRow(alert, code, name, person, title)


_COLUMNS = (
    Alert,
    OrgUnit.code,
    OrgUnit.name,
    Person.family_name,
    Person.middle_name,
    Person.given_name,
    Position.title,
)


def list_alerts(session: Session, who: Principal, f: AlertFilter) -> tuple[list[AlertRow], bool]:
    """One page of alerts and whether another page follows."""
    f.check()
    require_filter_value(who, table="alerts", field="rule", value=f.rule, param="rule")
    stmt = visible(_rows(sa.select(*_COLUMNS)), Alert, who)
    if f.org:
        org = session.scalar(visible(sa.select(OrgUnit).where(OrgUnit.code == f.org), OrgUnit, who))
        if org is None:
            raise NotFound(f"org unit {f.org!r} not found")
        stmt = stmt.where(scope_clause(Alert, org.path))
    if f.rule:
        stmt = stmt.where(Alert.rule == f.rule)
    if f.status:
        stmt = stmt.where(Alert.status == f.status)
    if f.older_than_days is not None:
        stmt = stmt.where(Alert.since <= today() - dt.timedelta(days=f.older_than_days))
    key = SORTS[f.sort.removeprefix("-")]
    order = key.desc() if f.sort.startswith("-") else key.asc()
    stmt = stmt.order_by(order, Alert.id).offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    found = [_row(r) for r in session.execute(stmt)]
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


def filter_choices(session: Session, who: Principal) -> tuple[list[OrgUnit], list[str]]:
    orgs = list(session.scalars(visible(sa.select(OrgUnit), OrgUnit, who).order_by(OrgUnit.code)))
    rules = list(
        session.scalars(visible(sa.select(Alert.rule).distinct(), Alert, who).order_by(Alert.rule))
    )
    return orgs, rules


def alert_row(session: Session, who: Principal, alert_id: uuid.UUID) -> AlertRow:
    get_visible(session, Alert, alert_id, who)  # out of scope answers exactly like missing
    found = session.execute(_rows(sa.select(*_COLUMNS)).where(Alert.id == alert_id)).one()
    return _row(found)


def comments(session: Session, alert_id: uuid.UUID) -> list[AlertComment]:
    return list(
        session.scalars(
            sa.select(AlertComment)
            .where(AlertComment.alert_id == alert_id)
            .order_by(AlertComment.created_at)
        )
    )
