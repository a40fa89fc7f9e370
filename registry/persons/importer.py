"""Bulk import of personnel files from CSV, validated exactly as ``POST /persons`` validates.

Every valid row is applied; a rejected row changes nothing and is written to the report
(line, field, reason; never the identification number). Rows go in batches of
``BATCH_ROWS``, one transaction each, through the set-based path of
``registry.persons.bulk`` (binary COPY on PostgreSQL), which also writes the provenance, and
the history rows, audit events and outbox items the ORM flush hook would have written.

Two stages overlap: while this process stores batch *k* (one transaction: COPY of the rows,
their history and their audit events), forked checking processes (one per spare core) check,
encrypt and serialise the batches after it, rendering their history and audit events too —
pure CPU, no database, which would otherwise share one interpreter lock with the writing.
Only this process touches the database, so the importer also works on a single connection.
"""

from __future__ import annotations

import csv
import itertools
import multiprocessing as mp
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.orm import Session

from registry.crypto import FieldCipher
from registry.dates import today, utcnow
from registry.errors import Conflict
from registry.history import Actor, get_actor
from registry.org_units.models import OrgUnit
from registry.persons.bulk import NewPersons, insert_new, stored_nid_indexes
from registry.persons.bulk_copy import prepare_audit
from registry.persons.import_rows import (
    CSV_ENCODING,
    HEADER,
    RawRow,
    Rejection,
    RowChecker,
    check_header,
    chunks,
    first_of_each_number,
    numbered,
)
from registry.runtime import Runtime

__all__ = ["BATCH_ROWS", "HEADER", "ImportResult", "import_csv"]

BATCH_ROWS = 5_000
# Processes that check and encrypt while this one writes (at most one per spare core).
CHECK_PROCESSES = 3
REPORT_HEADER = ("line", "field", "reason")
SOURCE = "import"
# A concurrent writer may store one of our numbers between the duplicate check and the write;
# the batch's savepoint is then rolled back and the batch retried with a fresh check.
WRITE_ATTEMPTS = 3
_CLASH = "already recorded for another person"


@dataclass(frozen=True)
class ImportResult:
    imported: int
    rejected: int


@dataclass
class _Prepared:
    """A checked, encrypted batch: its new persons, the rows they came from, its rejections."""

    persons: NewPersons
    lines: dict[uuid.UUID, tuple[int, tuple[str, str]]]  # person id → (line, number key)
    rejects: list[Rejection]


def import_csv(
    rt: Runtime,
    path: Path,
    *,
    report_path: Path,
    show_progress: bool,
    sex_codes: str = "auto",
) -> ImportResult:
    """Import ``path``; raise ``Invalid`` (nothing imported) if its header lacks a required
    column (``import_rows.check_header``) or while blind indexes are being rebuilt under a
    new key (its duplicate check compares indexes of the current key only). ``sex_codes``:
    the source's sex codes (``registry.codes.SEX_SCHEMES``), or ``auto`` for any of them."""
    if len(rt.cipher.blind_indexes("0", purpose="nid")) > 1:
        raise Conflict(
            "the identification-number indexes are being rebuilt under a new key: "
            "finish `cadre keys rotate --index-key` first"
        )
    with path.open(encoding=CSV_ENCODING, errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        columns = check_header(next(reader, None))
        org_ids = _org_ids(rt, path, columns)
        checker = RowChecker(
            rt.cipher,
            org_ids,
            today(),
            abroad_prefixes=rt.settings.nid_abroad_prefixes,
            columns=columns,
            sex_scheme=sex_codes,
            max_age=rt.settings.living_person_max_age,
        )
        writer = _Writer(rt, _actor(rt, f"import persons from {path.name}"[:500]))
        postgres = rt.engine.dialect.name == "postgresql"
        stage = _Stage(checker, rt.cipher, writer.actor if postgres else None)
        with (
            _checking_pool(rt, stage) as check,
            report_path.open("w", encoding="utf-8", newline="") as out,
            _progress(show_progress, path) as advance,
        ):
            report = csv.writer(out)
            report.writerow(REPORT_HEADER)
            tally = _Tally(report.writerows, advance)
            for prepared in check(chunks(numbered(reader), BATCH_ROWS)):
                tally.add(writer.store(prepared))
    return ImportResult(imported=tally.imported, rejected=tally.rejected)


@dataclass
class _Stage:
    """Stage one, CPU only: check rows, drop repeats within the batch, encrypt the rest and
    (for COPY) serialise their history."""

    checker: RowChecker
    cipher: FieldCipher
    # Who the batches are written as, when they are written by COPY (their history and
    # audit events are then rendered here too).
    copy_as: Actor | None

    def prepare(self, chunk: list[RawRow]) -> _Prepared:
        candidates, rejects = self.checker.check_all(chunk)
        candidates, repeats = first_of_each_number(candidates)
        persons = NewPersons(self.cipher, source=SOURCE, at=utcnow())
        lines = {}
        for c in candidates:
            person_id = persons.add(c.data, nid=c.nid, nid_bidx=c.bidx)
            lines[person_id] = (c.line, c.key)
        if self.copy_as is not None:
            for group in persons.groups:
                group.render_texts()
                prepare_audit(group, self.copy_as, persons.at)
        return _Prepared(persons, lines, rejects + repeats)


# In a checking process, the stage it runs: inherited through the fork with the process's
# start arguments, never pickled (the keys stay in memory and never cross a pipe).
_STAGE: _Stage | None = None


def _prepare_here(chunk: list[RawRow]) -> _Prepared:
    assert _STAGE is not None
    return _STAGE.prepare(chunk)


def _start_checking(rt: Runtime, stage: _Stage) -> None:
    """In a forked checking process: keep the stage; the parent's pooled connections are
    not this process's."""
    global _STAGE
    _STAGE = stage
    if isinstance(rt.engine, sa.Engine):  # (tests hand the runtime one open connection)
        rt.engine.dispose(close=False)


@contextmanager
def _checking_pool(
    rt: Runtime, stage: _Stage
) -> Iterator[Callable[[Iterable[list[RawRow]]], Iterator[_Prepared]]]:
    """Batches checked in forked processes (one per spare core) while this one stores the
    ones before: checking and encrypting is pure CPU and would otherwise share one core
    (one interpreter lock) with writing. Results come back in file order; at most a few
    batches are in flight, so memory stays flat whatever the file's size. Without ``fork``
    (or a spare core) the batches are checked in a thread here, overlapping the database's
    time."""
    workers = min(CHECK_PROCESSES, (os.cpu_count() or 1) - 1)
    if workers < 1 or "fork" not in mp.get_all_start_methods():
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-check") as pool:
            yield lambda batches: _in_order(pool, stage.prepare, batches, depth=1)
        return
    context = mp.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_checking, initargs=(rt, stage)
    ) as pool:
        # Fork every process now, before this one starts threads (the progress bar).
        list(pool.map(int, range(workers)))
        yield lambda batches: _in_order(pool, _prepare_here, batches, depth=workers)


def _in_order(
    pool: Executor,
    work: Callable[[list[RawRow]], _Prepared],
    batches: Iterable[list[RawRow]],
    *,
    depth: int,
) -> Iterator[_Prepared]:
    inflight: deque[Future[_Prepared]] = deque()
    for batch in batches:
        inflight.append(pool.submit(work, batch))
        if len(inflight) > depth:
            yield inflight.popleft().result()
    while inflight:
        yield inflight.popleft().result()


@dataclass
class _Writer:
    """Stage two, in the importing process: one transaction per batch."""

    rt: Runtime
    actor: Actor

    def store(self, batch: _Prepared) -> tuple[int, list[Rejection]]:
        with self.rt.sessions() as session:
            self.rt.system_ctx(session, reason=self.actor.reason, source=SOURCE, actor=self.actor)
            for attempt in itertools.count(1):
                known = _stored(session, [key for _, key in batch.lines.values()])
                batch.persons.drop({pid for pid, (_, k) in batch.lines.items() if k in known})
                try:
                    with session.begin_nested():
                        insert_new(session, batch.persons.groups, at=batch.persons.at)
                except (sa.exc.IntegrityError, psycopg.errors.UniqueViolation):
                    if attempt == WRITE_ATTEMPTS:
                        raise
                    continue
                session.commit()
                clashes = [
                    Rejection(line, key[0], _CLASH)
                    for line, key in batch.lines.values()
                    if key in known
                ]
                return len(batch.persons), batch.rejects + clashes
        raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class _Tally:
    """Counts, the report (in line order per batch) and the progress bar, in the main thread."""

    write_rows: Callable[[Iterable[tuple[int, str, str]]], object]
    advance: Callable[[int], None]
    imported: int = 0
    rejected: int = 0

    def add(self, outcome: tuple[int, list[Rejection]]) -> None:
        imported, rejects = outcome
        rejects.sort(key=lambda r: r.line)
        self.write_rows((r.line, r.field, r.reason) for r in rejects)
        rejected = len({r.line for r in rejects})
        self.imported += imported
        self.rejected += rejected
        self.advance(imported + rejected)


def _actor(rt: Runtime, reason: str) -> Actor:
    """Who the import writes as: the shell's administrator, for ``reason``."""
    with rt.sessions() as session:
        rt.system_ctx(session, reason=reason, source=SOURCE)
        return get_actor(session)


def _stored(session: Session, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which number keys (``nid`` / ``cmnd``, blind index) another person already holds."""
    found: set[tuple[str, str]] = set()
    for name in ("nid", "cmnd"):
        indexes = [b for n, b in keys if n == name]
        stored = stored_nid_indexes(session, indexes, column_name=f"{name}_bidx")
        found |= {(name, b) for b in stored}
    return found


def _org_ids(rt: Runtime, path: Path, columns: tuple[str, ...]) -> dict[str, uuid.UUID]:
    """Org unit codes used in the file → ids, looked up once before the run (a pre-scan, so
    the checking stage never needs the database)."""
    codes: set[str] = set()
    at = columns.index("org_unit_code")
    with path.open(encoding=CSV_ENCODING, errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for _, fields in numbered(reader):
            if isinstance(fields, list) and len(fields) == len(columns):
                codes.add(fields[at].strip())
    found: dict[str, uuid.UUID] = {}
    with rt.sessions() as session:
        ordered = sorted(codes)
        for start in range(0, len(ordered), 1_000):
            part = ordered[start : start + 1_000]
            stmt = sa.select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(part))
            found.update({code: org_id for code, org_id in session.execute(stmt)})
    return found


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
    """Lines in the file (an upper bound on records), read in binary for speed."""
    count = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            count += block.count(b"\n")
    return max(count, 1)
