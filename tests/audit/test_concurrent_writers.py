"""Eight writers appending at once produce one contiguous chain that verifies."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy.engine import Engine

from registry.audit.verify import verify_all
from registry.config import Settings
from registry.crypto import StaticKeyProvider
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
