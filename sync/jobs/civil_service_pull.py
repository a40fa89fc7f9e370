"""``civil-service-pull``: officials changed since the stored watermark.

Keyset order is ``(updated_at, nid)`` and many officials share one whole-second timestamp,
so the watermark is re-read with an overlap and every item is applied idempotently. The
paging cursor and the watermark are stored in the same transaction as the page they cover;
a ``410`` (cursor older than 15 minutes) restarts from the watermark.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.civil_service.client import CivilServiceClient, newest_per_nid
from adapters.civil_service.mapping import official_from_wire
from adapters.civil_service.wire import Official
from adapters.errors import AdapterError, CircuitOpen, CursorExpired, HostileResponse
from registry.context import Ctx
from registry.dates import PartialDate, utcnow
from registry.persons.models import Person
from sync import clients, cursors, outbox
from sync.apply import apply_asserted, record_conflict
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
            for official in newest_per_nid(page.items).values():
                apply_official(session, ctx, official, run)
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
    bidx = ctx.cipher.blind_index(official.nid, purpose="nid")
    person = session.scalars(sa.select(Person).where(Person.nid_bidx == bidx)).first()
    if person is None:
        run.counts["unlinked"] += 1
        return
    data = official_from_wire(official)
    state = session.get(RemoteState, (person.id, SYSTEM))
    if (
        state is not None
        and state.remote_version is not None
        and state.remote_version > official.version
    ):
        run.counts["stale"] += 1  # an older copy delivered late: never go backwards
        return
    owned = {k: v for k, v in data.civil_service_owned().items() if v is not None}
    applied, conflicts = apply_asserted(session, ctx, person, system=SYSTEM, values=owned)
    _echo_conflicts(session, ctx, person, data.birth_date, data.sex, run)
    run.counts["applied" if applied else "unchanged"] += 1
    run.counts["conflicts"] += conflicts
    digest = owned_digest(official.model_dump(mode="json", by_alias=True))
    if state is None:
        session.add(
            RemoteState(
                person_id=person.id,
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
    session.flush()


def _echo_conflicts(
    session: Session, ctx: Ctx, person: Person, birth: PartialDate, sex: str | None, run: JobRun
) -> None:
    """Identity belongs to the population database; an echo that disagrees is a conflict."""
    if sex is not None and sex != person.sex:
        run.counts["conflicts"] += record_conflict(
            session,
            ctx,
            person,
            system=SYSTEM,
            field="sex",
            reason="not_owned",
            local=person.sex,
            remote=sex,
        )
    if not PartialDate.parse(person.birth_date).agrees_with(birth):
        run.counts["conflicts"] += record_conflict(
            session,
            ctx,
            person,
            system=SYSTEM,
            field="birth_date",
            reason="not_owned",
            local=person.birth_date,
            remote=str(birth),
        )
