"""Audit verification rate (target ≥ 100,000 events/s), printed beside a raw baseline: the
same rows streamed from the same database by the same driver with nothing checked. The
events are committed unsequenced first, as requests do, and the sequencer's rate chaining
them is printed too.

    .venv/bin/python bench/audit_verify.py --events 200000 [--sqlite] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import fresh_database
from registry.audit.chain import AuditConfig, append, draft, set_audit_config
from registry.audit.sequencer import sequence_all
from registry.audit.signing import Signer
from registry.audit.verify import verify_all
from registry.db import make_sessionmaker


def fill(session: Session, n: int, config: AuditConfig | None = None) -> None:
    """``n`` read events in commits of 5,000; pending only when ``config`` says so."""
    if config is not None:
        set_audit_config(session, config)
    batch = 5000
    for start in range(0, n, batch):
        append(
            session,
            [
                draft(
                    actor=f"token:{i % 17}",
                    role="officer",
                    action="persons.read",
                    object_type="persons",
                    object_id=f"{i:032x}",
                    fields=["file", "nid"],
                    org_scope="0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69",
                    request_id=f"{i:016x}",
                )
                for i in range(start, min(n, start + batch))
            ],
        )
        session.commit()


def raw_stream(engine: sa.Engine) -> float:
    started = time.perf_counter()
    with engine.connect() as conn:
        result = conn.execute(
            sa.text("SELECT * FROM audit_events ORDER BY seq").execution_options(
                stream_results=True, yield_per=5000
            )
        )
        for _ in result:
            pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    signer = Signer.from_seed("bench", b"\x07" * 32)
    config = AuditConfig(
        signer=signer,
        checkpoint_dir=Path("/nonexistent"),
        every_events=10**9,
        every_seconds=10**9,
        sequence_in_request=False,
    )
    with fresh_database(args.database_url, sqlite=args.sqlite) as engine:
        with Session(engine) as session:
            fill(session, args.events, config)
        started = time.perf_counter()
        sequenced = sequence_all(make_sessionmaker(engine))
        sequencing = time.perf_counter() - started
        assert sequenced == args.events, sequenced
        baseline = raw_stream(engine)
        with engine.connect() as conn:
            report = verify_all(conn, public_key_b64=signer.public_key_b64(), checkpoint_dir=None)
        assert report.ok and report.events == args.events, report.problems
        backend = engine.dialect.name
    rate = args.events / report.seconds
    raw = args.events / baseline
    print(f"backend {backend}, {args.events:,} events")
    print(f"sequencer (chain+sign) : {args.events / sequencing:12,.0f} events/s")
    print(f"raw stream of the rows : {raw:12,.0f} rows/s")
    print(f"cadre audit verify     : {rate:12,.0f} events/s  (target ≥ 100,000)")
    print(f"ratio verify / raw     : {rate / raw:12.2f}")


if __name__ == "__main__":
    main()
