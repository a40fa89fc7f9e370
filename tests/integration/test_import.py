"""The persons CSV import: what it stores, what it rejects and why, and what it never leaks."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.audit.models import AuditEvent
from registry.audit.verify import verify_all
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.dates import today
from registry.errors import Invalid
from registry.history import RecordVersion, snapshot
from registry.org_units.models import OrgUnit
from registry.org_units.service import create_org_unit
from registry.persons import importer
from registry.persons.bulk import NewRows
from registry.persons.importer import HEADER, import_csv
from registry.persons.models import Person, Provenance
from registry.persons.service import create_person
from registry.runtime import Runtime
from schemas.org_units import OrgUnitCreate
from schemas.persons import PersonCreate
from tests.factories import admin_ctx, nid_for, person_payload

ORG = "CB-KDC1"
BOOKS = {"id", "version", "created_at", "updated_at"}  # not named in audit events


@pytest.fixture
def cell(session: Session, settings: Settings, keys: StaticKeyProvider) -> OrgUnit:
    ctx = admin_ctx(session, settings, keys)
    unit = create_org_unit(
        session, ctx, OrgUnitCreate(code=ORG, name="Chi bộ Khu dân cư số 1", kind="party_cell")
    )
    session.commit()
    return unit


def row(serial: int, **over: str) -> dict[str, str]:
    data = {
        "nid": nid_for(1985, "F", serial),
        "family_name": "Nguyễn",
        "middle_name": "Thị Thu",
        "given_name": "Hà",
        "birth_date": "1985-03-14",
        "sex": "F",
        "ethnicity_code": "01",
        "religion_code": "00",
        "org_unit_code": ORG,
    }
    return data | over


def write(path: Path, rows: list[dict[str, str]], header: tuple[str, ...] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows([r[h] for h in HEADER] for r in rows)
    return path


def run(runtime: Runtime, path: Path) -> tuple[importer.ImportResult, list[dict[str, str]]]:
    report = path.with_suffix(".rejected.csv")
    result = import_csv(runtime, path, report_path=report, show_progress=False)
    with report.open(encoding="utf-8", newline="") as fh:
        return result, list(csv.DictReader(fh))


def by_nid(session: Session, runtime: Runtime, nid: str) -> Person | None:
    bidx = runtime.cipher.blind_index(nid, purpose="nid")
    return session.scalar(sa.select(Person).where(Person.nid_bidx == bidx))


def count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_valid_rows_are_stored_encrypted_and_found_by_blind_index(
    runtime: Runtime, session: Session, cell: OrgUnit, tmp_path: Path
) -> None:
    rows = [
        row(1),
        row(2, family_name="Trần", middle_name="", given_name="Đức", sex="M", birth_date="1979")
        | {"nid": nid_for(1979, "M", 2)},
        row(3, birth_date="1985-03", religion_code="02"),
    ]
    result, report = run(runtime, write(tmp_path / "p.csv", rows))

    assert (result.imported, result.rejected) == (3, 0)
    assert report == []
    tran = by_nid(session, runtime, rows[1]["nid"])
    assert tran is not None
    assert (tran.family_name, tran.middle_name, tran.given_name) == ("Trần", "", "Đức")
    assert (tran.birth_date, tran.birth_year, tran.sex) == ("1979", 1979, "M")
    assert tran.search_key == "tran duc"
    assert tran.org_unit_id == cell.id
    assert (tran.version, tran.life_status, tran.retired_at) == (1, "alive", None)
    assert tran.created_at == tran.updated_at
    assert tran.nid_ct is not None
    nid = runtime.cipher.decrypt(tran.nid_ct, table="persons", column="nid_ct", row_id=tran.id)
    assert nid == rows[1]["nid"]
    assert by_nid(session, runtime, nid_for(1985, "F", 99)) is None


def test_each_person_gets_identity_provenance_and_the_history_the_hook_writes(
    runtime: Runtime, session: Session, cell: OrgUnit, tmp_path: Path
) -> None:
    run(runtime, write(tmp_path / "p.csv", [row(1), row(2)]))

    persons = session.scalars(sa.select(Person).where(Person.org_unit_id == cell.id)).all()
    assert len(persons) == 2
    for person in persons:
        prov = session.scalars(sa.select(Provenance).where(Provenance.person_id == person.id))
        [provenance] = prov.all()
        assert (provenance.field_group, provenance.source) == ("identity", "import")
        for entity in (person, provenance):
            versions = session.scalars(
                sa.select(RecordVersion).where(RecordVersion.row_id == entity.id)
            ).all()
            assert len(versions) == 1
            v = versions[0]
            assert (v.table_name, v.version, v.op) == (entity.__tablename__, 1, "insert")
            assert v.actor.startswith("cli:") and v.actor_role == "admin"
            assert v.reason == "import persons from p.csv"
            assert v.person_id == person.id
            # Exactly what registry.history.snapshot records for an ORM insert.
            assert v.data == snapshot(entity)
            [event] = session.scalars(
                sa.select(AuditEvent).where(AuditEvent.object_id == str(entity.id))
            ).all()
            assert event.action == f"{entity.__tablename__}.insert"
            assert event.actor == v.actor
            named = [k for k, value in v.data.items() if value is not None and k not in BOOKS]
            assert event.fields == sorted(named)


def test_the_audit_chain_still_verifies_after_an_import(
    runtime: Runtime, connection: sa.Connection, cell: OrgUnit, tmp_path: Path
) -> None:
    run(runtime, write(tmp_path / "p.csv", [row(i) for i in range(1, 6)]))

    report = verify_all(
        connection,
        public_key_b64=runtime.audit.signer.public_key_b64(),
        checkpoint_dir=runtime.settings.checkpoints_dir,
    )
    assert report.ok, report.problems
    assert report.events >= 1 + 10  # the org unit, then 5 persons and 5 provenance rows


def test_no_identification_number_is_stored_in_plain_text(
    runtime: Runtime, connection: sa.Connection, cell: OrgUnit, tmp_path: Path
) -> None:
    rows = [row(i) for i in range(1, 4)]
    run(runtime, write(tmp_path / "p.csv", rows))

    dump = ""
    for table in ("persons", "provenance", "record_versions"):
        for stored in connection.execute(sa.text(f"SELECT * FROM {table}")):  # noqa: S608
            dump += " ".join(v.hex() if isinstance(v, bytes) else str(v) for v in stored)
    assert rows[0]["family_name"] in dump  # the dump does hold the rows
    for r in rows:
        assert r["nid"] not in dump
        assert r["nid"].encode().hex() not in dump


def test_a_wrong_header_imports_nothing_and_echoes_no_data(
    runtime: Runtime, session: Session, cell: OrgUnit, tmp_path: Path
) -> None:
    swapped = ("family_name", "nid", *HEADER[2:])
    missing = HEADER[:-1]
    before = count(session, Person)
    for name, header in (("swapped", swapped), ("missing", missing)):
        with pytest.raises(Invalid, match="header must be exactly nid,family_name"):
            run(runtime, write(tmp_path / f"{name}.csv", [row(1)], header=header))
    headless = tmp_path / "headless.csv"
    headless.write_text(",".join(row(1).values()) + "\n", encoding="utf-8")
    with pytest.raises(Invalid) as caught:
        run(runtime, headless)
    assert row(1)["nid"] not in caught.value.message
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(Invalid, match="empty"):
        run(runtime, empty)
    assert count(session, Person) == before
    header_only, report = run(runtime, write(tmp_path / "header.csv", []))
    assert (header_only.imported, header_only.rejected, report) == (0, 0, [])


NFD_NAME = unicodedata.normalize("NFD", "Nguyễn")
BAD_ROWS: list[tuple[dict[str, str], str, str]] = [
    (row(10, nid="03118500123"), "nid", "must be exactly 12 digits"),
    (row(11, nid=nid_for(1986, "F", 11)), "nid", "does not match birth year 1985"),
    (row(12, nid=nid_for(1985, "M", 12)), "nid", "does not match sex F"),
    (row(13, nid="999" + nid_for(1985, "F", 13)[3:]), "nid", "unknown province code"),
    (row(14, nid=""), "nid", "is required"),
    (row(15, family_name=NFD_NAME), "family_name", "NFC"),
    (row(16, given_name="H\x01a"), "given_name", "control characters"),
    (row(17, given_name="A" * 61), "given_name", "at most 60 characters"),
    (row(18, family_name=""), "family_name", "at least 1 character"),
    (row(19, birth_date="1985-13-01"), "birth_date", "month out of range"),
    (row(20, birth_date="14/03/1985"), "birth_date", "YYYY, YYYY-MM or YYYY-MM-DD"),
    (row(21, sex="X"), "sex", "'M' or 'F'"),
    (row(22, ethnicity_code="77"), "ethnicity_code", "unknown ethnicity code"),
    (row(23, religion_code="5"), "religion_code", "pattern"),
    (row(24, org_unit_code="CB-NOWHERE"), "org_unit_code", "not the code of an org unit"),
]


@pytest.mark.parametrize(
    ("bad", "field", "reason"), BAD_ROWS, ids=[b[1] + str(i) for i, b in enumerate(BAD_ROWS)]
)
def test_a_bad_row_is_reported_and_changes_nothing(
    runtime: Runtime,
    session: Session,
    cell: OrgUnit,
    tmp_path: Path,
    bad: dict[str, str],
    field: str,
    reason: str,
) -> None:
    versions_before = count(session, RecordVersion)
    path = write(tmp_path / "p.csv", [row(1), bad, row(2)])
    result, report = run(runtime, path)

    assert (result.imported, result.rejected) == (2, 1)
    assert [r["line"] for r in report] == ["3"] * len(report)
    assert any(r["field"] == field and reason in r["reason"] for r in report), report
    report_text = path.with_suffix(".rejected.csv").read_text(encoding="utf-8")
    if bad["nid"]:
        assert bad["nid"] not in report_text
        assert by_nid(session, runtime, bad["nid"]) is None
    assert count(session, Person) == 2
    assert count(session, RecordVersion) == versions_before + 4  # 2 persons + 2 provenance


def test_a_future_birth_date_is_rejected(runtime: Runtime, cell: OrgUnit, tmp_path: Path) -> None:
    year = today().year + 1
    future = row(1, birth_date=f"{year}-01-01", nid=nid_for(year, "F", 1))
    result, report = run(runtime, write(tmp_path / "p.csv", [future]))
    assert (result.imported, result.rejected) == (0, 1)
    assert {(r["field"], r["reason"]) for r in report} >= {("birth_date", "is in the future")}


def test_malformed_lines_are_reported_by_line(
    runtime: Runtime, session: Session, cell: OrgUnit, tmp_path: Path
) -> None:
    path = write(tmp_path / "p.csv", [row(1)])
    with path.open("ab") as fh:
        fh.write(b"\n")  # a blank line is skipped, not rejected
        garbled = ",".join(row(2).values()).encode("utf-8").replace(b"Nguy", b"Ng\xffy")
        fh.write(garbled + b"\n")
        fh.write(b"only,three,fields\n")
        fh.write(",".join(row(3).values()).encode("utf-8") + b"\n")
    result, report = run(runtime, path)

    assert (result.imported, result.rejected) == (2, 2)
    rejected = {(r["line"], r["field"]): r["reason"] for r in report}
    assert rejected == {
        ("4", "family_name"): "is not valid UTF-8",
        ("5", "row"): "has 3 fields, expected 9",
    }
    assert by_nid(session, runtime, row(3)["nid"]) is not None


def test_duplicates_within_the_file_and_against_stored_persons(
    runtime: Runtime,
    session: Session,
    settings: Settings,
    keys: StaticKeyProvider,
    cell: OrgUnit,
    tmp_path: Path,
) -> None:
    ctx = admin_ctx(session, settings, keys)
    create_person(session, ctx, PersonCreate.model_validate(person_payload(cell.id, 5)))
    session.commit()
    rows = [row(1), row(2), row(1, given_name="Hoa"), row(5)]
    result, report = run(runtime, write(tmp_path / "p.csv", rows))

    assert (result.imported, result.rejected) == (2, 2)
    assert [(r["line"], r["field"], r["reason"]) for r in report] == [
        ("4", "nid", "duplicates the number on line 2 of this file"),
        ("5", "nid", "already recorded for another person"),
    ]
    again, report = run(runtime, write(tmp_path / "again.csv", rows[:2]))
    assert (again.imported, again.rejected) == (0, 2)
    assert {r["reason"] for r in report} == {"already recorded for another person"}


def test_batches_commit_separately_and_see_each_other(
    runtime: Runtime,
    session: Session,
    cell: OrgUnit,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importer, "BATCH_ROWS", 3)
    rows = [row(i) for i in range(1, 8)] + [row(2, given_name="Hoa")]
    result, report = run(runtime, write(tmp_path / "p.csv", rows))

    assert (result.imported, result.rejected) == (7, 1)
    assert [(r["line"], r["reason"]) for r in report] == [
        ("9", "already recorded for another person")
    ]
    assert count(session, Person) == 7


def test_a_number_stored_concurrently_is_retried_and_rejected(
    runtime: Runtime,
    session: Session,
    settings: Settings,
    keys: StaticKeyProvider,
    cell: OrgUnit,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = admin_ctx(session, settings, keys)
    create_person(session, ctx, PersonCreate.model_validate(person_payload(cell.id, 2)))
    session.commit()
    real = importer.stored_nid_indexes
    calls: list[int] = []

    def blind_first_time(s: Session, indexes: list[str]) -> set[str]:
        # As if the other writer committed right after our check: the write then clashes.
        calls.append(len(indexes))
        return set() if len(calls) == 1 else real(s, indexes)

    monkeypatch.setattr(importer, "stored_nid_indexes", blind_first_time)
    result, report = run(runtime, write(tmp_path / "p.csv", [row(1), row(2), row(3)]))

    assert len(calls) == 2
    assert (result.imported, result.rejected) == (2, 1)
    assert [(r["line"], r["reason"]) for r in report] == [
        ("3", "already recorded for another person")
    ]
    assert count(session, Person) == 3


MORE = ("death_date", "birth_place", "birth_year", "general_education")


def test_serialised_snapshots_equal_the_hooks_snapshots() -> None:
    at = dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC)
    values = (dt.date(2020, 1, 2), {"text": "Hải Phòng", "unit_code": None}, 1985, None)
    rows = NewRows(
        Person,
        ("id", "version", "created_at", "nid_ct", "family_name", "salary_coefficient", *MORE),
        [(uuid.uuid4(), 1, at, b"\x01\x02", 'Nguyễn "Tí" \\', decimal.Decimal("2.34"), *values)],
    )
    [(row_id, data)] = list(rows.snapshots())
    [(text_id, text)] = list(rows.snapshot_texts())
    assert text_id == row_id
    assert json.loads(text) == data
    assert set(data) == {c.key for c in Person.__table__.columns}


def test_a_byte_order_mark_before_the_header_is_accepted(
    runtime: Runtime, cell: OrgUnit, tmp_path: Path
) -> None:
    path = write(tmp_path / "excel.csv", [row(1)])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result, report = run(runtime, path)
    assert (result.imported, result.rejected, report) == (1, 0, [])
