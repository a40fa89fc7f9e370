"""Appending to the audit hash chain.

``append`` writes the caller's entries unsequenced (``audit_pending``) in the caller's
transaction, so an entry exists exactly when the change or read it describes does, and the
caller never waits on the chain's head. ``registry.audit.sequencer`` numbers and chains them:
in the same transaction when its lock is free (``AuditConfig.sequence_in_request``), else
in a later batch. The hash of an event is the same either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from registry.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from registry.audit.signing import Signer
from registry.dates import utcnow

GENESIS = "0" * 64
CONFIG_KEY = "cadre.audit"
PENDING_KEY = "cadre.audit.pending_checkpoints"
_EVENTS = cast(sa.Table, AuditEvent.__table__)
_HEAD = cast(sa.Table, AuditHead.__table__)
_CHECKPOINTS = cast(sa.Table, AuditCheckpoint.__table__)
# Order of the canonical form; changing it invalidates every stored chain.
CANONICAL_FIELDS = (
    "seq",
    "occurred_at",
    "actor",
    "role",
    "org_scope",
    "action",
    "object_type",
    "object_id",
    "fields",
    "purpose",
    "request_id",
    "outcome",
)
# Hashed after CANONICAL_FIELDS only when set, so events without it (reads, and everything
# recorded before digests existed) hash exactly as they always did.
DIGEST_FIELD = "content_digest"


@dataclass(frozen=True)
class AuditConfig:
    """Set on a session by the edge so appends can sign checkpoints when they fall due."""

    signer: Signer
    checkpoint_dir: Path
    every_events: int = 1000
    # A checkpoint at least this often while events arrive (the head is signed on the first
    # append after the interval): at most this much of the chain is ever unanchored outside.
    every_seconds: int = 60
    # Chain pending entries in the request's own transaction when the sequencer's lock is
    # free (never waiting for it); off: only the background sequencer and on-demand runs.
    sequence_in_request: bool = True


def set_audit_config(session: Session, config: AuditConfig) -> None:
    session.info[CONFIG_KEY] = config


# One encoder reused: json.dumps with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def canonical_values(values: list[Any]) -> bytes:
    """``values`` in CANONICAL_FIELDS order, ``occurred_at`` an aware UTC datetime, then the
    content digest if the event has one."""
    values[1] = values[1].isoformat()
    return _ENCODER.encode(values).encode()


def canonical(ev: dict[str, Any]) -> bytes:
    values = [ev[k] for k in CANONICAL_FIELDS]
    if ev.get(DIGEST_FIELD) is not None:
        values.append(ev[DIGEST_FIELD])
    return canonical_values(values)


def chain_hash(prev_hash: str, ev: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(ev)).hexdigest()


def draft(
    *,
    actor: str,
    role: str,
    action: str,
    object_type: str,
    object_id: str | None,
    fields: list[str],
    outcome: str = "ok",
    org_scope: str | None = None,
    purpose: str | None = None,
    request_id: str | None = None,
    content_digest: str | None = None,
) -> dict[str, Any]:
    """An event to append; ``content_digest`` when it records a history version."""
    return {
        "actor": actor,
        "role": role,
        "org_scope": org_scope,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "fields": sorted(fields),
        "purpose": purpose,
        "request_id": request_id,
        "outcome": outcome,
        DIGEST_FIELD: content_digest,
    }


def append(session: Session, drafts: list[dict[str, Any]]) -> None:
    """Record ``drafts`` (from ``draft``) in the caller's transaction; the caller commits
    before it answers."""
    if not drafts:
        return
    from registry.audit import sequencer  # the sequencer builds on this module's hashing

    sequencer.insert_pending(session, drafts)
    config = session.info.get(CONFIG_KEY)
    if not isinstance(config, AuditConfig) or config.sequence_in_request:
        sequencer.sequence(session, wait=False)


def maybe_checkpoint(
    session: Session,
    seq: int,
    head_hash: str,
    last_seq: int,
    last_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    config = session.info.get(CONFIG_KEY)
    if not isinstance(config, AuditConfig):
        return  # no signer on this edge: `cadre audit checkpoint` or the scheduler will do it
    if isinstance(last_at, dt.datetime) and last_at.tzinfo is None:
        last_at = last_at.replace(tzinfo=dt.UTC)
    due_by_size = seq - last_seq >= config.every_events
    due_by_time = last_at is None or now - last_at >= dt.timedelta(seconds=config.every_seconds)
    if due_by_size or due_by_time:
        write_checkpoint(session, config, seq=seq, head_hash=head_hash, now=now)


def write_checkpoint(
    session: Session, config: AuditConfig, *, seq: int, head_hash: str, now: dt.datetime
) -> dict[str, Any]:
    statement = {"seq": seq, "head_hash": head_hash, "created_at": now.isoformat()}
    signed = {
        **statement,
        "key_id": config.signer.key_id,
        "signature": config.signer.sign(statement),
    }
    conn = session.connection()
    exists = conn.execute(sa.select(_CHECKPOINTS.c.seq).where(_CHECKPOINTS.c.seq == seq)).first()
    if exists is None:
        conn.execute(
            sa.insert(_CHECKPOINTS).values(
                seq=seq,
                head_hash=head_hash,
                created_at=now,
                key_id=config.signer.key_id,
                signature=signed["signature"],
            )
        )
    conn.execute(
        sa.update(_HEAD).where(_HEAD.c.id == 1).values(checkpoint_seq=seq, checkpoint_at=now)
    )
    # The file is written only once the transaction commits (a rolled-back chain never had it).
    session.info.setdefault(PENDING_KEY, []).append((config.checkpoint_dir, signed))
    return signed


def head(session: Session) -> tuple[int, str]:
    row = session.execute(sa.select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)).one()
    return int(row.seq), str(row.hash)


def checkpoint_now(session: Session, config: AuditConfig) -> dict[str, Any] | None:
    """Chain what is pending, then sign the head (the CLI, the scheduler, exports)."""
    from registry.audit import sequencer

    sequencer.sequence(session, wait=True)
    row = session.execute(
        sa.select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
    ).one()
    if int(row.seq) == 0:
        return None
    return write_checkpoint(
        session, config, seq=int(row.seq), head_hash=str(row.hash), now=utcnow()
    )


def checkpoint_file(directory: Path, seq: int) -> Path:
    return directory / f"checkpoint-{seq:012d}.json"


@event.listens_for(Session, "after_commit")
def _write_checkpoint_files(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    for directory, signed in pending or ():
        directory.mkdir(parents=True, exist_ok=True)
        path = checkpoint_file(directory, signed["seq"])
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(signed, sort_keys=True), encoding="utf-8")
        tmp.replace(path)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
