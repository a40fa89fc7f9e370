"""A registry with committed data and a keyring in ``var/keys`` shared with ``cadre`` processes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from registry.config import Settings
from registry.org_units.service import create_org_unit
from registry.persons.models import Person
from registry.persons.service import create_person, decrypt_field
from registry.runtime import Runtime
from schemas.org_units import OrgUnitCreate
from schemas.persons import PersonCreate
from sync.models import Quarantined
from sync.quarantine import quarantine
from tests.factories import nid_for, person_payload

ROOT = Path(__file__).resolve().parents[2]
PERSONS = 240
FIELDS = ("nid", "cmnd", "phone", "email")


@dataclass
class KeyedWard:
    rt: Runtime
    env: dict[str, str]
    # person id → field → plaintext, as written
    values: dict[object, dict[str, str | None]] = field(default_factory=dict)
    payload: str = ""

    def read_all(self) -> dict[object, dict[str, str | None]]:
        with self.rt.sessions() as session:
            ctx = self.rt.system_ctx(session, reason="read numbers")
            return {
                p.id: {f: decrypt_field(ctx, p, f) for f in FIELDS}
                for p in session.scalars(sa.select(Person))
            }

    def read_payload(self) -> str:
        with self.rt.sessions() as session:
            row = session.scalars(sa.select(Quarantined)).one()
            assert row.payload_ct is not None
            return self.rt.cipher.decrypt(
                row.payload_ct, table="sync_quarantine", column="payload_ct", row_id=row.id
            )


def _fill(rt: Runtime) -> KeyedWard:
    ward = KeyedWard(rt=rt, env={})
    with rt.sessions.begin() as session:
        ctx = rt.system_ctx(session, reason="keys test ward")
        unit = create_org_unit(
            session, ctx, OrgUnitCreate(code="CB-K", name="Chi bộ Khu phố 3", kind="party_cell")
        )
        for i in range(PERSONS):
            values: dict[str, str | None] = {
                "nid": nid_for(1985, "F", i + 1),
                "cmnd": f"{i + 100000000:09d}" if i % 3 == 0 else None,
                "phone": f"09{i:08d}" if i % 2 == 0 else None,
                "email": f"ha.{i}@phuong.gov.vn" if i % 5 == 0 else None,
            }
            body = person_payload(unit.id, i + 1, **{k: v for k, v in values.items() if v})
            person = create_person(session, ctx, PersonCreate.model_validate(body))
            ward.values[person.id] = values
        ward.payload = '{"họ_tên": "Trần Văn Đức"}'
        quarantine(
            session, rt.cipher, system="population", job="t", reason="r", payload=ward.payload
        )
    return ward


@pytest.fixture
def keyed_ward(committed_engine: Engine, tmp_path: Path) -> Iterator[KeyedWard]:
    url = committed_engine.url.render_as_string(hide_password=False)
    settings = Settings(var_dir=tmp_path / "var", database_url=url)
    rt = Runtime(settings)  # LocalFileKeyProvider in var/keys, shared with the subprocesses
    ward = _fill(rt)
    ward.env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CADRE_DATABASE_URL": url,
        "CADRE_VAR_DIR": str(settings.var_dir),
        "CADRE_LOG_LEVEL": "WARNING",
    }
    yield ward
    rt.close()
