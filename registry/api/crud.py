"""One factory for the create / read / update / list / retire routes of a resource.

Every route checks scope at object level, answers with an ETag, requires If-Match and a
stated reason for changes, and commits at the edge. Aggregates with extra actions add their
own routes beside these.
"""

import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from registry import catalogue
from registry.access import policy
from registry.access.scope import get_visible, require_writable, scope_clause, visible
from registry.alerts.privacy import require_cadre_reader
from registry.alerts.service import reevaluate_people
from registry.api.deps import (
    CtxDep,
    CursorQuery,
    IfMatchHeader,
    LimitQuery,
    ReasonDep,
    SessionDep,
    check_if_match,
)
from registry.api.pagination import page
from registry.api.references import check_references
from registry.assignments.models import Assignment
from registry.audit.service import log_read
from registry.context import Ctx
from registry.dates import utcnow
from registry.db import Entity
from registry.errors import Conflict, Forbidden, Invalid
from registry.history import get_actor, set_actor
from registry.org_units.models import OrgUnit
from registry.planning.models import PlanningEntry
from registry.positions.models import Position
from registry.standards.candidates import appointment_findings, planning_findings
from registry.standards.findings import Finding
from schemas.common import Page

E = TypeVar("E", bound=Entity)


def etag_of(obj: Entity) -> str:
    return f'"{obj.version}"'


@dataclass
class Resource(Generic[E]):
    path: str
    tag: str
    model: type[E]
    read: type[BaseModel]
    create: type[BaseModel]
    update: type[BaseModel]
    create_fn: Callable[[Session, Ctx, Any], E]
    update_fn: Callable[[Session, Ctx, E, Any], None]
    filters: tuple[str, ...] = ()
    retire_check: Callable[[Session, E], None] | None = None
    writable_by: tuple[str, ...] = field(default=("admin", "officer", "service"))

    @property
    def sensitive(self) -> bool:
        """Special-category records (the catalogue's): every read is an audit event, and the
        read policy may close them as a whole."""
        k = catalogue.kind(self.model.__tablename__)
        return k is not None and k.sensitivity >= catalogue.Sensitivity.SPECIAL


def _shown(ctx: Ctx, res: Resource[Any], obj: Entity) -> Any:
    """One record as the caller may see it: every value the read policy closes to them (by
    class, or made of a kind closed to them) is null and named in ``masked_fields``. One step
    for every resource and every answer (list, read, the answer of a write)."""
    masked = policy.mask_record(ctx.principal, res.model.__tablename__, obj)
    return res.read.model_validate(obj if masked is None else masked)


def _check_maskable(res: Resource[Any]) -> None:
    """A resource some caller may be shown with values withheld must say so in its answer."""
    if policy.maskable(res.model.__tablename__) and "masked_fields" not in res.read.model_fields:
        raise TypeError(f"{res.read.__name__} must have masked_fields: {res.path} may be masked")


def _retire(session: Session, ctx: Ctx, obj: Entity, reason: str) -> None:
    # replace(), not a positional rebuild: that dropped org_scope and purpose from the audit.
    set_actor(session, replace(get_actor(session), reason=reason))
    if obj.retired_at is not None:
        raise Conflict("record is already retired")
    obj.retired_at = utcnow()
    session.flush()


def _may_read(res: Resource[Any], ctx: Ctx) -> None:
    """Sensitive records (party membership, discipline) open to administrators, officers and
    auditors who state a purpose, not to applications or to auditors without one."""
    if not policy.sees_kind(ctx.principal, res.model.__tablename__):
        raise Forbidden(
            f"{res.path} are sensitive personal data: state a purpose (X-Purpose) to read them"
            if ctx.principal.role == "auditor"
            else f"{res.path} are sensitive personal data, not open to role {ctx.principal.role}"
        )


def _log_reads(session: Session, ctx: Ctx, res: Resource[Any], verb: str, ids: list[str]) -> None:
    log_read(
        session,
        ctx,
        action=f"{res.model.__tablename__}.{verb}",
        object_type=res.model.__tablename__,
        object_ids=ids,
        fields=["record"],
    )
    session.commit()  # the reads are on record before anyone sees the data


def reevaluate_for(session: Session, obj: Entity) -> None:
    """A change to a person's records re-evaluates their posts in the same request."""
    people: set[uuid.UUID] = set()
    person_id = getattr(obj, "person_id", None)
    if isinstance(person_id, uuid.UUID):
        people.add(person_id)
    if isinstance(obj, Position):
        people |= set(
            session.scalars(
                sa.select(Assignment.person_id).where(
                    Assignment.position_id == obj.id, Assignment.retired_at.is_(None)
                )
            )
        )
    reevaluate_people(session, people)


# What a decision would raise, before anyone signs it: an appointment, a planning.
_DRY_RUNS: dict[type[Any], Callable[[Session, Any], list[Finding]]] = {
    Assignment: appointment_findings,
    PlanningEntry: planning_findings,
}


def _dry_run(session: Session, ctx: Ctx, res: Resource[Any], body: Any) -> Any:
    require_cadre_reader(ctx.principal)  # findings tell of sanctions and shortfalls
    judge = _DRY_RUNS.get(res.model)
    if judge is None:
        raise Invalid.field("query.dry_run", f"is not supported by {res.path}")  # unreachable
    savepoint = session.begin_nested()
    try:
        obj = res.create_fn(session, ctx, body)
        findings = judge(session, obj)
    finally:
        savepoint.rollback()
    return JSONResponse(
        {
            "dry_run": True,
            "findings": [
                {
                    "rule": f.rule,
                    "position_id": str(f.position_id) if f.position_id else None,
                    "person_id": str(f.person_id) if f.person_id else None,
                    "since": f.since.isoformat(),
                    **f.details(),
                }
                for f in findings
            ],
        }
    )


# List filters a resource may offer: each only where the resource has the column.
_FILTERS = {
    "person_id": "records of this person",
    "position_id": "records of this post",
}


def _filters_param(res: Resource[Any]) -> Callable[..., dict[str, uuid.UUID | None]]:
    """The list filters of ``res`` as one dependency whose signature has exactly the
    parameters the resource supports, so the OpenAPI document offers no other."""
    cols = res.model.__table__.c
    params = [
        inspect.Parameter(
            key,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[uuid.UUID | None, Query(description=text)],
        )
        for key, text in _FILTERS.items()
        if key in cols
    ]
    params.append(
        inspect.Parameter(
            "org_unit_id",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[uuid.UUID | None, Query(description="org unit subtree")],
        )
    )

    def filters(**values: uuid.UUID | None) -> dict[str, uuid.UUID | None]:
        return dict(values)

    filters.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return filters


def _dry_run_param(res: Resource[Any]) -> Callable[..., bool]:
    """``?dry_run=`` only on the resources that have a dry run (an appointment, a planning)."""
    if res.model not in _DRY_RUNS:

        def no_dry_run() -> bool:
            return False

        return no_dry_run

    def dry_run(
        dry_run: Annotated[
            bool,
            Query(description="return the findings the decision would raise, change nothing"),
        ] = False,
    ) -> bool:
        return dry_run

    return dry_run


def register(router: APIRouter, res: Resource[Any]) -> None:
    Read, Create, Update = res.read, res.create, res.update
    name = res.tag
    _check_maskable(res)

    dry_run_of = _dry_run_param(res)
    filters_of = _filters_param(res)

    @router.post(
        f"/{res.path}",
        response_model=Read,
        status_code=status.HTTP_201_CREATED,
        tags=[name],
        summary=f"Create a {name} record",
        operation_id=f"create_{res.path}",
    )
    def create(
        body: Create,  # type: ignore[valid-type]  # a per-resource model chosen at runtime
        session: SessionDep,
        ctx: CtxDep,
        response: Response,
        dry_run: Annotated[bool, Depends(dry_run_of)],
    ) -> Any:
        _may_read(res, ctx)  # a write answers with the record: no way round the read gate
        if ctx.principal.role not in res.writable_by:
            raise Forbidden(f"role {ctx.principal.role} may not create {res.path}")
        check_references(session, ctx.principal, res.model, body)
        if dry_run:
            return _dry_run(session, ctx, res, body)
        obj = res.create_fn(session, ctx, body)
        reevaluate_for(session, obj)
        session.commit()
        response.headers["ETag"] = etag_of(obj)
        response.headers["Location"] = f"/api/v1/{res.path}/{obj.id}"
        return _shown(ctx, res, obj)

    @router.get(
        f"/{res.path}",
        response_model=Page[Read],  # type: ignore[valid-type]
        tags=[name],
        summary=f"List {res.path}",
        operation_id=f"list_{res.path}",
    )
    def list_(
        session: SessionDep,
        ctx: CtxDep,
        filters: Annotated[dict[str, uuid.UUID | None], Depends(filters_of)],
        cursor: CursorQuery = None,
        limit: LimitQuery = 50,
        include_retired: bool = False,
    ) -> Any:
        _may_read(res, ctx)
        stmt = visible(sa.select(res.model), res.model, ctx.principal)
        cols: Any = res.model.__table__.c
        org_unit_id = filters.pop("org_unit_id", None)
        for key, value in filters.items():
            if value is not None:
                stmt = stmt.where(cols[key] == value)
        if org_unit_id is not None:
            org = get_visible(session, OrgUnit, org_unit_id, ctx.principal)
            stmt = stmt.where(scope_clause(res.model, org.path))
        if not include_retired:
            stmt = stmt.where(cols.retired_at.is_(None))
        items, nxt = page(session, stmt, res.model, cursor=cursor, limit=limit)
        answer = [_shown(ctx, res, i) for i in items]
        if res.sensitive:
            _log_reads(session, ctx, res, "list", [str(i.id) for i in items])
        return {"items": answer, "next_cursor": nxt}

    @router.get(
        f"/{res.path}/{{obj_id}}",
        response_model=Read,
        tags=[name],
        summary=f"Read one {name} record",
        operation_id=f"get_{res.path}",
    )
    def read(obj_id: uuid.UUID, session: SessionDep, ctx: CtxDep, response: Response) -> Any:
        _may_read(res, ctx)
        obj = get_visible(session, res.model, obj_id, ctx.principal)
        response.headers["ETag"] = etag_of(obj)
        answer = _shown(ctx, res, obj)
        if res.sensitive:
            _log_reads(session, ctx, res, "read", [str(obj.id)])
        return answer

    @router.patch(
        f"/{res.path}/{{obj_id}}",
        response_model=Read,
        tags=[name],
        summary=f"Change a {name} record (If-Match and X-Change-Reason required)",
        operation_id=f"update_{res.path}",
    )
    def update(
        obj_id: uuid.UUID,
        body: Update,  # type: ignore[valid-type]
        session: SessionDep,
        ctx: CtxDep,
        response: Response,
        reason: ReasonDep,
        if_match: IfMatchHeader,
    ) -> Any:
        _may_read(res, ctx)  # a write answers with the record: no way round the read gate
        obj = require_writable(session, res.model, obj_id, ctx.principal)
        if ctx.principal.role not in res.writable_by:
            raise Forbidden(f"role {ctx.principal.role} may not change {res.path}")
        check_if_match(if_match, etag_of(obj))
        check_references(session, ctx.principal, res.model, body)
        res.update_fn(session, ctx, obj, body)
        reevaluate_for(session, obj)
        session.commit()
        response.headers["ETag"] = etag_of(obj)
        return _shown(ctx, res, obj)

    @router.delete(
        f"/{res.path}/{{obj_id}}",
        response_model=Read,
        tags=[name],
        summary=f"Retire a {name} record (kept in history; never physically deleted)",
        operation_id=f"retire_{res.path}",
    )
    def retire(
        obj_id: uuid.UUID,
        session: SessionDep,
        ctx: CtxDep,
        response: Response,
        reason: ReasonDep,
        if_match: IfMatchHeader,
    ) -> Any:
        _may_read(res, ctx)  # a write answers with the record: no way round the read gate
        obj = require_writable(session, res.model, obj_id, ctx.principal)
        if ctx.principal.role not in res.writable_by:
            raise Forbidden(f"role {ctx.principal.role} may not retire {res.path}")
        check_if_match(if_match, etag_of(obj))
        if res.retire_check is not None:
            res.retire_check(session, obj)
        _retire(session, ctx, obj, reason)
        reevaluate_for(session, obj)
        session.commit()
        response.headers["ETag"] = etag_of(obj)
        return _shown(ctx, res, obj)
