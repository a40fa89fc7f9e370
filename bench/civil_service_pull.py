"""Full civil-service pull of N officials from the loopback simulator (target ≥ 2,000
records/s), then a delta of 1,000 changes (target ≤ 5% of the full pull's time). Printed
beside a raw baseline: the same pages fetched by a bare httpx loop that applies nothing.

    .venv/bin/python bench/civil_service_pull.py [--officials 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sync.jobs  # noqa: F401 - registers the jobs
from adapters.civil_service.simulator import CivilServiceSim
from adapters.serve import running_simulator
from bench._db import fresh_database
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.dates import utcnow
from registry.nid import parse_nid
from registry.org_units.service import create_org_unit
from registry.runtime import Runtime
from registry.text import search_key
from schemas.org_units import OrgUnitCreate
from sync.runs import run_job


def fill_registry(rt: Runtime, nids: list[str], docs: dict[str, dict[str, object]]) -> None:
    """The registry's side: one person per official (set-based; the bench measures the pull)."""
    with rt.sessions() as session:
        ctx = rt.system_ctx(session, reason="bench")
        org = create_org_unit(
            session, ctx, OrgUnitCreate(code="VP", name="Văn phòng", kind="specialised_office")
        )
        session.commit()
        rows = []
        now = utcnow()
        for nid in nids:
            pid = uuid.uuid4()
            rows.append(
                {
                    "id": pid,
                    "org_unit_id": org.id,
                    "version": 1,
                    "nid_ct": rt.cipher.encrypt(nid, table="persons", column="nid_ct", row_id=pid),
                    "nid_bidx": rt.cipher.blind_index(nid, purpose="nid"),
                    "family_name": "Nguyễn",
                    "middle_name": "Văn",
                    "given_name": "An",
                    "search_key": search_key("Nguyễn Văn An"),
                    "other_names": "",
                    "birth_date": str(docs[nid]["birth_date"]),
                    "birth_year": parse_nid(nid).birth_year,
                    "sex": {"1": "M", "2": "F"}[str(docs[nid]["sex"])],
                    "ethnicity_code": "01",
                    "religion_code": "00",
                    "life_status": "alive",
                    "rank_code": "01.003",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        table = sa.Table("persons", sa.MetaData(), autoload_with=session.connection())
        for start in range(0, len(rows), 5000):
            session.execute(table.insert(), rows[start : start + 5000])
        session.commit()


def raw_pages(base: str, sim: CivilServiceSim) -> float:
    started = time.perf_counter()
    with httpx.Client(base_url=base, timeout=60) as client:
        token = client.post(
            "/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": sim.core.client_id,
                "client_secret": sim.core.client_secret,
            },
        ).json()["access_token"]
        cursor = None
        while True:
            params = {"limit": "500"} | ({"cursor": cursor} if cursor else {})
            page = client.get(
                "/api/v1/officials", params=params, headers={"Authorization": f"Bearer {token}"}
            ).json()
            cursor = page["next_cursor"]
            if cursor is None:
                return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--officials", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--database-url")
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    sim = CivilServiceSim(seed=3)
    sim.store.seed(args.officials, distinct_seconds=600)
    nids = list(sim.store.officials)  # generated numbers can repeat: the store keeps one
    keys = StaticKeyProvider({"k1": b"\x03" * 32}, "k1", b"\x04" * 32)
    with (
        fresh_database(args.database_url, sqlite=args.sqlite) as engine,
        running_simulator(sim.app) as base,
    ):
        settings = Settings(
            var_dir=Path(tempfile.mkdtemp(prefix="cadre-bench-")),
            civil_service_url=base,
            civil_service_client_id=sim.core.client_id,
            civil_service_client_secret=SecretStr(sim.core.client_secret),
        )
        rt = Runtime(settings, keys=keys, engine_override=engine)
        fill_registry(rt, nids, sim.store.officials)
        raw = raw_pages(base, sim)
        started = time.perf_counter()
        full = run_job(rt, "civil-service-pull")
        full_s = time.perf_counter() - started
        assert full is not None and full.status == "ok", full.errors if full else None
        for nid in nids[: args.changes]:
            sim.store.touch(nid, salary_step=7)
        started = time.perf_counter()
        delta = run_job(rt, "civil-service-pull")
        delta_s = time.perf_counter() - started
        assert delta is not None and delta.status == "ok"
        backend = engine.dialect.name
    print(f"{backend}, {len(nids):,} officials from the loopback simulator")
    print(f"raw paging (httpx, nothing applied): {len(nids) / raw:10,.0f} records/s")
    print(
        f"civil-service-pull, full           : {args.officials / full_s:10,.0f} records/s "
        f"({full_s:.1f} s; target ≥ 2,000/s)  ratio to raw {raw / full_s:.2f}"
    )
    print(
        f"delta of {args.changes:,} changes            : {delta_s:.2f} s = "
        f"{100 * delta_s / full_s:.1f}% of the full pull (target ≤ 5%); "
        f"applied {delta.counts.get('applied', 0)}"
    )


if __name__ == "__main__":
    main()
