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

from adapters.civil_service.client import CivilServiceClient, newest_per_nid
from adapters.civil_service.mapping import CIVIL_SERVICE_OWNED, official_from_wire
from adapters.civil_service.wire import Official
from adapters.errors import AdapterError, CircuitOpen, CursorExpired, HostileResponse
from registry.context import Ctx
from registry.dates import PartialDate, utcnow
from registry.persons import writer
from registry.persons.models import Person
from sync import clients, cursors, outbox
from sync.apply import (
    OpenConflicts,
    decide,
    load_open_conflicts,
    load_sources,
    record_conflict,
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
    for _ in range(max_pages):
        with run.rt.sessions() as session:
            mark = cursors.read(session, WATERMARK)
            page_cursor = cursors.read(session, PAGE_CURSOR) or None
        since = dt.datetime.fromisoformat(mark) - OVERLAP if mark else None
        try:
            page = client.pull(since, page_cursor, limit=PAGE)
        except CursorExpired:
            run.counts["cursor_expired"] += 1
            with run.rt.sessions.begin() as session:
                cursors.write(session, PAGE_CURSOR, "")
            continue
        except (HostileResponse, CircuitOpen, AdapterError) as exc:
            with run.rt.sessions.begin() as session:
                quarantine(session, run.rt.cipher, system=SYSTEM, job=run.job, reason=str(exc))
            run.error(f"civil-service-pull stopped: {type(exc).__name__}")
            return
        with run.rt.sessions() as session:
            ctx = run.rt.system_ctx(session, reason="civil-service-pull", source=SYSTEM)
            outbox.skip_outbox(session, SYSTEM)  # what they told us is not pushed back
            newest = max((o.updated_at for o in page.items), default=None)
            apply_page(session, ctx, list(newest_per_nid(page.items).values()), run)
            if page.next_cursor is None:
                cursors.write(session, PAGE_CURSOR, "")
                # The end of a pass: nothing older than the newest item seen is still ahead.
                if newest is not None:
                    cursors.write(session, WATERMARK, _later(mark, newest).isoformat())
            else:
                cursors.write(session, PAGE_CURSOR, page.next_cursor)
            session.commit()
        run.counts["pages"] += 1
        if page.next_cursor is None:
            return


def _later(mark: str | None, newest: dt.datetime) -> dt.datetime:
    if mark is None:
        return newest
    return max(dt.datetime.fromisoformat(mark), newest)


def apply_official(session: Session, ctx: Ctx, official: Official, run: JobRun) -> None:
    apply_page(session, ctx, [official], run)


_P = cast(sa.Table, Person.__table__)
# The one authority group the civil-servant database owns (rank and salary).
(GROUP,) = {group_of(f) for f in CIVIL_SERVICE_OWNED}
_COLUMNS = (
    _P.c.id,
    _P.c.nid_bidx,
    _P.c.birth_date,
    _P.c.sex,
    *(_P.c[f] for f in CIVIL_SERVICE_OWNED),
)


def apply_page(session: Session, ctx: Ctx, officials: list[Official], run: JobRun) -> None:
    """Apply one page set-based: a few queries and bulk writes, with the same history and
    audit trail as single writes, so a page of 500 costs little more than one official."""
    # Every index a stored row may hold (two keys while indexes are rebuilt).
    by_bidx = {
        bidx: o for o in officials for bidx in ctx.cipher.blind_indexes(o.nid, purpose="nid")
    }
    rows = (
        session.connection()
        .execute(sa.select(*_COLUMNS).where(_P.c.nid_bidx.in_(by_bidx), _P.c.retired_at.is_(None)))
        .all()
    )
    ids = [r.id for r in rows]
    states = {
        s.person_id: s
        for s in session.scalars(
            sa.select(RemoteState).where(
                RemoteState.system == SYSTEM, RemoteState.person_id.in_(ids)
            )
        )
    }
    sources = load_sources(session, ids, GROUP)
    known = load_open_conflicts(session, ids, SYSTEM)
    run.counts["unlinked"] += len(officials) - len(rows)
    changes: dict[uuid.UUID, dict[str, Any]] = {}
    for row in rows:
        official = by_bidx[row.nid_bidx]
        state = states.get(row.id)
        if state is not None and (state.remote_version or 0) > official.version:
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
        _remember(session, row.id, state, official)
    writer.write_many(session, ctx.cipher, changes, source=SYSTEM)
    session.flush()


def _remember(
    session: Session, person_id: uuid.UUID, state: RemoteState | None, official: Official
) -> None:
    if state is not None and state.remote_version == official.version:
        return
    digest = owned_digest(official.model_dump(mode="json", by_alias=True))
    if state is None:
        session.add(
            RemoteState(
                person_id=person_id,
                system=SYSTEM,
                remote_version=official.version,
                remote_updated_at=official.updated_at,
                pulled_digest=digest,
                synced_at=utcnow(),
            )
        )
    else:
        state.remote_version = official.version
        state.remote_updated_at = official.updated_at
        state.pulled_digest = digest
        state.synced_at = utcnow()


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
