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
        out.writerows([r.get(h, "") for h in header] for r in rows)
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
    missing = HEADER[:-1]
    unknown = (*HEADER, "salary")
    twice = (*HEADER, "nid")
    no_number = HEADER[1:]
    before = count(session, Person)
    for name, header, words in (
        ("missing", missing, "missing org_unit_code"),
        ("unknown", unknown, "unknown salary"),
        ("twice", twice, "repeated nid"),
        ("no-number", no_number, "missing nid or cmnd"),
    ):
        path = tmp_path / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerow(header)
        with pytest.raises(Invalid, match=words):
            run(runtime, path)
    headless = tmp_path / "headless.csv"
    headless.write_text(",".join(row(1).values()) + "\n", encoding="utf-8")
    with pytest.raises(Invalid) as caught:
        run(runtime, headless)
    assert row(1)["nid"] not in caught.value.message
    assert "is the first line a header" in caught.value.message
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(Invalid, match="empty"):
        run(runtime, empty)
    assert count(session, Person) == before
    header_only, report = run(runtime, write(tmp_path / "header.csv", []))
    assert (header_only.imported, header_only.rejected, report) == (0, 0, [])


def test_columns_in_any_order_are_read_by_name(
    runtime: Runtime, session: Session, cell: OrgUnit, tmp_path: Path
) -> None:
    swapped = ("family_name", "nid", *HEADER[2:])
    result, report = run(runtime, write(tmp_path / "p.csv", [row(1)], header=swapped))
    assert (result.imported, report) == (1, [])
    stored = by_nid(session, runtime, row(1)["nid"])
    assert stored is not None and stored.family_name == "Nguyễn"


NFD_NAME = unicodedata.normalize("NFD", "Nguyễn")
BAD_ROWS: list[tuple[dict[str, str], str, str]] = [
    (row(10, nid="03118500123"), "nid", "must be exactly 12 digits"),
    (row(11, nid=nid_for(1986, "F", 11)), "nid", "does not match birth year 1985"),
    (row(12, nid=nid_for(1985, "M", 12)), "nid", "does not match sex F"),
    (row(13, nid="999" + nid_for(1985, "F", 13)[3:]), "nid", "unknown province code"),
    (row(14, nid=""), "nid", "one of nid and cmnd is required"),
    (row(15, family_name="Nguy\u200bễn"), "family_name", "zero-width character"),
    (row(16, given_name="H\x01a"), "given_name", "control character (U+0001)"),
    (row(25, given_name="H\x00a"), "given_name", "NUL"),
    (row(26, family_name="\u202eNguyễn"), "family_name", "bidirectional"),
    (row(17, given_name="A" * 61), "given_name", "at most 60"),
    (row(18, family_name=""), "family_name", "at least 1"),
    (row(19, birth_date="1985-13-01"), "birth_date", "month out of range"),
    (row(20, birth_date="31/02/1985"), "birth_date", "day is out of range"),
    (row(27, birth_date="14-03-85"), "birth_date", "dd/mm/yyyy, mm/yyyy, yyyy"),
    (row(28, birth_date="1900", nid=nid_for(1900, "F", 28)), "birth_date", "over 120 years"),
    (row(21, sex="X"), "sex", "is not a sex code (1/2 (QCVN 109), Nam/Nữ, M/F)"),
    (row(29, sex="0"), "sex", "0 (unknown) in QCVN 109"),
    (row(22, ethnicity_code="77"), "ethnicity_code", "unknown ethnicity code"),
    (row(23, religion_code="5"), "religion_code", "pattern"),
    (row(24, org_unit_code="99999"), "org_unit_code", "not in the registry's list of org units"),
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

    def blind_first_time(
        s: Session, indexes: list[str], *, column_name: str = "nid_bidx"
    ) -> set[str]:
        # As if the other writer committed right after our check: the write then clashes.
        if column_name != "nid_bidx":
            return real(s, indexes, column_name=column_name)
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


# --- messy real input (issue 13) ----------------------------------------------------------

MESSY_HEADER = (*HEADER, "cmnd", "origin_place_code", "origin_place_list", "origin_place_text")
LEGACY = (("30", "Hải Dương", "31"), ("02", "Hà Giang", "08"), ("31", "Hải Phòng", "31"))
SEX_WRITTEN = {"F": ("F", "2", "Nữ", "nữ"), "M": ("M", "1", "Nam", "NAM")}


def messy_row(i: int) -> dict[str, str]:
    """Row ``i`` of a legacy file: NFD names with stray spaces, dd/mm/yyyy or partial dates,
    sex in any source's codes, a CMND alone on every third row, legacy province codes."""
    sex = "F" if i % 2 else "M"
    year = 1960 + i % 40
    dates = (f"{1 + i % 28:02d}/{1 + i % 12:02d}/{year}", f"{1 + i % 12:02d}/{year}", str(year))
    code, name, _ = LEGACY[i % len(LEGACY)]
    cmnd_only = i % 3 == 0
    return {
        "nid": "" if cmnd_only else nid_for(year, sex, 500_000 + i),
        "cmnd": f"{100_000_000 + i}" if cmnd_only or i % 5 == 0 else "",
        "family_name": unicodedata.normalize("NFD", " Nguyễn "),
        "middle_name": unicodedata.normalize("NFD", "Thị  Ngọc") if sex == "F" else "Văn",
        "given_name": unicodedata.normalize("NFD", "Hoà" if i % 4 else "Đức"),
        "birth_date": dates[i % 3],
        "sex": SEX_WRITTEN[sex][i % 4],
        "ethnicity_code": "01",
        "religion_code": "00",
        "org_unit_code": ORG,
        "origin_place_code": code,
        "origin_place_list": "2004",
        "origin_place_text": unicodedata.normalize("NFD", name),
    }


def test_a_thousand_messy_legacy_rows_import_with_no_rejection_and_nfc_names(
    runtime: Runtime, session: Session, cell: OrgUnit, tmp_path: Path
) -> None:
    rows = [messy_row(i) for i in range(1_000)]
    result, report = run(runtime, write(tmp_path / "legacy.csv", rows, header=MESSY_HEADER))
    assert report == []
    assert (result.imported, result.rejected) == (1_000, 0)
    stored = session.execute(
        sa.select(
            Person.family_name,
            Person.middle_name,
            Person.given_name,
            Person.birth_date,
            Person.sex,
            Person.origin_place,
            Person.nid_bidx,
            Person.cmnd_bidx,
        ).where(Person.org_unit_id == cell.id)
    ).all()
    assert len(stored) == 1_000
    for family, middle, given, _, _, _, _, _ in stored:
        for name in (family, middle, given):
            assert unicodedata.is_normalized("NFC", name) and name == " ".join(name.split())
    assert {r.family_name for r in stored} == {"Nguyễn"}
    assert {r.middle_name for r in stored} == {"Thị Ngọc", "Văn"}
    assert {r.sex for r in stored} == {"M", "F"}
    # Dates as written: full, month and year, year only.
    assert {len(r.birth_date) for r in stored} == {10, 7, 4}
    # Legacy provinces on the 2025 list, the old name kept in the text.
    assert {(r.origin_place["unit_code"], r.origin_place["code_list"]) for r in stored} == {
        ("31", "2025"),
        ("08", "2025"),
    }
    assert all(unicodedata.is_normalized("NFC", r.origin_place["text"]) for r in stored)
    cmnd_only = [r for r in stored if r.nid_bidx is None]
    assert len(cmnd_only) == 334 and all(r.cmnd_bidx for r in cmnd_only)


def test_dates_as_people_write_them_are_stored_as_partial_dates(
    runtime: Runtime, session: Session, cell: OrgUnit, tmp_path: Path
) -> None:
    written = {1: "14/03/1985", 2: "03/1985", 3: "1985", 4: "1985-03-14", 5: "4/3/1985"}
    rows = [row(i, birth_date=d) for i, d in written.items()]
    result, report = run(runtime, write(tmp_path / "p.csv", rows))
    assert (result.imported, report) == (5, [])
    got = {i: by_nid(session, runtime, row(i)["nid"]).birth_date for i in written}  # type: ignore[union-attr]
    assert got == {1: "1985-03-14", 2: "1985-03", 3: "1985", 4: "1985-03-14", 5: "1985-03-04"}


def test_a_cmnd_only_row_and_its_duplicates(
    runtime: Runtime, session: Session, cell: OrgUnit, tmp_path: Path
) -> None:
    header = (*HEADER, "cmnd")
    first = row(1, nid="", cmnd="123456789")
    again = row(2, nid="", cmnd="123456789")
    twelve = row(3, nid="", cmnd=nid_for(1985, "F", 3))  # a 12-digit CMND is the nid
    short = row(4, nid="", cmnd="12345")
    result, report = run(runtime, write(tmp_path / "p.csv", [first, again, twelve, short], header))
    assert (result.imported, result.rejected) == (2, 2)
    assert [(r["line"], r["field"]) for r in report] == [("3", "cmnd"), ("5", "cmnd")]
    assert "duplicates the number on line 2" in report[0]["reason"]
    assert "12345" not in path_text(tmp_path / "p.rejected.csv")
    assert by_nid(session, runtime, twelve["cmnd"]) is not None
    # Against a stored person: the second file's row clashes.
    again_file = write(tmp_path / "q.csv", [row(5, nid="", cmnd="123456789")], header)
    result, report = run(runtime, again_file)
    assert (result.imported, [(r["field"], r["reason"]) for r in report]) == (
        0,
        [("cmnd", "already recorded for another person")],
    )


def path_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_places_are_checked_against_the_lists_naming_column_and_list(
    runtime: Runtime, session: Session, cell: OrgUnit, tmp_path: Path
) -> None:
    header = (*HEADER, "permanent_residence_code", "permanent_residence_list")
    rows = [
        row(1, permanent_residence_code="99999", permanent_residence_list="2025"),
        row(2, permanent_residence_code="77", permanent_residence_list="2025"),
        row(3, permanent_residence_code="11311", permanent_residence_list="2025"),
        row(4, permanent_residence_code="30", permanent_residence_list="2004"),
    ]
    result, report = run(runtime, write(tmp_path / "p.csv", rows, header))
    assert (result.imported, result.rejected) == (2, 2)
    assert {(r["line"], r["field"]) for r in report} == {
        ("2", "permanent_residence_code"),
        ("3", "permanent_residence_code"),
    }
    reasons = " ".join(r["reason"] for r in report)
    assert "2025 commune list (communes_2025)" in reasons
    assert "2025 province list (provinces_2025)" in reasons
    ward = by_nid(session, runtime, row(3)["nid"])
    assert ward is not None and ward.permanent_residence == {
        "unit_code": "11311",
        "code_list": "2025",
        "text": "Phường Lê Chân",
    }
    moved = by_nid(session, runtime, row(4)["nid"])
    assert moved is not None and moved.permanent_residence == {
        "unit_code": "31",
        "code_list": "2025",
        "text": "Hải Dương",
    }


def test_one_sources_sex_codes_may_be_required(
    runtime: Runtime, cell: OrgUnit, tmp_path: Path
) -> None:
    path = write(tmp_path / "p.csv", [row(1, sex="2"), row(2, sex="Nữ")])
    report_path = path.with_suffix(".rejected.csv")
    result = import_csv(
        runtime, path, report_path=report_path, show_progress=False, sex_codes="qcvn109"
    )
    assert (result.imported, result.rejected) == (1, 1)
    assert "is not a sex code (0/1/2)" in path_text(report_path)
    with pytest.raises(Invalid, match="unknown sex code scheme"):
        import_csv(runtime, path, report_path=report_path, show_progress=False, sex_codes="x")
