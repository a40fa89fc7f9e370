"""The sequencer: requests commit unsequenced entries; the sequencer chains them once, in
batches, and ``verify`` chains what is pending before it walks (or counts what is left)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import cast

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from registry.audit.chain import AuditConfig, append, draft, set_audit_config
from registry.audit.models import AuditEvent, AuditPending
from registry.audit.sequencer import sequence, sequence_all
from registry.audit.signing import Signer
from registry.audit.verify import verify_all
from registry.db import make_sessionmaker
from tests.conftest import PG_URL

PENDING = cast(sa.Table, AuditPending.__table__)
SIGNER = Signer.from_seed("test-seq", b"\x02" * 32)


def _config(tmp_path: Path, *, in_request: bool) -> AuditConfig:
    return AuditConfig(
        signer=SIGNER,
        checkpoint_dir=tmp_path / "cp",
        every_events=10_000,
        every_seconds=10_000 * 60,
        sequence_in_request=in_request,
    )


def _drafts(n: int, tag: str) -> list[dict[str, object]]:
    return [
        draft(
            actor=f"token:{i % 3}",
            role="officer",
            action="persons.read",
            object_type="persons",
            object_id=f"{tag}-{i}",
            fields=["file", "nid"],
        )
        for i in range(n)
    ]


def _verify(engine: Engine, *, sequence_first: bool = True, content: bool = True) -> object:
    with engine.connect() as conn:
        return verify_all(
            conn,
            public_key_b64=SIGNER.public_key_b64(),
            checkpoint_dir=None,
            sequence=sequence_first,
            content=content,
        )


def test_pending_entries_are_counted_then_chained_by_verify(
    committed_engine: Engine, tmp_path: Path
) -> None:
    sessions = make_sessionmaker(committed_engine)
    with sessions() as session:
        set_audit_config(session, _config(tmp_path, in_request=False))
        append(session, _drafts(7, "a"))
        append(session, _drafts(5, "b"))
        session.commit()
    report = _verify(committed_engine, sequence_first=False)
    assert report.ok, report.problems  # type: ignore[attr-defined]
    assert (report.events, report.unsequenced) == (0, 12)  # type: ignore[attr-defined]
    report = _verify(committed_engine)
    assert report.ok, report.problems  # type: ignore[attr-defined]
    assert (report.sequenced, report.events, report.unsequenced) == (12, 12, 0)  # type: ignore[attr-defined]
    with committed_engine.connect() as conn:
        ids = [r.object_id for r in conn.execute(sa.select(AuditEvent).order_by(AuditEvent.seq))]
    # chained in the order the entries were committed
    assert ids == [f"a-{i}" for i in range(7)] + [f"b-{i}" for i in range(5)]


def test_an_entry_in_request_chains_when_the_lock_is_free(
    committed_engine: Engine, tmp_path: Path
) -> None:
    sessions = make_sessionmaker(committed_engine)
    with sessions() as session:
        set_audit_config(session, _config(tmp_path, in_request=False))
        append(session, _drafts(3, "late"))
        session.commit()
    with sessions() as session:
        set_audit_config(session, _config(tmp_path, in_request=True))
        append(session, _drafts(2, "now"))
        session.commit()
    with committed_engine.connect() as conn:
        chained = conn.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar()
        pending = conn.execute(sa.select(sa.func.count()).select_from(PENDING)).scalar()
    # the request chained the earlier pending entries with its own
    assert (chained, pending) == (5, 0)
    assert sequence_all(sessions) == 0


def test_a_rolled_back_sequencer_leaves_the_entries_pending(
    committed_engine: Engine, tmp_path: Path
) -> None:
    sessions = make_sessionmaker(committed_engine)
    with sessions() as session:
        set_audit_config(session, _config(tmp_path, in_request=False))
        append(session, _drafts(4, "x"))
        session.commit()
    with sessions() as session:
        assert sequence(session, wait=True) == 4
        session.rollback()
    report = _verify(committed_engine, sequence_first=False)
    assert (report.events, report.unsequenced) == (0, 4)  # type: ignore[attr-defined]
    assert sequence_all(sessions) == 4
    assert _verify(committed_engine).events == 4  # type: ignore[attr-defined]


@pytest.mark.skipif(not PG_URL, reason="CADRE_TEST_DATABASE_URL is not set")
@pytest.mark.parametrize("committed_engine", ["postgresql"], indirect=True)
def test_postgres_refuses_to_change_or_drop_a_pending_entry(
    committed_engine: Engine, tmp_path: Path
) -> None:
    sessions = make_sessionmaker(committed_engine)
    with sessions() as session:
        set_audit_config(session, _config(tmp_path, in_request=False))
        append(session, _drafts(2, "p"))
        session.commit()
    for statement in (
        "UPDATE audit_pending SET actor = 'x'",
        "DELETE FROM audit_pending",
        "TRUNCATE audit_pending",
    ):
        with committed_engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as refused:
            conn.exec_driver_sql(statement)
        assert "refused" in str(refused.value)
    assert sequence_all(sessions) == 2  # the sequencer's move is the one way out
    assert _verify(committed_engine).ok  # type: ignore[attr-defined]


_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=16)


@st.composite
def _entries(draw: st.DrawFn) -> list[dict[str, object]]:
    out = []
    for _ in range(draw(st.integers(1, 4))):
        at = draw(
            st.datetimes(
                min_value=dt.datetime(1990, 1, 1),
                max_value=dt.datetime(2090, 1, 1),
                timezones=st.just(dt.UTC),
            )
        )
        out.append(
            {
                "occurred_at": at.replace(microsecond=draw(st.sampled_from([0, 1, 500_000]))),
                "actor": draw(_TEXT),
                "role": draw(_TEXT),
                "org_scope": draw(st.none() | _TEXT),
                "action": draw(_TEXT),
                "object_type": draw(_TEXT),
                "object_id": draw(st.none() | _TEXT),
                "fields": draw(st.lists(_TEXT, max_size=3)),
                "purpose": draw(st.none() | _TEXT),
                "request_id": draw(st.none() | _TEXT),
                "outcome": draw(_TEXT),
                "content_digest": draw(st.none() | _TEXT),
            }
        )
    return out


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=_entries())
def test_any_entry_chains_and_verifies(
    committed_engine: Engine, entries: list[dict[str, object]]
) -> None:
    """Whatever text an entry holds (quotes, backslashes, controls, any script, a whole
    second), the chain the sequencer writes recomputes in verify — on PostgreSQL from the
    canonical text the database renders, on SQLite from the rows."""
    with Session(committed_engine) as session:
        session.execute(sa.insert(PENDING), entries)
        assert sequence(session, wait=True) == len(entries)
        session.commit()
    # the chain only: arbitrary digests pair with no history version here
    report = _verify(committed_engine, content=False)
    assert report.ok, report.problems  # type: ignore[attr-defined]
    assert report.events >= len(entries)  # type: ignore[attr-defined]
