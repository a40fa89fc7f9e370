"""The bulk import's audit trail, on both backends: its events join the one chain after what
was pending, every imported row's version pairs with its event by digest, and a tampered
imported version or event is named by `verify_all`."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from pathlib import Path
from typing import cast

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.audit import chain, sequencer
from registry.audit.content import DIGESTED, content_digest
from registry.audit.models import AuditEvent, AuditPending
from registry.audit.verify import VerifyReport, verify_all
from registry.history import Actor, RecordVersion
from registry.org_units.models import OrgUnit
from registry.persons import importer
from registry.persons.bulk import NewRows
from registry.persons.bulk_copy import prepare_audit
from registry.persons.models import Person, Provenance
from registry.runtime import Runtime
from tests.integration.test_import import cell, row, run, write

__all__ = ["cell"]  # the fixture, shared with the import's own tests

EVENTS = cast(sa.Table, AuditEvent.__table__)
VERSIONS = cast(sa.Table, RecordVersion.__table__)


def _verify(conn: sa.Connection, runtime: Runtime) -> VerifyReport:
    return verify_all(
        conn,
        public_key_b64=runtime.audit.signer.public_key_b64(),
        checkpoint_dir=runtime.settings.checkpoints_dir,
    )


def _unguard(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Superuser only: switches off the append-only triggers for this transaction.
        session.execute(sa.text("SET LOCAL session_replication_role = replica"))


def _pending_entry(runtime: Runtime) -> None:
    """An entry a request committed and no sequencer has chained yet."""
    with runtime.sessions() as s:
        entry = chain.draft(
            actor="user:test", role="viewer", action="persons.read", object_type="persons",
            object_id=None, fields=[],
        )  # fmt: skip
        sequencer.insert_pending(s, [entry])
        s.commit()


def test_import_events_follow_what_was_pending_on_one_contiguous_verifying_chain(
    runtime: Runtime,
    session: Session,
    cell: OrgUnit,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importer, "BATCH_ROWS", 3)  # three batches, three transactions
    _pending_entry(runtime)
    result, report = run(runtime, write(tmp_path / "p.csv", [row(i) for i in range(1, 8)]))
    assert (result.imported, result.rejected, report) == (7, 0, [])

    seqs = list(session.scalars(sa.select(EVENTS.c.seq).order_by(EVENTS.c.seq)))
    assert seqs == list(range(1, len(seqs) + 1))
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditPending)) == 0
    [read_seq] = session.scalars(sa.select(EVENTS.c.seq).where(EVENTS.c.action == "persons.read"))
    imported = session.execute(
        sa.select(EVENTS.c.seq, EVENTS.c.object_id, EVENTS.c.content_digest).where(
            EVENTS.c.action.in_(["persons.insert", "provenance.insert"])
        )
    ).all()
    ids = {str(i) for i in session.scalars(sa.select(Person.id))}
    ids |= {str(i) for i in session.scalars(sa.select(Provenance.id))}
    assert sorted(e.object_id for e in imported) == sorted(ids)  # one event per row
    assert all(e.seq > read_seq for e in imported)
    # Each event carries the digest of its row's version, recomputed from the stored row.
    for event in imported:
        version = session.execute(
            sa.select(VERSIONS).where(VERSIONS.c.row_id == uuid.UUID(event.object_id))
        ).mappings()
        [stored] = version.all()
        assert event.content_digest == content_digest(dict(stored))
    verified = _verify(session.connection(), runtime)
    assert verified.ok, verified.problems
    assert verified.events == len(seqs)


def test_a_tampered_imported_version_is_named(
    runtime: Runtime, session: Session, cell: OrgUnit, tmp_path: Path
) -> None:
    run(runtime, write(tmp_path / "p.csv", [row(i) for i in range(1, 6)]))
    seq = session.scalars(
        sa.select(VERSIONS.c.seq).where(VERSIONS.c.table_name == "persons").order_by(VERSIONS.c.seq)
    ).all()[2]
    data = session.execute(sa.select(VERSIONS.c.data).where(VERSIONS.c.seq == seq)).scalar_one()
    _unguard(session)
    session.execute(
        sa.update(VERSIONS)
        .where(VERSIONS.c.seq == seq)
        .values(data={**data, "given_name": data["given_name"] + " (sửa)"})
    )
    report = _verify(session.connection(), runtime)
    assert report.first_bad_seq is None, report.problems  # the chain itself is whole
    assert report.first_bad_row is not None
    assert f"record_versions seq {seq}" in report.first_bad_row, report.problems
    session.rollback()


def test_a_tampered_imported_event_is_named(
    runtime: Runtime, session: Session, cell: OrgUnit, tmp_path: Path
) -> None:
    run(runtime, write(tmp_path / "p.csv", [row(i) for i in range(1, 6)]))
    seq = session.scalars(
        sa.select(EVENTS.c.seq).where(EVENTS.c.action == "persons.insert").order_by(EVENTS.c.seq)
    ).all()[3]
    _unguard(session)
    session.execute(sa.update(EVENTS).where(EVENTS.c.seq == seq).values(fields=["given_name"]))
    report = _verify(session.connection(), runtime)
    assert report.first_bad_seq == seq, report.problems
    session.rollback()


def test_snapshot_texts_are_the_digests_canonical_json() -> None:
    """The COPY path digests the snapshot text as it is sent; that only holds if the text
    is exactly the canonical encoding of what the database will give back."""
    at = dt.datetime(2026, 7, 1, 8, 30, 0, 123456, tzinfo=dt.UTC)
    place = {"unit_code": "01", "text": "Hà Nội \u0111\u1ea1i", "code_list": "2025"}
    rows = NewRows(
        Person,
        (
            "id", "version", "created_at", "nid_ct", "family_name", "given_name",
            "salary_coefficient", "birth_place", "birth_year",
        ),
        [(
            uuid.uuid4(), 1, at, b"\x00\xff", 'Nguyễn "Tí" \\ \u2028', "Hà\tÁ",
            decimal.Decimal("2.34"), place, 1985,
        )],
    )  # fmt: skip
    [(row_id, text)] = list(rows.snapshot_texts())
    encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert text == encoder.encode(json.loads(text))
    for request_id in (None, "r-1"):
        actor = Actor(actor_id="cli:root", role="admin", reason="lý do", request_id=request_id)
        prepare_audit(rows, actor, at)
        history = ("persons", row_id, 1, "insert", text, at, "cli:root", "admin", "lý do")
        version = dict(zip(DIGESTED, (*history, request_id, row_id), strict=True))
        assert rows.audit[row_id][0] == content_digest(version)
