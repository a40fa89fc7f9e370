"""Eight writers appending at once, with readers logging reads among them, produce one
contiguous chain that verifies, whether requests chain their own entries or a sequencer
chains them in batches."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from registry.audit.models import AuditEvent
from registry.audit.sequencer import sequence_all
from registry.audit.service import log_read
from registry.audit.verify import verify_all
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.org_units.models import OrgUnit
from registry.org_units.service import create_org_unit
from registry.runtime import Runtime
from schemas.org_units import OrgUnitCreate

WRITERS = 8
TRANSACTIONS = 12


def test_eight_concurrent_writers_one_chain(
    committed_engine: Engine, keys: StaticKeyProvider, tmp_path: Path
) -> None:
    rt = Runtime(Settings(var_dir=tmp_path / "var"), keys=keys, engine_override=committed_engine)
    with rt.sessions() as session:
        ctx = rt.system_ctx(session, reason="root")
        root = create_org_unit(
            session, ctx, OrgUnitCreate(code="ROOT", name="Đảng ủy phường", kind="party_committee")
        )
        session.commit()
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(TRANSACTIONS):
                with rt.sessions() as s:
                    c = rt.system_ctx(s, reason=f"writer {n}")
                    create_org_unit(
                        s,
                        c,
                        OrgUnitCreate(
                            code=f"W{n}-{i}",
                            name=f"Chi bộ {n}.{i}",
                            kind="party_cell",
                            parent_id=root.id,
                        ),
                    )
                    s.commit()
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with committed_engine.connect() as conn:
        report = verify_all(
            conn,
            public_key_b64=rt.audit.signer.public_key_b64(),
            checkpoint_dir=rt.settings.checkpoints_dir,
        )
    assert report.ok, report.problems
    # one event per org unit insert: the root plus every writer's units, no gaps, no forks
    assert report.events == 1 + WRITERS * TRANSACTIONS


READERS = 2
READS = 15


def test_writers_and_readers_with_batched_sequencing_one_chain(
    committed_engine: Engine, keys: StaticKeyProvider, tmp_path: Path
) -> None:
    """Requests only commit pending entries (half of them; the other half chain in their own
    transaction when the lock is free) while a sequencer chains batches beside them: every
    entry ends up on one contiguous chain exactly once, and it verifies."""
    batched = Settings(var_dir=tmp_path / "var", audit_sequence_in_request=False)
    inline = Settings(var_dir=tmp_path / "var", audit_sequence_in_request=True)
    runtimes = [Runtime(s, keys=keys, engine_override=committed_engine) for s in (batched, inline)]
    rt = runtimes[0]
    with rt.sessions() as session:
        ctx = rt.system_ctx(session, reason="root")
        root = create_org_unit(
            session, ctx, OrgUnitCreate(code="ROOT", name="Đảng ủy phường", kind="party_committee")
        )
        session.commit()
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS + READERS + 1)
    done = threading.Event()
    sequenced: list[int] = []

    def writer(n: int) -> None:
        own = runtimes[n % 2]
        try:
            start.wait()
            for i in range(TRANSACTIONS):
                with own.sessions() as s:
                    c = own.system_ctx(s, reason=f"writer {n}")
                    create_org_unit(
                        s,
                        c,
                        OrgUnitCreate(
                            code=f"W{n}-{i}",
                            name=f"Chi bộ {n}.{i}",
                            kind="party_cell",
                            parent_id=root.id,
                        ),
                    )
                    s.commit()
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    def reader(n: int) -> None:
        try:
            start.wait()
            for i in range(READS):
                with rt.sessions() as s:
                    c = rt.system_ctx(s, reason=f"reader {n}")
                    s.execute(sa.select(sa.func.count()).select_from(OrgUnit)).scalar()
                    log_read(
                        s,
                        c,
                        action="org_units.list",
                        object_type="org_units",
                        object_ids=[f"r{n}-{i}"],
                        fields=[],
                    )
                    s.commit()
        except BaseException as exc:
            errors.append(exc)

    def sequencer_loop() -> None:
        try:
            start.wait()
            while not done.is_set():
                sequenced.append(sequence_all(rt.sessions, rt.audit))
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    workers += [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    background = threading.Thread(target=sequencer_loop)
    for t in [*workers, background]:
        t.start()
    for t in workers:
        t.join()
    done.set()
    background.join()
    assert not errors, errors
    assert sum(sequenced) > 0  # the background sequencer did chain batches
    with committed_engine.connect() as conn:
        report = verify_all(
            conn,
            public_key_b64=rt.audit.signer.public_key_b64(),
            checkpoint_dir=rt.settings.checkpoints_dir,
        )
        entries = conn.execute(sa.select(AuditEvent.entry_id)).scalars().all()
    assert report.ok, report.problems
    assert report.unsequenced == 0
    total = 1 + WRITERS * TRANSACTIONS + READERS * READS
    assert report.events == total
    # every pending entry became exactly one event
    assert len(set(entries)) == len(entries) == total
