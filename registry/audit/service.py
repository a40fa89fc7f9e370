"""Audit events for reads and refusals (writes are logged by the history hook)."""

from __future__ import annotations

from collections.abc import Iterable

import structlog
from sqlalchemy.orm import Session, sessionmaker

from registry.access.principal import SENSITIVE_PERSON_FIELDS, Principal
from registry.audit import chain
from registry.context import Ctx

log = structlog.get_logger("registry.audit")


def read_outcome(principal: Principal) -> str:
    """An auditor reading without a stated purpose got masked data: the attempt is recorded."""
    return "ok" if principal.sees_sensitive else "masked"


def sensitive_fields_seen(principal: Principal) -> list[str]:
    return list(SENSITIVE_PERSON_FIELDS) if principal.sees_sensitive else []


def log_read(
    session: Session,
    ctx: Ctx,
    *,
    action: str,
    object_type: str,
    object_ids: Iterable[str],
    fields: list[str],
) -> None:
    """Append one read event per object; the caller commits BEFORE returning the data."""
    p = ctx.principal
    chain.append(
        session,
        [
            chain.draft(
                actor=p.subject,
                role=p.role,
                org_scope=_scope(p),
                action=action,
                object_type=object_type,
                object_id=oid,
                fields=fields,
                outcome=read_outcome(p),
                purpose=p.purpose,
                request_id=ctx.request_id,
            )
            for oid in object_ids
        ],
    )


def log_alert_reads(session: Session, ctx: Ctx, verb: str, ids: Iterable[str]) -> None:
    """An alert names a person and what they lack (a discipline in effect, a missing
    qualification): who looked at which alerts is on record, committed before the answer."""
    log_read(
        session,
        ctx,
        action=f"alerts.{verb}",
        object_type="alerts",
        object_ids=ids,
        fields=["details"],
    )
    session.commit()


def log_refusal(
    sessions: sessionmaker[Session],
    principal: Principal,
    *,
    action: str,
    path: str,
    request_id: str | None,
    config: chain.AuditConfig | None,
) -> None:
    """A refused request changes nothing, so its event goes in a transaction of its own."""
    try:
        with sessions() as session:
            if config is not None:
                chain.set_audit_config(session, config)
            chain.append(
                session,
                [
                    chain.draft(
                        actor=principal.subject,
                        role=principal.role,
                        org_scope=_scope(principal),
                        action=action,
                        object_type="request",
                        object_id=path[:64],
                        fields=[],
                        outcome="denied",
                        purpose=principal.purpose,
                        request_id=request_id,
                    )
                ],
            )
            session.commit()
    except Exception:  # the refusal stands even if its record cannot be written
        log.error("audit.refusal_not_recorded", action=action)


def _scope(p: Principal) -> str | None:
    return None if p.org_unit_id is None else str(p.org_unit_id)
