"""The chain vouches for content, on both backends: an edited, deleted or inserted history
version, versions renumbered or reordered by ``seq``, or a live row changed or deleted behind
the application's back, fails `verify_all` naming the bad row; a row whose redacted column
changed does not (the history never held it)."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.models import ApiToken
from registry.alerts.models import Alert, AlertComment
from registry.audit.verify import VerifyReport, verify_all
from registry.audit.verify_content import versioned_tables
from registry.conduct.models import Commendation, Discipline
from registry.db import Base, Entity
from registry.demo import build_demo
from registry.documents.models import Document
from registry.history import RecordVersion
from registry.org_units.models import OrgUnit
from registry.persons.models import Person
from registry.runtime import Runtime
from registry.standards.models import StandardProfile
from registry.users.models import User

VERSIONS = cast(sa.Table, RecordVersion.__table__)
_BOOKKEEPING = {"id", "version", "created_at", "updated_at", "retired_at"}


def _extras(session: Session, runtime: Runtime) -> None:
    """One row of each kind the small demo ward does not write, through the ORM (so the
    flush hook versions them as any service would)."""
    runtime.system_ctx(session, reason="content tamper test")
    person = session.scalars(sa.select(Person).order_by(Person.id).limit(1)).one()
    unit = session.scalars(sa.select(OrgUnit).order_by(OrgUnit.code).limit(1)).one()
    day = dt.date(2025, 3, 14)
    alert = Alert(
        rule="missing_evaluation",
        person_id=person.id,
        org_unit_id=unit.id,
        status="open",
        active_key=f"missing_evaluation:{person.id}",
        details={"found": "không có", "evidence": [], "coefficient": 2.34},
        since=day,
        first_seen_at=dt.datetime(2025, 3, 14, 1, 2, 3, 456789, tzinfo=dt.UTC),
        last_seen_at=dt.datetime(2025, 3, 14, 8, 2, 3, tzinfo=dt.timezone(dt.timedelta(hours=7))),
    )
    session.add_all(
        [
            Discipline(
                person_id=person.id,
                authority="party",
                form="khiển trách",
                decided_on=day,
                effective_from=day,
                effective_to=dt.date(2026, 3, 14),
                decision_no="12-QĐ/UBKT",
                reason_text="Vi phạm quy định về kê khai tài sản",
            ),
            Commendation(person_id=person.id, title="Giấy khen", level="phường", decided_on=day),
            Document(
                person_id=person.id,
                owner_table="persons",
                owner_id=person.id,
                filename="quyết định.pdf",
                media_type="application/pdf",
                size=1024,
                sha256="ab" * 32,
            ),
            StandardProfile(
                code="CT-UBND",
                name="Chủ tịch UBND phường",
                effective_from=day,
                requirements={"party_member": True, "min_years_experience": 5},
            ),
            User(username="kiemtra", password_hash="$argon2id$v=19$secret", role="auditor"),
            ApiToken(token_hash="cd" * 32, name="đồng bộ", role="service"),
            alert,
        ]
    )
    session.flush()
    session.add(AlertComment(alert_id=alert.id, author="cli:test", text="Đã xem"))
    session.commit()


@pytest.fixture
def ward(runtime: Runtime, session: Session) -> Session:
    build_demo(runtime, persons=20, seed=11, progress=None)
    _extras(session, runtime)
    _any_missing_kind(session)
    return session


def _value(column: sa.Column[Any], session: Session) -> Any:
    """A plausible value of ``column``'s type; a reference names an existing row."""
    for fk in column.foreign_keys:
        target = fk.column.table
        return session.execute(sa.select(target.c[fk.column.name]).limit(1)).scalar()
    kind = column.type
    kind = kind.impl_instance if isinstance(kind, sa.TypeDecorator) else kind
    if isinstance(kind, sa.DateTime):
        return dt.datetime(2025, 3, 14, 1, 2, 3, 456789, tzinfo=dt.UTC)
    if isinstance(kind, sa.Date):
        return dt.date(2025, 3, 14)
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.Numeric):
        return Decimal("2.34")
    if isinstance(kind, sa.Integer):
        return 3
    if isinstance(kind, sa.JSON):
        return {"ghi chú": "không có"}
    if isinstance(kind, sa.Uuid):
        return uuid.uuid4()
    length = getattr(kind, "length", None) or 40
    return "Giá trị thử"[:length]


def _any_missing_kind(session: Session) -> None:
    """A row of every versioned kind still without one (kinds added since this test was
    written), built from its columns' types, through the ORM so the flush hook versions it."""
    present = set(session.scalars(sa.select(sa.distinct(VERSIONS.c.table_name))))
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        if not issubclass(mapper.class_, Entity) or not isinstance(table, sa.Table):
            continue
        if table.name in present:
            continue
        values = {
            c.key: _value(c, session)
            for c in table.columns
            if c.key not in _BOOKKEEPING and (not c.nullable or c.foreign_keys)
        }
        session.add(mapper.class_(**values))
    session.flush()


def _verify(session: Session, runtime: Runtime) -> VerifyReport:
    return verify_all(
        session.connection(),
        public_key_b64=runtime.audit.signer.public_key_b64(),
        checkpoint_dir=runtime.settings.checkpoints_dir,
    )


def _unguard(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Superuser only: switches off the append-only triggers for this transaction.
        session.execute(sa.text("SET LOCAL session_replication_role = replica"))


def _version(session: Session, seq: int) -> dict[str, Any]:
    return dict(session.execute(sa.select(VERSIONS).where(VERSIONS.c.seq == seq)).mappings().one())


def _changed(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with one value changed, as an insider would: a text turned into another."""
    for key, value in sorted(data.items()):
        if isinstance(value, str) and key not in _BOOKKEEPING and value != "[redacted]":
            return {**data, key: value + " (sửa)"}
    return {**data, "retired_at": "2020-01-01T00:00:00+00:00"}


def _edit_data(session: Session, seq: int) -> str:
    row = _version(session, seq)
    session.execute(
        sa.update(VERSIONS).where(VERSIONS.c.seq == seq).values(data=_changed(row["data"]))
    )
    return f"record_versions seq {seq}"


def _edit_reason(session: Session, seq: int) -> str:
    session.execute(
        sa.update(VERSIONS).where(VERSIONS.c.seq == seq).values(reason="không có lý do")
    )
    return f"record_versions seq {seq}"


def _delete(session: Session, seq: int) -> str:
    row = _version(session, seq)
    session.execute(sa.delete(VERSIONS).where(VERSIONS.c.seq == seq))
    return f"{row['table_name']} {row['row_id']}"  # named through its orphaned event


def _insert(session: Session, seq: int) -> str:
    """A forged later version of the row, with a value changed."""
    row = _version(session, seq)
    forged = {**row, "version": row["version"] + 1, "data": _changed(row["data"])}
    del forged["seq"]
    new_seq = session.execute(sa.insert(VERSIONS).values(forged).returning(VERSIONS.c.seq))
    return f"record_versions seq {new_seq.scalar_one()}"


TAMPERS = {"edit": _edit_data, "reason": _edit_reason, "delete": _delete, "insert": _insert}


def test_untouched_ward_verifies(ward: Session, runtime: Runtime) -> None:
    report = _verify(ward, runtime)
    assert report.ok, report.problems
    kinds = {t.name for t in versioned_tables()}
    present = {
        name for (name,) in ward.execute(sa.select(sa.distinct(VERSIONS.c.table_name))).tuples()
    }
    assert kinds <= present, kinds - present  # every record kind is under test
    assert report.versions == ward.scalar(sa.select(sa.func.count()).select_from(VERSIONS))
    assert report.live_rows > 0


def test_single_version_tampering_is_always_detected(ward: Session, runtime: Runtime) -> None:
    seqs = list(ward.scalars(sa.select(VERSIONS.c.seq).order_by(VERSIONS.c.seq)))
    rng = random.Random(20261201)
    places = rng.sample(seqs, 100)
    for i, seq in enumerate(places):
        kind = list(TAMPERS)[i % len(TAMPERS)]
        savepoint = ward.begin_nested()
        _unguard(ward)
        bad_row = TAMPERS[kind](ward, seq)
        report = _verify(ward, runtime)
        savepoint.rollback()
        assert not report.ok, f"{kind} at {seq} went unnoticed"
        assert report.first_bad_seq is None, (kind, seq, report.problems)  # the chain is whole
        assert report.first_bad_row is not None and bad_row in report.first_bad_row, (
            kind,
            seq,
            report.first_bad_row,
        )


def _tamper_column(table: sa.Table) -> sa.Column[Any]:
    """A column an insider would change: text that is not a key, else an instant."""
    for column in table.columns:
        if (
            isinstance(column.type, sa.String)
            and column.key not in _BOOKKEEPING
            and not column.foreign_keys
            and column.key != "password_hash"
        ):
            return column
    return table.c.updated_at


def test_a_live_row_edited_behind_the_registry_is_detected_in_every_kind(
    ward: Session, runtime: Runtime
) -> None:
    for t in versioned_tables():
        row_id = ward.scalar(sa.select(t.c.id).order_by(t.c.id).limit(1))
        assert row_id is not None, f"no {t.name} row to tamper with"
        column = _tamper_column(t)
        if column.key == "updated_at":
            value: Any = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        else:
            current = ward.scalar(sa.select(column).where(t.c.id == row_id))
            value = f"{current or ''}x"[: getattr(column.type, "length", None) or 100]
        savepoint = ward.begin_nested()
        ward.execute(sa.update(t).where(t.c.id == row_id).values({column.key: value}))
        report = _verify(ward, runtime)
        savepoint.rollback()
        assert report.first_bad_row == f"{t.name} {row_id}", (t.name, report.problems)
        # Core's UPDATE also moves ``updated_at`` (its onupdate), so either may be named.
        assert any(f"{t.name} {row_id}" in p and "differs" in p for p in report.problems)
    assert _verify(ward, runtime).ok


def test_a_live_row_inserted_without_history_is_detected(ward: Session, runtime: Runtime) -> None:
    units = cast(sa.Table, OrgUnit.__table__)
    unit = ward.execute(sa.select(units).limit(1)).mappings().one()
    forged = {**unit, "id": uuid.uuid4(), "code": "GIA-MAO", "parent_id": unit["id"]}
    ward.execute(sa.insert(units).values(forged))
    report = _verify(ward, runtime)
    assert report.first_bad_row == f"org_units {forged['id']}"
    assert any("no recorded version" in p for p in report.problems)


def test_a_redacted_column_is_not_compared(ward: Session, runtime: Runtime) -> None:
    users = cast(sa.Table, User.__table__)
    ward.execute(
        sa.update(users).values(password_hash="$argon2id$v=19$other", updated_at=users.c.updated_at)
    )
    report = _verify(ward, runtime)
    assert report.ok, report.problems


def test_verify_cli_names_the_bad_version_and_the_bad_live_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from typer.testing import CliRunner

    from registry.cli import app
    from registry.config import get_settings

    monkeypatch.setenv("CADRE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("CADRE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:

        def run(*args: str) -> tuple[int, str]:
            result = CliRunner().invoke(app, list(args))
            return result.exit_code, result.output

        assert run("db", "upgrade")[0] == 0
        for i in range(2):
            code, out = run(
                "org", "create", "--code", f"CB{i}", "--name", f"Chi bộ {i}", "--kind", "party_cell"
            )
            assert code == 0, out
        assert run("audit", "checkpoint")[0] == 0
        code, out = run("audit", "verify")
        assert code == 0, out
        assert "0 events newer than the last external checkpoint" in out.replace("\n", " ")
        db = sqlite3.connect(tmp_path / "var" / "cadre.db")
        with db:
            (data,) = db.execute("SELECT data FROM record_versions WHERE seq = 2").fetchone()
            doc = json.loads(data)
            doc["name"] = "Chi bộ giả mạo"
            db.execute("UPDATE record_versions SET data = ? WHERE seq = 2", (json.dumps(doc),))
        code, out = run("audit", "verify")
        assert code == 1, out
        assert "first bad row: record_versions seq 2" in out
        with db:
            db.execute("UPDATE record_versions SET data = ? WHERE seq = 2", (data,))
            db.execute("UPDATE org_units SET name = 'Chi bộ giả mạo' WHERE code = 'CB0'")
            (hex_id,) = db.execute("SELECT id FROM org_units WHERE code = 'CB0'").fetchone()
        code, out = run("audit", "verify")
        assert code == 1, out
        assert f"first bad row: org_units {uuid.UUID(hex_id)}" in out.replace("\n", "")
        with db:  # the review's reproduction: a row deleted outright
            db.execute("UPDATE org_units SET name = 'Chi bộ 0' WHERE code = 'CB0'")
            (gone,) = db.execute("SELECT id FROM org_units WHERE code = 'CB1'").fetchone()
            db.execute("DELETE FROM org_units WHERE code = 'CB1'")
        db.close()
        code, out = run("audit", "verify")
        assert code == 1, out
        assert f"first bad row: org_units {uuid.UUID(gone)}" in out.replace("\n", "")
    finally:
        get_settings.cache_clear()


# Kinds no other row refers to by a foreign key, so a plain DELETE goes through.
DELETABLE = [Discipline, Commendation, Document, AlertComment, ApiToken, StandardProfile]


@pytest.mark.parametrize("model", DELETABLE, ids=lambda m: str(m.__tablename__))
def test_a_deleted_live_row_is_detected(ward: Session, runtime: Runtime, model: Any) -> None:
    table = cast(sa.Table, model.__table__)
    row_id = ward.scalar(sa.select(table.c.id).order_by(table.c.id).limit(1))
    assert row_id is not None
    savepoint = ward.begin_nested()
    ward.execute(sa.delete(table).where(table.c.id == row_id))
    report = _verify(ward, runtime)
    savepoint.rollback()
    assert report.first_bad_seq is None, report.problems
    assert report.first_bad_row == f"{table.name} {row_id}", report.problems
    assert any("no live row" in p for p in report.problems), report.problems
    assert _verify(ward, runtime).ok


def test_every_deleted_row_of_a_kind_is_counted(ward: Session, runtime: Runtime) -> None:
    """The review's reproduction: ``DELETE FROM disciplines``."""
    table = cast(sa.Table, Discipline.__table__)
    ids = sorted(ward.scalars(sa.select(table.c.id)), key=str)
    ward.execute(sa.delete(table))
    report = _verify(ward, runtime)
    assert report.first_bad_row == f"disciplines {ids[0]}", report.problems
    if len(ids) > 1:
        assert any(f"and {len(ids) - 1} more rows" in p for p in report.problems)


def test_swapped_seqs_and_a_live_row_reset_to_the_older_version_are_detected(
    ward: Session, runtime: Runtime
) -> None:
    table = cast(sa.Table, Discipline.__table__)
    discipline = ward.scalars(sa.select(Discipline).order_by(Discipline.id).limit(1)).one()
    row_id = discipline.id
    older = dict(ward.execute(sa.select(table).where(table.c.id == row_id)).mappings().one())
    runtime.system_ctx(ward, reason="content tamper test")
    discipline.reason_text = "Vi phạm quy định về phòng chống tham nhũng"
    ward.flush()
    assert _verify(ward, runtime).ok  # an honest second version
    seqs = list(
        ward.scalars(
            sa.select(VERSIONS.c.seq)
            .where(VERSIONS.c.table_name == "disciplines", VERSIONS.c.row_id == row_id)
            .order_by(VERSIONS.c.seq)
        )
    )
    first, last = seqs[-2], seqs[-1]
    savepoint = ward.begin_nested()
    _unguard(ward)
    for old, new in ((first, -1), (last, first), (-1, last)):
        ward.execute(sa.update(VERSIONS).where(VERSIONS.c.seq == old).values(seq=new))
    ward.execute(sa.update(table).where(table.c.id == row_id).values(older))
    report = _verify(ward, runtime)
    savepoint.rollback()
    assert report.first_bad_seq is None, report.problems  # the chain and the pairing hold
    assert report.first_bad_row == f"disciplines {row_id}", report.problems
    assert any("not numbered 1..n" in p for p in report.problems), report.problems


@pytest.mark.parametrize("change", ["gap", "repeat"])
def test_a_gap_or_repeat_in_version_numbers_is_detected(
    ward: Session, runtime: Runtime, change: str
) -> None:
    """``version`` is in the digest, so the pairing names the edited version first; the
    numbering check names the row as well."""
    discipline = ward.scalars(sa.select(Discipline).order_by(Discipline.id).limit(1)).one()
    runtime.system_ctx(ward, reason="content tamper test")
    discipline.reason_text = "Lần sửa thứ hai"
    ward.flush()
    last = ward.scalar(
        sa.select(sa.func.max(VERSIONS.c.seq)).where(
            VERSIONS.c.table_name == "disciplines", VERSIONS.c.row_id == discipline.id
        )
    )
    savepoint = ward.begin_nested()
    _unguard(ward)
    ward.execute(
        sa.update(VERSIONS)
        .where(VERSIONS.c.seq == last)
        .values(version=3 if change == "gap" else 1)
    )
    report = _verify(ward, runtime)
    savepoint.rollback()
    assert any(
        f"disciplines {discipline.id}" in p and "not numbered 1..n" in p for p in report.problems
    ), report.problems
