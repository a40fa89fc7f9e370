"""Verification of content (history versions against their events, live rows against their
latest versions) on a demo ward, beside the chain-only walk of the same database.

    .venv/bin/python bench/audit_content.py --persons 5000 [--sqlite] [--database-url URL]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import fresh_database
from registry.audit.verify import verify_all
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.demo import build_demo
from registry.runtime import Runtime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    keys = StaticKeyProvider(
        keys={"k1": secrets.token_bytes(32)}, current="k1", index_key=secrets.token_bytes(32)
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database(args.database_url, sqlite=args.sqlite) as engine,
    ):
        settings = Settings(var_dir=Path(tmp) / "var", database_url="sqlite://")
        rt = Runtime(settings, keys=keys, engine_override=engine)
        started = time.perf_counter()
        build_demo(rt, persons=args.persons, seed=2025, progress=None)
        built = time.perf_counter() - started
        key = rt.audit.signer.public_key_b64()
        with engine.connect() as conn:
            chain = verify_all(conn, public_key_b64=key, checkpoint_dir=None, content=False)
        with engine.connect() as conn:
            full = verify_all(conn, public_key_b64=key, checkpoint_dir=settings.checkpoints_dir)
        assert full.ok, full.problems
        backend = engine.dialect.name
    print(f"backend {backend}, demo ward of {args.persons:,} persons built in {built:.1f}s")
    print(
        f"events {full.events:,}, history versions {full.versions:,}, live rows {full.live_rows:,}"
    )
    print(
        f"chain only      : {chain.events / chain.seconds:10,.0f} events/s ({chain.seconds:.2f}s)"
    )
    print(f"chain + content : {full.events / full.seconds:10,.0f} events/s ({full.seconds:.2f}s)")
    print(f"ratio           : {chain.seconds / full.seconds:10.2f}  (chain only / full time)")


if __name__ == "__main__":
    main()
