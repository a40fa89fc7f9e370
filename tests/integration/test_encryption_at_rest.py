"""Identification numbers and contacts never reach the disk in plaintext.

These tests commit, so each builds its own database (a SQLite file, or a fresh PostgreSQL
database dumped with ``pg_dump``) instead of the rolled-back per-test transaction.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from registry import migrate
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.db import make_engine, make_sessionmaker, transaction
from registry.history import Actor, set_actor
from registry.org_units.service import create_org_unit
from registry.persons.models import Person
from registry.persons.service import create_person, update_person
from schemas.org_units import OrgUnitCreate
from schemas.persons import PersonCreate, PersonUpdate
from tests.conftest import _drop_pg_database, _fresh_pg_database
from tests.factories import admin_ctx, nid_for, person_payload

NIDS = [nid_for(1985, "F", 123457), nid_for(1990, "M", 654321), nid_for(2001, "F", 777001)]
CMND = "031987654"
PHONES = ["0912345678", "0987654321", "+84903111222"]
EMAILS = ["ha.nguyen@lechan.gov.vn", "duc.tran@lechan.gov.vn", "lan.pham@lechan.gov.vn"]
CHANGED_PHONE = "0977000111"


def secrets_in(blob: bytes) -> list[str]:
    """Plaintext values found as text, as PostgreSQL's hex bytea, or as base64 (history JSON)."""
    lowered = blob.lower()
    found = []
    for value in [*NIDS, CMND, *PHONES, *EMAILS, CHANGED_PHONE]:
        raw = value.encode()
        if raw in blob or raw.hex().encode() in lowered or base64.b64encode(raw) in blob:
            found.append(value)
    return found


@pytest.fixture
def fresh(engine: Engine, tmp_path: Path) -> Iterator[tuple[Engine, str]]:
    """A migrated, empty database of the same backend as ``engine``; yields it and its URL."""
    if engine.dialect.name == "sqlite":
        url = f"sqlite+pysqlite:///{tmp_path / 'at-rest.db'}"
        eng = make_engine(url)
        migrate.upgrade(eng)
        yield eng, url
        eng.dispose()
        return
    url, name = _fresh_pg_database()
    eng = make_engine(url)
    try:
        migrate.upgrade(eng)
        yield eng, url
    finally:
        eng.dispose()
        _drop_pg_database(name)


def fill(eng: Engine, settings: Settings, keys: StaticKeyProvider) -> None:
    with transaction(make_sessionmaker(eng)) as session:
        ctx = admin_ctx(session, settings, keys)
        unit = create_org_unit(
            session, ctx, OrgUnitCreate(code="CB-X", name="Chi bộ Khu phố 9", kind="party_cell")
        )
        people = []
        for i, (nid, phone, email) in enumerate(zip(NIDS, PHONES, EMAILS, strict=True)):
            year, sex = 1900 + int(nid[4:6]) + 100 * (int(nid[3]) // 2), "MF"[int(nid[3]) % 2]
            body = person_payload(
                unit.id, i, nid=nid, phone=phone, email=email, birth_date=str(year), sex=sex
            )
            people.append(create_person(session, ctx, PersonCreate.model_validate(body)))
        set_actor(session, Actor(actor_id="test:officer", role="officer", reason="đổi số"))
        update_person(session, ctx, people[0], PersonUpdate(phone=CHANGED_PHONE, cmnd=CMND))
    with eng.connect() as conn:  # the writes really committed
        assert conn.scalar(sa.select(sa.func.count()).select_from(Person)) == 3


def test_database_bytes_hold_no_plaintext_numbers_or_contacts(
    fresh: tuple[Engine, str], settings: Settings, keys: StaticKeyProvider
) -> None:
    eng, url = fresh
    fill(eng, settings, keys)
    if eng.dialect.name == "sqlite":
        eng.dispose()  # checkpoint the WAL; read every file of the database anyway
        path = Path(make_url(url).database or "")
        blob = b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))
    else:
        pg_dump = shutil.which("pg_dump") or "/usr/bin/pg_dump"
        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        done = subprocess.run(
            [pg_dump, "--no-owner", "--no-privileges", "--dbname", libpq],
            capture_output=True,
            check=True,
        )
        blob = done.stdout
    # Positive control: the plain parts of the same rows are there, so we read the right bytes.
    assert "Nguyễn".encode() in blob and b"nguyen thi thu ha" in blob
    assert "Chi bộ Khu phố 9".encode() in blob
    assert secrets_in(blob) == []


def test_the_check_would_see_plaintext() -> None:
    """``secrets_in`` recognises each encoding a leak could take."""
    assert secrets_in(b"INSERT ... '0912345678'") == ["0912345678"]
    assert secrets_in(b"\\x" + NIDS[0].encode().hex().upper().encode()) == [NIDS[0]]
    assert secrets_in(b'{"email_ct": "b64:' + base64.b64encode(EMAILS[1].encode()) + b'"}') == [
        EMAILS[1]
    ]
