"""Every single-row tampering of the audit table is caught by `verify_all`, on both backends;
a rewrite of the whole table is caught by the checkpoints kept outside the database."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import cast

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.audit.chain import AuditConfig, append, chain_hash, checkpoint_now, draft
from registry.audit.models import AuditEvent
from registry.audit.signing import Signer
from registry.audit.verify import verify_all
from registry.history import Actor, set_actor

EVENTS = 240
AUDIT = cast(sa.Table, AuditEvent.__table__)


@pytest.fixture
def config(tmp_path: Path) -> AuditConfig:
    return AuditConfig(
        signer=Signer.from_seed("test-1", b"\x01" * 32),
        checkpoint_dir=tmp_path / "cp",
        every_events=10_000,
        every_seconds=10_000 * 60,
    )


@pytest.fixture
def chain(session: Session, config: AuditConfig) -> Session:
    set_actor(session, Actor("test", "admin", "tamper test"))
    for i in range(EVENTS // 20):
        append(
            session,
            [
                draft(
                    actor=f"token:{j % 3}",
                    role="officer",
                    action="persons.read",
                    object_type="persons",
                    object_id=f"obj-{i}-{j}",
                    fields=["nid", "file"],
                )
                for j in range(20)
            ],
        )
    session.flush()
    return session


def _report(session: Session, config: AuditConfig) -> object:
    return verify_all(
        session.connection(),
        public_key_b64=config.signer.public_key_b64(),
        checkpoint_dir=config.checkpoint_dir,
    )


def _unguard(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Superuser only: switches off the append-only triggers for this transaction.
        session.execute(sa.text("SET LOCAL session_replication_role = replica"))


def _edit(session: Session, seq: int) -> int:
    session.execute(
        sa.text("UPDATE audit_events SET actor = 'someone-else' WHERE seq = :s"), {"s": seq}
    )
    return seq


def _delete(session: Session, seq: int) -> int:
    session.execute(sa.text("DELETE FROM audit_events WHERE seq = :s"), {"s": seq})
    return seq


def _swap(session: Session, seq: int) -> int:
    a, b = (seq, seq + 1) if seq < EVENTS else (seq - 1, seq)
    session.execute(sa.text("UPDATE audit_events SET seq = -1 WHERE seq = :a"), {"a": a})
    session.execute(sa.text("UPDATE audit_events SET seq = :a WHERE seq = :b"), {"a": a, "b": b})
    session.execute(sa.text("UPDATE audit_events SET seq = :b WHERE seq = -1"), {"b": b})
    return a


def _insert(session: Session, seq: int) -> int:
    """Shift the tail up by one and forge a well-hashed event into the gap."""
    rows = session.execute(
        sa.text("SELECT seq FROM audit_events WHERE seq >= :s ORDER BY seq DESC"), {"s": seq}
    ).all()
    for (s,) in rows:
        session.execute(
            sa.text("UPDATE audit_events SET seq = :n WHERE seq = :o"), {"n": s + 1, "o": s}
        )
    prev = (
        session.execute(
            sa.text("SELECT hash FROM audit_events WHERE seq = :p"), {"p": seq - 1}
        ).scalar()
        or "0" * 64
    )
    forged = {
        **draft(
            actor="forger",
            role="admin",
            action="persons.update",
            object_type="persons",
            object_id="x",
            fields=["nid"],
        ),
        "seq": seq,
        "occurred_at": dt.datetime.now(dt.UTC),
    }
    forged["prev_hash"], forged["hash"] = prev, chain_hash(prev, forged)
    session.execute(sa.insert(AUDIT), [forged])
    return seq


TAMPERS = {"edit": _edit, "delete": _delete, "swap": _swap, "insert": _insert}


def test_untouched_chain_verifies(chain: Session, config: AuditConfig) -> None:
    report = _report(chain, config)
    assert report.ok, report.problems  # type: ignore[attr-defined]
    assert report.events == EVENTS  # type: ignore[attr-defined]


def test_single_row_tampering_is_always_detected(chain: Session, config: AuditConfig) -> None:
    rng = random.Random(20261126)
    places = rng.sample(range(1, EVENTS + 1), 100)
    detected = 0
    for i, seq in enumerate(places):
        kind = list(TAMPERS)[i % len(TAMPERS)]
        savepoint = chain.begin_nested()
        _unguard(chain)
        bad_at = TAMPERS[kind](chain, seq)
        report = _report(chain, config)
        savepoint.rollback()
        assert not report.ok, f"{kind} at {seq} went unnoticed"  # type: ignore[attr-defined]
        first_bad = report.first_bad_seq  # type: ignore[attr-defined]
        assert first_bad is not None and first_bad <= bad_at + 1, (kind, seq, first_bad)
        detected += 1
    assert detected == 100


def test_tail_deletion_is_detected_by_the_head(chain: Session, config: AuditConfig) -> None:
    _unguard(chain)
    _delete(chain, EVENTS)
    report = _report(chain, config)
    assert not report.ok  # type: ignore[attr-defined]
    assert report.first_bad_seq == EVENTS  # type: ignore[attr-defined]


def test_whole_table_rewrite_is_caught_by_external_checkpoints(
    chain: Session, config: AuditConfig
) -> None:
    checkpoint_now(chain, config)
    chain.commit()  # writes var/checkpoints/… (the test transaction still rolls back at the end)
    assert list(config.checkpoint_dir.glob("checkpoint-*.json"))
    _unguard(chain)
    # The insider recomputes a perfectly consistent chain with one actor changed, fixes the
    # head, and drops the checkpoints table they cannot re-sign.
    rows = chain.execute(sa.select(AUDIT).order_by(AUDIT.c.seq)).mappings().all()
    chain.execute(sa.text("DELETE FROM audit_events"))
    chain.execute(sa.text("DELETE FROM audit_checkpoints"))
    prev = "0" * 64
    forged = []
    for row in rows:
        ev = dict(row)
        if ev["seq"] == 7:
            ev["actor"] = "someone-else"
        ev["prev_hash"], ev["hash"] = prev, chain_hash(prev, ev)
        prev = ev["hash"]
        forged.append(ev)
    chain.execute(sa.insert(AUDIT), forged)
    chain.execute(sa.text("UPDATE audit_head SET hash = :h"), {"h": prev})
    # Without the external copies the forgery would pass:
    inside_only = verify_all(
        chain.connection(), public_key_b64=config.signer.public_key_b64(), checkpoint_dir=None
    )
    assert inside_only.ok
    report = _report(chain, config)
    assert not report.ok  # type: ignore[attr-defined]
    assert any("rewritten" in p for p in report.problems)  # type: ignore[attr-defined]


def test_forged_checkpoint_signature_is_refused(chain: Session, config: AuditConfig) -> None:
    other = AuditConfig(
        signer=Signer.from_seed("evil", b"\x02" * 32), checkpoint_dir=config.checkpoint_dir
    )
    checkpoint_now(chain, other)
    report = _report(chain, config)
    assert not report.ok  # type: ignore[attr-defined]
    assert any("signature" in p for p in report.problems)  # type: ignore[attr-defined]
