"""Verification of the audit chain, its checkpoints and the content it vouches for
(``cadre audit verify``).

Streams the events in ``seq`` order and recomputes every hash: an edited, deleted, reordered
or inserted event breaks the chain at its sequence number. A rewrite of the whole table that
recomputes all hashes is caught by the signed checkpoints, above all the copies kept outside
the database, whose head hashes the rewritten chain no longer reaches. While walking, the
events' content digests are paired with the history versions; afterwards each row's versions
must count 1..n in ``seq`` order, every row with versions must still exist, and every live row
is compared with its latest version (``registry.audit.verify_content``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.audit import sequencer
from registry.audit.chain import CANONICAL_FIELDS, DIGEST_FIELD, GENESIS, canonical_values
from registry.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from registry.audit.signing import verify as verify_signature
from registry.audit.verify_content import (
    LiveMismatch,
    VersionMatcher,
    check_live_rows,
    check_missing_rows,
    check_version_order,
    stream_versions,
)

_EVENTS = cast(sa.Table, AuditEvent.__table__)
_CHECKPOINTS = cast(sa.Table, AuditCheckpoint.__table__)
_HEAD = cast(sa.Table, AuditHead.__table__)


@dataclass
class VerifyReport:
    """What ``verify_all`` found. ``first_bad_seq`` is an event's sequence number;
    ``first_bad_row`` names the first bad history version or live row ("record_versions seq
    N …", "persons <id> …"): the chain can be intact while the content it vouches for is not."""

    events: int = 0
    checkpoints: int = 0
    versions: int = 0
    live_rows: int = 0
    first_bad_seq: int | None = None
    first_bad_row: str | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # The newest checkpoint kept outside the database, and how many events came after it:
    # those are vouched for only by the database itself.
    last_external_checkpoint: int | None = None
    events_after_external_checkpoint: int = 0
    # Entries the verify chained before walking, and those still pending after it (committed
    # since): a pending entry is verified by the first verify after it is chained.
    sequenced: int = 0
    unsequenced: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, seq: int | None, problem: str) -> None:
        if seq is not None and (self.first_bad_seq is None or seq < self.first_bad_seq):
            self.first_bad_seq = seq
        self.problems.append(problem)

    def fail_row(self, row: str, problem: str) -> None:
        if self.first_bad_row is None:
            self.first_bad_row = row
        self.problems.append(problem)


def _raw_rows(conn: sa.Connection) -> Iterator[tuple[Any, ...]]:
    """Events in seq order as plain tuples (CANONICAL_FIELDS, content_digest, prev_hash, hash),
    read with the
    driver's own cursor: the chain walk is the hot path, and per-row ORM processing would
    halve its rate."""
    names = ", ".join([*CANONICAL_FIELDS, DIGEST_FIELD, "prev_hash", "hash"])
    dbapi: Any = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        names = names.replace("occurred_at", "occurred_at AT TIME ZONE 'UTC'")
        cur = dbapi.cursor(name="cadre_audit_verify")
        cur.itersize = 5000
    else:
        cur = dbapi.cursor()
    try:
        cur.execute(f"SELECT {names} FROM audit_events ORDER BY seq")  # noqa: S608 - constant
        while rows := cur.fetchmany(5000):
            yield from rows
    finally:
        cur.close()


def _as_utc(value: Any) -> dt.datetime:
    if isinstance(value, str):  # SQLite keeps naive UTC text
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]


# PostgreSQL renders each event's canonical form itself (``chain.canonical``: JSON with no
# spaces, non-ASCII kept, an ISO instant in UTC without a zero fraction), around the fields
# list, which Python re-encodes once per distinct stored text. Parsing typed rows in Python
# was most of the verify's time; the text is byte for byte what ``chain.canonical`` gives (a
# property test compares them), and a difference could only raise a false alarm, never hide
# an edit: the hash is over the canonical form of what is stored.
_PG_INSTANT = (
    "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
    "CASE WHEN extract(microseconds FROM occurred_at)::bigint % 1000000 = 0 THEN '' "
    "ELSE to_char(occurred_at AT TIME ZONE 'UTC', '.US') END || '+00:00'"
)


def _pg_json(column: str) -> str:
    return f"coalesce(to_json({column})::text, 'null')"


_PG_BEFORE_FIELDS = (
    " || ',' || ".join(
        ["'[' || seq::text", f"to_json({_PG_INSTANT})::text"]
        + [_pg_json(c) for c in CANONICAL_FIELDS[2:8]]
    )
    + " || ','"
)
_PG_AFTER_FIELDS = (
    "',' || "
    + " || ',' || ".join(_pg_json(c) for c in CANONICAL_FIELDS[9:])
    + f" || coalesce(',' || to_json({DIGEST_FIELD})::text, '') || ']'"
)
_PG_CHAIN = (
    f"SELECT seq, {_PG_BEFORE_FIELDS}, fields::text, {_PG_AFTER_FIELDS}, {DIGEST_FIELD}, "  # noqa: S608 - constants
    f"CASE WHEN {DIGEST_FIELD} IS NOT NULL THEN object_type || ' ' || coalesce(object_id, '') "
    "END, prev_hash, hash FROM audit_events ORDER BY seq"
)
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _walk_chain_pg(
    conn: sa.Connection, report: VerifyReport, wanted: set[int], matcher: VersionMatcher
) -> dict[int, str]:
    """``_walk_chain`` over PostgreSQL's canonical text (see ``_PG_CHAIN``)."""
    assert CANONICAL_FIELDS[8] == "fields" and CANONICAL_FIELDS[:2] == ("seq", "occurred_at")
    prev, expected = GENESIS, 1
    found: dict[int, str] = {}
    sha256, encode, loads = hashlib.sha256, _ENCODER.encode, json.loads
    memo: dict[str, str] = {}
    dbapi: Any = conn.connection.dbapi_connection
    cur = dbapi.cursor(name="cadre_audit_verify", binary=True)
    try:
        cur.execute(_PG_CHAIN)
        while rows := cur.fetchmany(5000):
            for seq, before, fields, after, digest, label, prev_hash, stored in rows:
                if seq != expected:
                    report.fail(expected, f"event {expected} is missing (next stored is {seq})")
                    return _walked(report, expected, found)
                if prev_hash != prev:
                    report.fail(seq, f"event {seq} does not link to event {seq - 1}")
                    return _walked(report, expected, found)
                canon = memo.get(fields)
                if canon is None:
                    if len(memo) > 10_000:
                        memo.clear()
                    canon = memo[fields] = encode(loads(fields))
                if sha256(f"{prev}{before}{canon}{after}".encode()).hexdigest() != stored:
                    report.fail(seq, f"event {seq} was altered (its hash does not recompute)")
                    return _walked(report, expected, found)
                prev = stored
                if seq in wanted:
                    found[seq] = prev
                if digest is not None:
                    matcher.event(seq, digest, label)
                expected += 1
    finally:
        cur.close()
    return _walked(report, expected, found)


def _walked(report: VerifyReport, expected: int, found: dict[int, str]) -> dict[int, str]:
    report.events = expected - 1
    return found


def _walk_chain(
    conn: sa.Connection, report: VerifyReport, wanted: set[int], matcher: VersionMatcher
) -> dict[int, str]:
    """Check every link, hand each content digest to ``matcher``; return the stored hash at
    each wanted sequence number."""
    if conn.dialect.name == "postgresql":
        return _walk_chain_pg(conn, report, wanted, matcher)
    prev, expected = GENESIS, 1
    prev_ascii = prev.encode("ascii")
    found: dict[int, str] = {}
    sha256 = hashlib.sha256
    for row in _raw_rows(conn):
        seq = row[0]
        if seq != expected:
            report.fail(expected, f"event {expected} is missing (next stored is {seq})")
            break
        if row[13] != prev:
            report.fail(seq, f"event {seq} does not link to event {seq - 1}")
            break
        values = list(row[:12])
        values[1] = _as_utc(values[1])
        if isinstance(values[8], str):
            values[8] = json.loads(values[8])
        digest = row[12]
        if digest is not None:
            values.append(digest)
        if sha256(prev_ascii + canonical_values(values)).hexdigest() != row[14]:
            report.fail(seq, f"event {seq} was altered (its hash does not recompute)")
            break
        prev = row[14]
        prev_ascii = prev.encode("ascii")
        if seq in wanted:
            found[seq] = prev
        if digest is not None:
            matcher.event(seq, digest, f"{row[6]} {row[7]}")
        expected += 1
    report.events = expected - 1
    return found


def _load_checkpoints(
    conn: sa.Connection, directory: Path | None
) -> list[tuple[str, dict[str, Any]]]:
    rows: list[tuple[str, dict[str, Any]]] = [
        (
            "database",
            {
                "seq": r.seq,
                "head_hash": r.head_hash,
                "created_at": r.created_at.isoformat(),
                "key_id": r.key_id,
                "signature": r.signature,
            },
        )
        for r in conn.execute(sa.select(_CHECKPOINTS).order_by(_CHECKPOINTS.c.seq))
    ]
    if directory is not None and directory.is_dir():
        for path in sorted(directory.glob("checkpoint-*.json")):
            try:
                rows.append((f"file {path.name}", json.loads(path.read_text("utf-8"))))
            except (OSError, ValueError):
                rows.append((f"file {path.name}", {}))
    return rows


def verify_all(
    conn: sa.Connection,
    *,
    public_key_b64: str,
    checkpoint_dir: Path | None,
    content: bool = True,
    sequence: bool = True,
) -> VerifyReport:
    """Check the chain, the checkpoints, the history against the chain and the live rows
    against the history; ``content=False`` checks the chain and checkpoints only. First,
    when ``sequence`` is on and ``conn`` is not inside a transaction, chain what is pending
    (so what was committed is verified now); what stays pending is counted."""
    started = time.perf_counter()
    report = VerifyReport()
    if sequence and not conn.in_transaction():
        with Session(bind=conn) as session:
            report.sequenced = sequencer.sequence(session, wait=True)
            session.commit()
    report.unsequenced = sequencer.pending_count(conn)
    checkpoints = _load_checkpoints(conn, checkpoint_dir)
    wanted = {int(c["seq"]) for _, c in checkpoints if isinstance(c.get("seq"), int)}
    before = _versions_before_digests(conn)
    matcher = VersionMatcher(stream_versions(conn, before) if content else iter(()))
    hashes = _walk_chain(conn, report, wanted, matcher)
    chain_ok = report.ok
    _check_head(conn, report)
    for origin, cp in checkpoints:
        report.checkpoints += 1
        _check_checkpoint(report, origin, cp, hashes, public_key_b64)
    _note_external(report, checkpoints)
    if content and chain_ok:
        _check_versions(report, matcher)
        _check_live(conn, report)
    elif content:
        report.problems.append("history and live rows not checked: the chain is broken")
    report.seconds = time.perf_counter() - started
    return report


def _versions_before_digests(conn: sa.Connection) -> int:
    value = conn.execute(sa.select(_HEAD.c.versions_before_digests).where(_HEAD.c.id == 1)).scalar()
    return int(value or 0)


def _check_versions(report: VerifyReport, matcher: VersionMatcher) -> None:
    """Report what the pairing left over: versions first (the bad row itself), then events
    whose version is gone. An edited version shows on both sides."""
    unpaired = matcher.finish()
    report.versions = matcher.versions_seen
    versions = sorted(item for items in unpaired.versions.values() for item in items)
    events = sorted(item for items in unpaired.events.values() for item in items)
    for seq, label in versions:
        report.fail_row(
            f"record_versions seq {seq}",
            f"history version seq {seq} ({label}) matches no audit event: edited or inserted",
        )
    for seq, label in events:
        report.fail_row(
            f"audit event {seq} ({label})",
            f"audit event {seq} records a version of {label} that is not stored as recorded: "
            "deleted or edited",
        )


def _check_live(conn: sa.Connection, report: VerifyReport) -> None:
    _fail_live(report, *check_version_order(conn))
    _fail_live(report, *check_missing_rows(conn))
    checked, first, bad = check_live_rows(conn)
    report.live_rows = checked
    _fail_live(report, first, bad)


def _fail_live(report: VerifyReport, first: LiveMismatch | None, bad: int) -> None:
    if first is not None:
        report.fail_row(
            f"{first.table} {first.row_id}",
            f"row {first.table} {first.row_id} {first.problem}"
            + (f" (and {bad - 1} more rows)" if bad > 1 else ""),
        )


def _note_external(report: VerifyReport, checkpoints: list[tuple[str, dict[str, Any]]]) -> None:
    external = [
        c["seq"]
        for origin, c in checkpoints
        if origin.startswith("file ") and isinstance(c.get("seq"), int)
    ]
    report.last_external_checkpoint = max(external, default=None)
    report.events_after_external_checkpoint = report.events - (report.last_external_checkpoint or 0)


def _check_head(conn: sa.Connection, report: VerifyReport) -> None:
    """The head row must name the last event: a deleted tail event shows up here."""
    head = conn.execute(sa.select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)).first()
    if head is None:
        report.fail(1, "the chain head record is missing")
        return
    if report.first_bad_seq is None and head.seq != report.events:
        report.fail(
            min(head.seq, report.events) + 1,
            f"the head records {head.seq} events but {report.events} are stored",
        )


def _check_checkpoint(
    report: VerifyReport,
    origin: str,
    cp: dict[str, Any],
    hashes: dict[int, str],
    public_key_b64: str,
) -> None:
    statement = {k: cp.get(k) for k in ("seq", "head_hash", "created_at")}
    seq = cp.get("seq")
    if not isinstance(seq, int) or not verify_signature(
        public_key_b64, statement, str(cp.get("signature", ""))
    ):
        report.fail(None, f"checkpoint ({origin}) has no valid signature")
        return
    if seq > report.events and report.first_bad_seq is None:
        report.fail(
            report.events + 1,
            f"checkpoint ({origin}) covers {seq} events but the chain has {report.events}",
        )
    elif seq in hashes and hashes[seq] != cp["head_hash"]:
        report.fail(1, f"checkpoint ({origin}) at {seq} does not match the chain: rewritten")
