"""Signed export bundles: a person's full recorded history, the audit events about it, and the
covering checkpoint — verifiable offline with only the registry's public key."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.audit import sequencer
from registry.audit.chain import AuditConfig, chain_hash, checkpoint_now
from registry.audit.models import AuditEvent
from registry.audit.signing import Signer, verify
from registry.dates import utcnow
from registry.history import RecordVersion, to_jsonable

FORMAT = "cadre-audit-bundle/1"
_EVENTS = cast(sa.Table, AuditEvent.__table__)


def build_bundle(session: Session, config: AuditConfig, person_id: uuid.UUID) -> dict[str, Any]:
    """Every table's versions of the person's rows (the history is kept per row with the
    person's id, whatever the kind), their events, the checkpoint over them; what is still
    pending is chained first so the bundle carries every event committed so far."""
    sequencer.sequence(session, wait=True)
    versions = session.scalars(
        sa.select(RecordVersion)
        .where(RecordVersion.person_id == person_id)
        .order_by(RecordVersion.seq)
    ).all()
    ids = {str(v.row_id) for v in versions} | {str(person_id)}
    events = [
        {k: to_jsonable(v) for k, v in row._mapping.items()}
        for row in session.execute(
            sa.select(_EVENTS).where(_EVENTS.c.object_id.in_(ids)).order_by(_EVENTS.c.seq)
        )
    ]
    checkpoint = checkpoint_now(session, config)
    body = {
        "format": FORMAT,
        "person_id": str(person_id),
        "generated_at": utcnow().isoformat(),
        "versions": [
            {c.key: to_jsonable(getattr(v, c.key)) for c in RecordVersion.__table__.columns}
            for v in versions
        ],
        "events": events,
        "checkpoint": checkpoint,
    }
    return {"bundle": body, "key_id": config.signer.key_id, "signature": config.signer.sign(body)}


def verify_bundle(doc: dict[str, Any], public_key_b64: str) -> list[str]:
    """Every reason the bundle cannot be trusted; empty when it verifies."""
    body = doc.get("bundle")
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        return ["not a cadre audit bundle"]
    problems = []
    if not verify(public_key_b64, body, str(doc.get("signature", ""))):
        problems.append("bundle signature does not verify")
    cp = body.get("checkpoint") or {}
    statement = {k: cp.get(k) for k in ("seq", "head_hash", "created_at")}
    if not verify(public_key_b64, statement, str(cp.get("signature", ""))):
        problems.append("checkpoint signature does not verify")
    for ev in body.get("events", []):
        try:
            parsed = {**ev, "occurred_at": dt.datetime.fromisoformat(ev["occurred_at"])}
            ok = chain_hash(ev["prev_hash"], parsed) == ev["hash"]
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            problems.append(f"event {ev.get('seq')} does not match its hash")
        elif isinstance(cp.get("seq"), int) and ev["seq"] > cp["seq"]:
            problems.append(f"event {ev['seq']} is not covered by the checkpoint")
    return problems


def signer_public_key(signer: Signer) -> str:
    return signer.public_key_b64()
