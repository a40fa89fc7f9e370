"""Recorded history: every insert and update leaves a version; nothing is physically deleted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.catalogue import KINDS
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.history import Actor, RecordVersion, set_actor
from registry.org_units.models import OrgUnit
from registry.persons.models import Person
from registry.persons.service import create_person, update_person
from schemas.persons import PersonCreate, PersonUpdate
from tests.factories import World, admin_ctx, build_world, person_payload

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(session: Session, settings: Settings, keys: StaticKeyProvider) -> World:
    return build_world(session, settings, keys)


def person_versions(session: Session, person: Person) -> list[RecordVersion]:
    return list(
        session.scalars(
            sa.select(RecordVersion)
            .where(RecordVersion.table_name == "persons", RecordVersion.row_id == person.id)
            .order_by(RecordVersion.seq)
        )
    )


def test_two_updates_leave_three_versions_with_who_why_and_when(
    session: Session, settings: Settings, keys: StaticKeyProvider, world: World
) -> None:
    ctx = admin_ctx(session, settings, keys)
    set_actor(session, Actor(actor_id="token:creator", role="admin", reason="tuyển dụng"))
    person = create_person(
        session, ctx, PersonCreate.model_validate(person_payload(world.cell_a.id, 40))
    )
    set_actor(session, Actor(actor_id="token:officer-a", role="officer", reason="sửa tên khác"))
    update_person(session, ctx, person, PersonUpdate(other_names="Hà Thu"))
    set_actor(
        session,
        Actor(actor_id="token:officer-a", role="officer", reason="đổi số điện thoại"),
    )
    update_person(session, ctx, person, PersonUpdate(phone="0912345678"))
    session.commit()

    rows = person_versions(session, person)
    assert [(r.op, r.version) for r in rows] == [("insert", 1), ("update", 2), ("update", 3)]
    assert [r.actor for r in rows] == ["token:creator", "token:officer-a", "token:officer-a"]
    assert [r.actor_role for r in rows] == ["admin", "officer", "officer"]
    assert [r.reason for r in rows] == ["tuyển dụng", "sửa tên khác", "đổi số điện thoại"]
    seqs = [r.seq for r in rows]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    stamps = [r.recorded_at for r in rows]
    assert all(s.tzinfo is not None for s in stamps) and stamps == sorted(stamps)
    # Each version is the whole row as it stood after the change.
    assert [r.data["other_names"] for r in rows] == ["", "Hà Thu", "Hà Thu"]
    assert rows[1].data["phone_ct"] is None and rows[2].data["phone_ct"].startswith("b64:")
    assert "0912345678" not in str(rows[2].data)  # history keeps ciphertext, never plaintext


def test_an_update_that_changes_nothing_adds_no_version(
    session: Session, settings: Settings, keys: StaticKeyProvider, world: World
) -> None:
    person = world.persons["a"]
    before = len(person_versions(session, person))
    update_person(session, admin_ctx(session, settings, keys), person, PersonUpdate())
    session.flush()
    assert len(person_versions(session, person)) == before


@pytest.mark.parametrize("kind", ["person", "org unit"])
def test_physical_delete_is_refused(session: Session, world: World, kind: str) -> None:
    obj: Person | OrgUnit = world.persons["a"] if kind == "person" else world.office
    model, obj_id = type(obj), obj.id
    versions_before = session.scalar(sa.select(sa.func.count()).select_from(RecordVersion))
    session.delete(obj)
    with pytest.raises(RuntimeError, match="retire it instead"):
        session.flush()
    session.rollback()
    assert session.get(model, obj_id) is not None
    assert session.scalar(sa.select(sa.func.count()).select_from(RecordVersion)) == versions_before


# --- no code path deletes rows behind the history's back -------------------------------------

BULK_DELETE = [
    re.compile(r"\bsession\.delete\("),
    re.compile(r"\b(?:sa|sqlalchemy)\.delete\("),
    re.compile(r"\bfrom\s+sqlalchemy(?:\.\w+)*\s+import\s+[^\n]*\bdelete\b"),
    re.compile(r"\)\s*\.delete\("),  # query(...).filter(...).delete(...)
    re.compile(r"\.delete\(\s*\)"),  # table.delete()
    re.compile(r"\bdelete\s+from\b", re.IGNORECASE),
    re.compile(r"\btruncate\s+(?:table\s+)?\w", re.IGNORECASE),
]


def bulk_deletes(source: str) -> list[str]:
    return [
        line.strip()
        for line in source.splitlines()
        if any(p.search(line) for p in BULK_DELETE)
        and not line.lstrip().startswith("#")
        and "@router.delete(" not in line
    ]


@pytest.mark.parametrize(
    "snippet",
    [
        "session.delete(person)",
        "db.execute(sa.delete(Person).where(Person.id == x))",
        "from sqlalchemy import delete, select",
        "session.query(Person).filter(Person.id == x).delete()",
        "session.query(Person).delete(synchronize_session=False)",
        "conn.execute(persons.delete())",
        'conn.exec_driver_sql("DELETE FROM persons")',
        "sa.text('delete  from record_versions where seq > 3')",
        'conn.exec_driver_sql("TRUNCATE persons")',
    ],
)
def test_the_detector_catches_each_kind_of_delete(snippet: str) -> None:
    assert bulk_deletes(snippet) == [snippet]


@pytest.mark.parametrize(
    "snippet",
    [
        '@router.delete("/persons/{person_id}")',
        "# we never call session.delete( here",
        "deleted = retire(obj)",
        "nothing is physically deleted by ordinary operations",
    ],
)
def test_the_detector_ignores_harmless_text(snippet: str) -> None:
    assert bulk_deletes(snippet) == []


# Working rows that are not records and carry no history, each removed by exactly one line:
# a minute's lookup counter once the minute is over, an audit entry once the sequencer has
# chained it into audit_events (the same transaction), a "change your password" flag once the
# password is changed (the change itself is audited). Anything else deleted is a defect.
WORKING_ROWS = {
    "registry/access/quota.py": [
        "session.execute(sa.delete(table).where(table.subject == subject, table.minute < minute))",
    ],
    "registry/audit/sequencer.py": [
        "conn.execute(sa.delete(_PENDING).where(_PENDING.c.id == any_id))",
        "conn.execute(sa.delete(_PENDING).where(_PENDING.c.id.in_(ids)))",
    ],
    "registry/users/service.py": ["session.delete(due)"],
}
WORKING_TABLES = {"lookup_windows", "audit_pending", "password_change_due"}


def test_no_module_deletes_rows() -> None:
    files = sorted((ROOT / "registry").rglob("*.py")) + sorted((ROOT / "sync").rglob("*.py"))
    assert len(files) > 30
    found = {
        str(f.relative_to(ROOT)): hits
        for f in files
        if (hits := bulk_deletes(f.read_text("utf-8")))
    }
    assert found == WORKING_ROWS, f"deletes that bypass the recorded history: {found}"


def test_the_working_tables_are_no_record_kind() -> None:
    """What may be deleted holds no record: no catalogue kind keeps its history there."""
    record_tables = {kind.table for kind in KINDS.values()}
    assert record_tables and not (WORKING_TABLES & record_tables)
