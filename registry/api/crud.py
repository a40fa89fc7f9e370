"""One factory for the create / read / update / list / retire routes of a resource.

Every route checks scope at object level, answers with an ETag, requires If-Match and a
stated reason for changes, and commits at the edge. Aggregates with extra actions add their
own routes beside these.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from registry import catalogue
from registry.access import policy
from registry.access.scope import get_visible, require_writable, scope_clause, visible
from registry.alerts.privacy import require_cadre_reader
from registry.alerts.service import reevaluate_people
from registry.api.deps import CtxDep, ReasonDep, SessionDep, check_if_match
from registry.api.errors import ERROR_RESPONSES
from registry.api.pagination import page
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
        raise Invalid.field("query.dry_run", f"is not supported by {res.path}")
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
                    "position_id": str(f.position_id),
                    "person_id": str(f.person_id) if f.person_id else None,
                    "since": f.since.isoformat(),
                    **f.details(),
                }
                for f in findings
            ],
        }
    )


def register(router: APIRouter, res: Resource[Any]) -> None:
    Read, Create, Update = res.read, res.create, res.update
    name = res.tag
    _check_maskable(res)

    @router.post(
        f"/{res.path}",
        response_model=Read,
        status_code=status.HTTP_201_CREATED,
        tags=[name],
        summary=f"Create a {name} record",
        responses=ERROR_RESPONSES,
        operation_id=f"create_{res.path}",
    )
    def create(
        body: Create,  # type: ignore[valid-type]  # a per-resource model chosen at runtime
        session: SessionDep,
        ctx: CtxDep,
        response: Response,
        dry_run: Annotated[
            bool,
            Query(
                description="assignments only: return the findings the appointment would raise, "
                "and change nothing"
            ),
        ] = False,
    ) -> Any:
        _may_read(res, ctx)  # a write answers with the record: no way round the read gate
        if ctx.principal.role not in res.writable_by:
            raise Forbidden(f"role {ctx.principal.role} may not create {res.path}")
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
        responses=ERROR_RESPONSES,
        operation_id=f"list_{res.path}",
    )
    def list_(
        session: SessionDep,
        ctx: CtxDep,
        cursor: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        include_retired: bool = False,
        person_id: uuid.UUID | None = None,
        position_id: uuid.UUID | None = None,
        org_unit_id: uuid.UUID | None = None,
    ) -> Any:
        _may_read(res, ctx)
        stmt = visible(sa.select(res.model), res.model, ctx.principal)
        cols: Any = res.model.__table__.c
        for key, value in (("person_id", person_id), ("position_id", position_id)):
            if value is not None:
                if key not in cols:
                    raise Invalid.field(f"query.{key}", f"is not a filter of {res.path}")
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
        responses=ERROR_RESPONSES,
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
        responses=ERROR_RESPONSES,
        operation_id=f"update_{res.path}",
    )
    def update(
        obj_id: uuid.UUID,
        body: Update,  # type: ignore[valid-type]
        session: SessionDep,
        ctx: CtxDep,
        response: Response,
        reason: ReasonDep,
        if_match: Annotated[str | None, Header()] = None,
    ) -> Any:
        _may_read(res, ctx)  # a write answers with the record: no way round the read gate
        obj = require_writable(session, res.model, obj_id, ctx.principal)
        if ctx.principal.role not in res.writable_by:
            raise Forbidden(f"role {ctx.principal.role} may not change {res.path}")
        check_if_match(if_match, etag_of(obj))
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
        responses=ERROR_RESPONSES,
        operation_id=f"retire_{res.path}",
    )
    def retire(
        obj_id: uuid.UUID,
        session: SessionDep,
        ctx: CtxDep,
        response: Response,
        reason: ReasonDep,
        if_match: Annotated[str | None, Header()] = None,
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
