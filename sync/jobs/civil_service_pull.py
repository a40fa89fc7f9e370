"""``civil-service-pull``: officials changed since the stored watermark.

Keyset order is ``(updated_at, nid)`` and many officials share one whole-second timestamp,
so the watermark is re-read with an overlap and every item is applied idempotently. The
paging cursor and the watermark are stored in the same transaction as the page they cover;
a ``410`` (cursor older than 15 minutes) restarts from the watermark.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.civil_service.client import CivilServiceClient, Page, newest_per_nid
from adapters.civil_service.mapping import CIVIL_SERVICE_OWNED, official_from_wire
from adapters.civil_service.wire import Official
from adapters.errors import AdapterError, CursorExpired, HostileResponse
from registry.context import Ctx
from registry.copyrows import insert_rows
from registry.dates import PartialDate, utcnow
from registry.persons import writer
from registry.persons.models import Person, Provenance
from sync import clients, cursors, outbox
from sync.apply import (
    OpenConflicts,
    decide,
    load_open_conflicts,
    record_conflict,
    reevaluate,
)
from sync.authority import group_of
from sync.models import RemoteState
from sync.official import owned_digest
from sync.quarantine import quarantine
from sync.runs import JobRun, job

SYSTEM = outbox.CIVIL_SERVICE
WATERMARK = "civil_service.pull.watermark"
PAGE_CURSOR = "civil_service.pull.cursor"
OVERLAP = dt.timedelta(seconds=2)
PAGE = 500


@job("civil-service-pull")
def civil_service_pull(run: JobRun) -> None:
    client = clients.civil_service(run.rt)
    try:
        pull(run, client)
    finally:
        client.close()


def pull(run: JobRun, client: CivilServiceClient, *, max_pages: int = 100_000) -> None:
    # Read once: from here on this run is the only writer of both (the job lock).
    with run.rt.sessions() as session:
        mark = cursors.read(session, WATERMARK)
        page_cursor = cursors.read(session, PAGE_CURSOR) or None
    since = dt.datetime.fromisoformat(mark) - OVERLAP if mark else None
    for _ in range(max_pages):
        try:
            page = client.pull(since, page_cursor, limit=PAGE)
        except CursorExpired:
            run.counts["cursor_expired"] += 1
            with run.rt.sessions.begin() as session:
                cursors.write(session, PAGE_CURSOR, "")
            page_cursor = None
            continue
        except HostileResponse as exc:
            # Nothing of the page is applied and the cursor stays: the next run asks again.
            with run.rt.sessions.begin() as session:
                quarantine(session, run.rt.cipher, system=SYSTEM, job=run.job, reason=str(exc))
            run.counts["quarantined"] += 1
            _stopped(run, "page quarantined")
            return
        except AdapterError as exc:  # breaker open, retries spent: not the peer's data
            _stopped(run, type(exc).__name__)
            return
        _commit_page(run, page, mark)
        run.counts["pages"] += 1
        if page.next_cursor is None:
            return
        page_cursor = page.next_cursor
    else:  # the page limit ran out with pages still ahead (an endless pager, a huge backlog)
        _stopped(run, f"page limit ({max_pages}) reached")


def _commit_page(run: JobRun, page: Page, mark: str | None) -> None:
    """One page, its alerts re-evaluated and its cursor (or, at the end of a pass, the
    watermark) in one transaction."""
    with run.rt.sessions() as session:
        ctx = run.rt.job_ctx(session, job=run.job, source=SYSTEM)
        outbox.skip_outbox(session, SYSTEM)  # what they told us is not pushed back
        newest = max((o.updated_at for o in page.items), default=None)
        changed = apply_page(session, ctx, list(newest_per_nid(page.items).values()), run)
        reevaluate(session, changed, run.counts)
        if page.next_cursor is None:
            cursors.write(session, PAGE_CURSOR, "")
            # The end of a pass: nothing older than the newest item seen is still ahead.
            if newest is not None:
                cursors.write(session, WATERMARK, _later(mark, newest).isoformat())
        else:
            cursors.write(session, PAGE_CURSOR, page.next_cursor)
        session.commit()


def _stopped(run: JobRun, why: str) -> None:
    """Stopped mid-pass: the pages committed so far stay, with their cursor and watermark;
    the next run resumes from there."""
    run.stop_partial(why)
    run.leave("pull_pass", 1)


def _later(mark: str | None, newest: dt.datetime) -> dt.datetime:
    if mark is None:
        return newest
    return max(dt.datetime.fromisoformat(mark), newest)


def apply_official(session: Session, ctx: Ctx, official: Official, run: JobRun) -> None:
    reevaluate(session, apply_page(session, ctx, [official], run), run.counts)


_P = cast(sa.Table, Person.__table__)
_S = cast(sa.Table, RemoteState.__table__)
_V = cast(sa.Table, Provenance.__table__)
# The one authority group the civil-servant database owns (rank and salary).
(GROUP,) = {group_of(f) for f in CIVIL_SERVICE_OWNED}
_COLUMNS = (
    _P.c.id,
    _P.c.nid_bidx,
    _P.c.birth_date,
    _P.c.sex,
    *(_P.c[f] for f in CIVIL_SERVICE_OWNED),
)


def _linked(bidxs: list[str]) -> sa.Select[Any]:
    """The persons a page names, each with its remote state and its provenance for the
    civil-service group, in one query."""
    state = sa.and_(_S.c.person_id == _P.c.id, _S.c.system == SYSTEM)
    prov = sa.and_(_V.c.person_id == _P.c.id, _V.c.field_group == GROUP)
    return (
        sa.select(
            *_COLUMNS,
            _S.c.remote_version,
            _S.c.person_id.is_not(None).label("has_state"),
            _V.c.source,
            _V.c.id.label("provenance_id"),
        )
        .select_from(_P.outerjoin(_S, state).outerjoin(_V, prov))
        .where(_P.c.nid_bidx.in_(bidxs), _P.c.retired_at.is_(None))
    )


def apply_page(
    session: Session, ctx: Ctx, officials: list[Official], run: JobRun
) -> set[uuid.UUID]:
    """Apply one page set-based: a few queries and bulk writes, with the same history and
    audit trail as single writes, so a page of 500 costs little more than one official.
    Returns the persons whose values changed (their alerts are re-evaluated by the caller)."""
    # Every index a stored row may hold (two keys while indexes are rebuilt).
    by_bidx = {
        bidx: o for o in officials for bidx in ctx.cipher.blind_indexes(o.nid, purpose="nid")
    }
    rows = session.connection().execute(_linked(list(by_bidx))).all()
    ids = [r.id for r in rows]
    # What we last heard from them (None: never), and who last asserted rank and salary.
    states = {r.id: r.remote_version for r in rows if r.has_state}
    sources = {r.id: r.source for r in rows if r.source is not None}
    remembered = _Remembered()
    known = load_open_conflicts(session, ids, SYSTEM)
    run.counts["unlinked"] += len(officials) - len(rows)
    changes: dict[uuid.UUID, dict[str, Any]] = {}
    for row in rows:
        official = by_bidx[row.nid_bidx]
        if (states.get(row.id) or 0) > official.version:
            run.counts["stale"] += 1  # an older copy delivered late: never go backwards
            continue
        data = official_from_wire(official)
        owned = {k: v for k, v in data.civil_service_owned().items() if v is not None}
        applied, conflicts = decide(
            session,
            ctx,
            row.id,
            system=SYSTEM,
            current=dict(row._mapping),
            values=owned,
            source_of={GROUP: sources.get(row.id)},
            known=known,
        )
        _echo_conflicts(session, ctx, row, data.birth_date, data.sex, run, known)
        if applied:
            changes[row.id] = applied
        run.counts["applied" if applied else "unchanged"] += 1
        run.counts["conflicts"] += conflicts
        remembered.add(row.id, states, official)
    remembered.write(session)
    # The provenance rows were read with the persons: not read again to be updated.
    known_rows = {r.id: r.provenance_id for r in rows if r.provenance_id is not None}
    writer.write_many(
        session, ctx.cipher, changes, source=SYSTEM, provenance_ids={GROUP: known_rows}
    )
    session.flush()
    return set(changes)


class _Remembered:
    """What a page told us of each official (version, digest), written set-based: one insert
    for officials new to us, one update for the rest; unchanged versions are not rewritten."""

    def __init__(self) -> None:
        self.new: list[dict[str, Any]] = []
        self.seen: list[dict[str, Any]] = []

    def add(
        self, person_id: uuid.UUID, states: dict[uuid.UUID, int | None], official: Official
    ) -> None:
        known = person_id in states
        if known and states[person_id] == official.version:
            return
        values = {
            "remote_version": official.version,
            "remote_updated_at": official.updated_at,
            "pulled_digest": owned_digest(official.model_dump(mode="json", by_alias=True)),
            "synced_at": utcnow(),
        }
        if known:
            self.seen.append({"b_person_id": person_id, **{f"b_{k}": v for k, v in values.items()}})
        else:
            self.new.append({"person_id": person_id, "system": SYSTEM, **values})

    def write(self, session: Session) -> None:
        conn = session.connection()
        insert_rows(conn, _S, self.new)  # COPY on PostgreSQL
        if self.seen:
            columns = ("remote_version", "remote_updated_at", "pulled_digest", "synced_at")
            conn.execute(
                sa.update(_S)
                .where(_S.c.person_id == sa.bindparam("b_person_id"), _S.c.system == SYSTEM)
                .values({c: sa.bindparam(f"b_{c}") for c in columns}),
                self.seen,
            )


def _echo_conflicts(
    session: Session,
    ctx: Ctx,
    row: Any,
    birth: PartialDate,
    sex: str | None,
    run: JobRun,
    known: OpenConflicts,
) -> None:
    """Identity belongs to the population database; an echo that disagrees is a conflict."""
    if sex is not None and sex != row.sex:
        run.counts["conflicts"] += record_conflict(
            session,
            ctx,
            row.id,
            system=SYSTEM,
            field="sex",
            reason="not_owned",
            local=row.sex,
            remote=sex,
            known=known,
        )
    if not PartialDate.parse(row.birth_date).agrees_with(birth):
        run.counts["conflicts"] += record_conflict(
            session,
            ctx,
            row.id,
            system=SYSTEM,
            field="birth_date",
            reason="not_owned",
            local=row.birth_date,
            remote=str(birth),
            known=known,
        )
