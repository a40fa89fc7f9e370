"""As-of read of one personnel file with 20 recorded versions among N persons' history
(target: p95 under 20 ms on PostgreSQL), printed beside a raw baseline: the same versions
fetched with one hand-written SQL query on the same connection.

    .venv/bin/python bench/asof_read.py [--persons 100000] [--reads 300] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import fresh_database
from registry.audit.asof import file_as_of
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.history import RecordVersion
from registry.org_units.service import create_org_unit
from registry.persons.service import create_person, update_person
from registry.qualifications.service import create_qualification
from registry.runtime import Runtime
from schemas.org_units import OrgUnitCreate
from schemas.persons import PersonCreate, PersonUpdate
from schemas.qualifications import QualificationCreate

# Other people's history: one insert version of a person and four of their records each.
FILL_SQL = """
INSERT INTO record_versions (table_name, row_id, version, op, data, recorded_at, actor,
                             actor_role, reason, request_id, person_id)
SELECT t.name, gen_random_uuid(), 1, 'insert',
       json_build_object('family_name', 'Nguyễn', 'given_name', 'An', 'n', g),
       now() - (g || ' seconds')::interval, 'bench', 'admin', 'fill', NULL, p.pid
FROM generate_series(1, :n) AS g
CROSS JOIN LATERAL (SELECT gen_random_uuid() AS pid) AS p
CROSS JOIN (VALUES ('persons'), ('qualifications'), ('trainings'), ('assignments'),
                   ('evaluations')) AS t(name)
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    keys = StaticKeyProvider({"k1": b"\x01" * 32}, "k1", b"\x02" * 32)
    with fresh_database(args.database_url) as engine:
        with engine.begin() as conn:
            conn.execute(sa.text(FILL_SQL), {"n": args.persons})
            conn.exec_driver_sql("ANALYZE record_versions")
        var = Path(tempfile.mkdtemp(prefix="cadre-bench-"))
        rt = Runtime(Settings(var_dir=var), keys=keys, engine_override=engine)
        instants = []
        with rt.sessions() as session:
            ctx = rt.system_ctx(session, reason="bench")
            org = create_org_unit(
                session, ctx, OrgUnitCreate(code="CB", name="Chi bộ", kind="party_cell")
            )
            person = create_person(
                session,
                ctx,
                PersonCreate(
                    org_unit_id=org.id,
                    nid="031185001234",
                    family_name="Nguyễn",
                    middle_name="Thị Thu",
                    given_name="Hà",
                    birth_date="1985-03-14",
                    sex="F",
                    ethnicity_code="01",
                    religion_code="00",
                ),
            )
            for level in ("so_cap", "trung_cap"):
                create_qualification(
                    session,
                    ctx,
                    QualificationCreate(person_id=person.id, kind="political_theory", level=level),
                )
            session.commit()
            for i in range(19):  # 20 versions of the person in all
                update_person(session, ctx, person, PersonUpdate(other_names=f"Tên {i}"))
                session.commit()
                instants.append(session.scalar(sa.select(sa.func.max(RecordVersion.recorded_at))))
        rng = random.Random(7)
        ours, raw = [], []
        with rt.sessions() as session:
            ctx = rt.system_ctx(session, reason="bench read")
            dbapi = session.connection().connection.dbapi_connection
            assert dbapi is not None
            for _ in range(args.reads):
                at = rng.choice(instants)
                started = time.perf_counter()
                file_as_of(session, ctx, person.id, at)
                ours.append(time.perf_counter() - started)
                started = time.perf_counter()
                with dbapi.cursor() as cur:
                    cur.execute(
                        "SELECT table_name, row_id, data FROM record_versions "
                        "WHERE person_id = %s AND recorded_at <= %s ORDER BY seq",
                        (person.id, at),
                    )
                    cur.fetchall()
                raw.append(time.perf_counter() - started)
    p95_ours, p95_raw = percentile(ours, 0.95) * 1000, percentile(raw, 0.95) * 1000
    print(
        f"PostgreSQL, {args.persons:,} other persons' history "
        f"({args.persons * 5:,} version rows), one file with 20 versions, {args.reads} reads"
    )
    print(
        f"raw SQL of the versions : p50 {statistics.median(raw) * 1000:6.2f} ms  "
        f"p95 {p95_raw:6.2f} ms"
    )
    print(
        f"as-of file (decrypted)  : p50 {statistics.median(ours) * 1000:6.2f} ms  "
        f"p95 {p95_ours:6.2f} ms  (target p95 < 20 ms)"
    )
    print(f"ratio p95 as-of / raw   : {p95_ours / p95_raw:6.2f}")


if __name__ == "__main__":
    main()
