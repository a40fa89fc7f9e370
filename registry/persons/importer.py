"""Bulk import of personnel files from CSV, validated exactly as ``POST /persons`` validates.

Every valid row is applied; every rejected row changes nothing and is written to a report
(line, field, reason — never the identification number itself). Rows go in batches, one
transaction each, through the set-based path of ``registry.persons.bulk`` (COPY on PostgreSQL)
so that a million rows take minutes, not hours, and still leave provenance and history.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import psycopg
import sqlalchemy as sa
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.orm import Session

from registry.context import Ctx
from registry.dates import today, utcnow
from registry.errors import Invalid
from registry.org_units.models import OrgUnit
from registry.persons.bulk import NewPersons, insert_new
from registry.persons.models import Person
from registry.persons.rules import identity_issues
from registry.runtime import Runtime
from schemas.persons import PersonCreate

HEADER = (
    "nid",
    "family_name",
    "middle_name",
    "given_name",
    "birth_date",
    "sex",
    "ethnicity_code",
    "religion_code",
    "org_unit_code",
)
REPORT_HEADER = ("line", "field", "reason")
BATCH_ROWS = 5_000
# A concurrent writer may store one of our numbers between the duplicate check and the write;
# the batch is then retried (its savepoint rolled back) with a fresh check.
WRITE_ATTEMPTS = 3

# Bytes that were not UTF-8 arrive as lone surrogates (errors="surrogateescape").
_NOT_UTF8 = re.compile(r"[\udc80-\udcff]")
# Reasons about the number must not carry its digits into a report file.
_NID_REASONS = (
    (re.compile(r"unknown birth-registration province code \d+"), "has an unknown province code"),
    (re.compile(r"encodes birth year \d+, which is in the future"), "encodes a future birth year"),
    (re.compile(r"encodes birth year \d+, not (\d+)"), r"does not match birth year \1"),
    (re.compile(r"encodes sex [MF], not ([MF])"), r"does not match sex \1"),
    (re.compile(r"\d{3,}"), "…"),
)


@dataclass(frozen=True)
class ImportResult:
    imported: int
    rejected: int


@dataclass(frozen=True)
class Rejection:
    line: int
    field: str
    reason: str


@dataclass(frozen=True)
class Candidate:
    """A row that passed every check that needs no other row: ready unless a duplicate."""

    line: int
    data: PersonCreate
    nid: str
    bidx: str


RawRow = tuple[int, list[str] | str]  # (first line of the record, fields or a CSV error)


def import_csv(rt: Runtime, path: Path, *, report_path: Path, show_progress: bool) -> ImportResult:
    """Import ``path``; raise ``Invalid`` (nothing imported) if its header is not ``HEADER``."""
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        _check_header(next(reader, None))
        importer = _BatchImporter(rt, reason=f"import persons from {path.name}"[:500])
        imported = rejected = 0
        with (
            report_path.open("w", encoding="utf-8", newline="") as out,
            _progress(show_progress, path) as advance,
        ):
            report = csv.writer(out)
            report.writerow(REPORT_HEADER)
            for chunk in _chunks(_numbered(reader), BATCH_ROWS):
                done, rejects = importer.run(chunk)
                report.writerows((r.line, r.field, r.reason) for r in rejects)
                imported += done
                rejected += len({r.line for r in rejects})
                advance(len(chunk))
    return ImportResult(imported=imported, rejected=rejected)


def _check_header(found: list[str] | None) -> None:
    if found is not None and tuple(f.strip() for f in found) == HEADER:
        return
    expected = ",".join(HEADER)
    if not found:
        raise Invalid(f"the CSV file is empty; its first line must be the header {expected}")
    # Never echo the line: without a header it is a data row with an identification number.
    missing = [name for name in HEADER if name not in {f.strip() for f in found}]
    detail = f"missing {', '.join(missing)}" if missing else "columns out of order or extra"
    raise Invalid(f"the CSV header must be exactly {expected} ({detail}); nothing was imported")


class _Reader(Protocol):
    line_num: int

    def __next__(self) -> list[str]: ...


def _numbered(reader: _Reader) -> Iterator[RawRow]:
    """Records with the line each starts on; blank lines skipped, malformed CSV reported."""
    previous = reader.line_num
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield previous + 1, f"is not valid CSV ({exc})"
        else:
            if fields:
                yield previous + 1, fields
        previous = reader.line_num


def _chunks(rows: Iterable[RawRow], size: int) -> Iterator[list[RawRow]]:
    chunk: list[RawRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class _BatchImporter:
    """Imports one chunk per transaction; caches org unit codes across chunks."""

    rt: Runtime
    reason: str
    org_ids: dict[str, uuid.UUID] = field(default_factory=dict)

    def run(self, chunk: Sequence[RawRow]) -> tuple[int, list[Rejection]]:
        with self.rt.sessions() as session:
            ctx = self.rt.system_ctx(session, reason=self.reason, source="import")
            self._resolve_orgs(session, chunk)
            checker = _RowChecker(ctx, self.org_ids, today())
            candidates, rejects = checker.check_all(chunk)
            candidates, duplicates = _first_of_each_number(candidates)
            rejects += duplicates
            imported, stored = self._write(session, ctx, candidates)
            rejects += stored
            session.commit()
        rejects.sort(key=lambda r: r.line)
        return imported, rejects

    def _resolve_orgs(self, session: Session, chunk: Sequence[RawRow]) -> None:
        codes = {f[-1] for _, f in chunk if isinstance(f, list) and f} - self.org_ids.keys()
        if codes:
            found = session.execute(
                sa.select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(codes))
            )
            self.org_ids.update({code: org_id for code, org_id in found})

    def _write(
        self, session: Session, ctx: Ctx, candidates: list[Candidate]
    ) -> tuple[int, list[Rejection]]:
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            known = _stored_indexes(session, [c.bidx for c in candidates])
            fresh = [c for c in candidates if c.bidx not in known]
            stored = [
                Rejection(c.line, "nid", "already recorded for another person")
                for c in candidates
                if c.bidx in known
            ]
            batch = NewPersons(ctx.cipher, source=ctx.source, at=utcnow())
            for c in fresh:
                batch.add(c.data, nid=c.nid, nid_bidx=c.bidx)
            try:
                with session.begin_nested():
                    insert_new(session, batch.groups, at=batch.at)
            except (sa.exc.IntegrityError, psycopg.errors.UniqueViolation):
                if attempt == WRITE_ATTEMPTS:
                    raise
                continue
            return len(fresh), stored
        raise AssertionError("unreachable")  # pragma: no cover


def _stored_indexes(session: Session, indexes: list[str]) -> set[str]:
    if not indexes:
        return set()
    stmt = sa.select(Person.nid_bidx).where(Person.nid_bidx.in_(indexes))
    return {bidx for bidx in session.scalars(stmt) if bidx is not None}


def _first_of_each_number(
    candidates: list[Candidate],
) -> tuple[list[Candidate], list[Rejection]]:
    first_line: dict[str, int] = {}
    kept: list[Candidate] = []
    rejects: list[Rejection] = []
    for c in candidates:
        if c.bidx in first_line:
            reason = f"duplicates the number on line {first_line[c.bidx]} of this file"
            rejects.append(Rejection(c.line, "nid", reason))
        else:
            first_line[c.bidx] = c.line
            kept.append(c)
    return kept, rejects


@dataclass
class _RowChecker:
    """The API's checks, row by row: ``PersonCreate`` (shapes, NFC, control characters,
    lengths) and ``identity_issues`` (number vs birth year and sex, code lists)."""

    ctx: Ctx
    org_ids: dict[str, uuid.UUID]
    on: dt.date
    # Stands in for an unknown org unit so the row's other fields are still checked.
    _no_org: uuid.UUID = field(default_factory=uuid.uuid4)

    def check_all(self, chunk: Sequence[RawRow]) -> tuple[list[Candidate], list[Rejection]]:
        candidates: list[Candidate] = []
        rejects: list[Rejection] = []
        for line, fields in chunk:
            outcome = self.check(line, fields)
            if isinstance(outcome, Candidate):
                candidates.append(outcome)
            else:
                rejects += outcome
        return candidates, rejects

    def check(self, line: int, fields: list[str] | str) -> Candidate | list[Rejection]:
        if isinstance(fields, str):
            return [Rejection(line, "row", fields)]
        if len(fields) != len(HEADER):
            return [Rejection(line, "row", f"has {len(fields)} fields, expected {len(HEADER)}")]
        raw = dict(zip(HEADER, fields, strict=True))
        garbled = [k for k, v in raw.items() if not v.isascii() and _NOT_UTF8.search(v)]
        if garbled:
            return [Rejection(line, k, "is not valid UTF-8") for k in garbled]
        issues, data = self._shape_issues(raw)
        if data is not None:
            issues += self._meaning_issues(data)
        if issues:
            return [Rejection(line, f, _scrub(f, r)) for f, r in issues]
        assert data is not None and data.nid is not None
        bidx = self.ctx.cipher.blind_index(data.nid, purpose="nid")
        return Candidate(line, data, data.nid, bidx)

    def _shape_issues(
        self, raw: dict[str, str]
    ) -> tuple[list[tuple[str, str]], PersonCreate | None]:
        issues: list[tuple[str, str]] = []
        org_id = self.org_ids.get(raw["org_unit_code"])
        if org_id is None:
            issues.append(("org_unit_code", "is not the code of an org unit"))
        if not raw["nid"]:
            # The API allows a file without a number; an import finds duplicates by it.
            issues.append(("nid", "is required in an import"))
        payload: dict[str, Any] = {k: v for k, v in raw.items() if k != "org_unit_code"}
        payload["nid"] = raw["nid"] or None
        payload["org_unit_id"] = org_id or self._no_org
        try:
            data = PersonCreate.model_validate(payload)
        except ValidationError as exc:
            issues += [(str(e["loc"][0]), _pydantic_reason(e["msg"])) for e in exc.errors()]
            return issues, None
        return issues, data

    def _meaning_issues(self, data: PersonCreate) -> list[tuple[str, str]]:
        return identity_issues(
            nid=data.nid,
            cmnd=None,
            birth_date=data.birth_date,
            sex=data.sex,
            ethnicity_code=data.ethnicity_code,
            religion_code=data.religion_code,
            life_status="alive",
            death_date=None,
            today=self.on,
            abroad_prefixes=self.ctx.settings.nid_abroad_prefixes,
        )


def _pydantic_reason(message: str) -> str:
    return message.removeprefix("Value error, ")


def _scrub(field_name: str, reason: str) -> str:
    if field_name != "nid":
        return reason
    for pattern, replacement in _NID_REASONS:
        reason = pattern.sub(replacement, reason)
    return reason


@contextmanager
def _progress(show: bool, path: Path) -> Iterator[Callable[[int], None]]:
    if not show:
        yield lambda _n: None
        return
    columns = (
        TextColumn("importing {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns) as bar:
        task = bar.add_task(path.name, total=_count_lines(path) - 1)
        yield lambda n: bar.advance(task, n)


def _count_lines(path: Path) -> int:
    """Lines in the file (a close upper bound on records), read in binary for speed."""
    count = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            count += block.count(b"\n")
    return max(count, 1)
