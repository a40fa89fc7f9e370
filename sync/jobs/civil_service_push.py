"""``civil-service-push``: drain the outbox into the civil-servant database.

One idempotency key per outbox item (a new key only when the payload itself changed);
``If-Match`` with the version we last saw; ``412`` → re-read and retry once; ``422`` →
quarantine; transient failures back off, and after ``MAX_ATTEMPTS`` the item is dead —
visible and replayable with ``cadre sync replay <id>``. An item whose payload cannot be built
(``sync.official.Unsendable``: no identification number, content the contract cannot carry)
is quarantined with the reason on its first attempt, before anything is sent.

The run holds the job lock, so it first takes back every lease another run left (that run is
dead) and pushes those items now. It ends ``ok`` when no pending item is left (quarantined
and dead items are counted and wait for an operator), ``partial`` when some are: the breaker
opened, the batch limit was reached, or items wait for a retry after a transient failure.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

import structlog
from sqlalchemy.orm import Session

from adapters.civil_service.client import CivilServiceClient
from adapters.civil_service.wire import OfficialWrite
from adapters.errors import (
    AdapterError,
    AlreadyExists,
    CircuitOpen,
    HostileResponse,
    Rejected,
    RemoteNotFound,
    TransientError,
    VersionConflict,
)
from registry.context import Ctx
from registry.dates import utcnow
from registry.persons.models import Person
from sync import clients, outbox
from sync.models import OutboxItem, RemoteState
from sync.official import Unsendable, build_push, push_digest
from sync.quarantine import quarantine
from sync.runs import JobRun, job

SYSTEM = outbox.CIVIL_SERVICE
MAX_ATTEMPTS = 8
BATCH = 20
log = structlog.get_logger("sync.push")


@job("civil-service-push")
def civil_service_push(run: JobRun) -> None:
    client = clients.civil_service(run.rt)
    try:
        drain(run, client)
    finally:
        client.close()


def drain(run: JobRun, client: CivilServiceClient, *, max_batches: int = 500) -> None:
    """Push what the outbox holds; call under the job lock (``run_job`` holds it)."""
    _recover(run)
    for _ in range(max_batches):
        with run.rt.sessions() as session:
            run.rt.job_ctx(
                session, job=run.job, reason="civil-service-push: claim", source="registry"
            )
            lease = dt.timedelta(seconds=run.rt.settings.sync_lease_seconds)
            items = outbox.claim(session, SYSTEM, limit=BATCH, lease=lease, owner=run.run_id)
            ids = [item.id for item in items]
            session.commit()  # the lease is ours before any call goes out
        if not ids:
            break
        if not _push_batch(run, client, ids):
            break
    else:
        run.stop_partial(f"batch limit ({max_batches} batches of {BATCH}) reached")
    _count_left(run)


def _recover(run: JobRun) -> None:
    with run.rt.sessions() as session:
        run.rt.job_ctx(
            session, job=run.job, reason="civil-service-push: recover leases", source="registry"
        )
        recovered = outbox.recover_leases(session, SYSTEM, owner=run.run_id)
        session.commit()
    if recovered:
        run.counts["leases_recovered"] += recovered
        log.warning("sync.push.leases_recovered", items=recovered)


def _push_batch(run: JobRun, client: CivilServiceClient, ids: list[int]) -> bool:
    """Push each claimed item; False when the breaker stopped the run (the rest are given
    back)."""
    for n, item_id in enumerate(ids):
        try:
            push_one(run, client, item_id)
        except CircuitOpen:
            with run.rt.sessions() as session:
                outbox.release(session, ids[n + 1 :], owner=run.run_id)
                session.commit()
            run.stop_partial("civil-service circuit open")
            return False
    return True


def _count_left(run: JobRun) -> None:
    with run.rt.sessions() as session:
        states = outbox.state_counts(session, SYSTEM)
    run.leave("pending", states["pending"] + states["leased"])


def push_one(run: JobRun, client: CivilServiceClient, item_id: int) -> None:
    with run.rt.sessions() as session:
        ctx = run.rt.job_ctx(session, job=run.job, source="registry")
        item = session.get(OutboxItem, item_id)
        person = session.get(Person, item.person_id) if item else None
        if item is None or person is None or item.status != "pending":
            return
        body = _build(run, session, ctx, item, person)
        if body is None:
            session.commit()
            return
        digest = push_digest(body)
        if item.payload_digest not in (None, digest):
            item.idempotency_key = uuid.uuid4()  # another payload: the old key is spent
        item.payload_digest = digest
        state = session.get(RemoteState, (person.id, SYSTEM))
        if state is not None and state.pushed_digest == digest:
            _finish(item, "done", "unchanged")
            run.counts["unchanged"] += 1
            session.commit()
            return
        session.commit()  # key and digest are stored before the call that uses them
        _send(run, client, session, ctx, item, body, state)
        session.commit()


def _build(
    run: JobRun, session: Session, ctx: Ctx, item: OutboxItem, person: Person
) -> OfficialWrite | None:
    """The item's payload, or None when it cannot be sent (then it is quarantined)."""
    try:
        return build_push(session, ctx, person, agency=run.rt.settings.civil_service_agency_code)
    except Unsendable as exc:
        reason = f"unsendable: {exc.reason}"
        quarantine(
            session, ctx.cipher, system=SYSTEM, job=run.job, subject=str(item.id), reason=reason
        )
        _finish(item, "quarantined", reason)
        run.counts["unsendable"] += 1
        log.warning("sync.push.unsendable", outbox_id=item.id, reason=exc.reason)
        return None


def _send(
    run: JobRun,
    client: CivilServiceClient,
    session: Session,
    ctx: Ctx,
    item: OutboxItem,
    body: OfficialWrite,
    state: RemoteState | None,
) -> None:
    assert item.payload_digest is not None
    try:
        version = _put(client, body, item, state)
    except Rejected as exc:
        quarantine(
            session,
            ctx.cipher,
            system=SYSTEM,
            job=run.job,
            subject=str(item.id),
            reason=f"422 {exc}",
            payload=body.model_dump(mode="json"),
        )
        _finish(item, "quarantined", str(exc))
        run.counts["quarantined"] += 1
    except HostileResponse as exc:
        quarantine(
            session, ctx.cipher, system=SYSTEM, job=run.job, subject=str(item.id), reason=str(exc)
        )
        _retry_later(item, str(exc))
        run.counts["hostile"] += 1
    except CircuitOpen:
        _retry_later(item, "circuit open")
        session.commit()
        raise
    except (TransientError, VersionConflict, AdapterError) as exc:
        _retry_later(item, type(exc).__name__)
        run.counts["dead" if item.status == "dead" else "retry_later"] += 1
    else:
        _remember(session, item.person_id, version, item.payload_digest)
        _finish(item, "done", None)
        run.counts["pushed"] += 1


def _put(
    client: CivilServiceClient, body: OfficialWrite, item: OutboxItem, state: RemoteState | None
) -> int:
    if_match = state.remote_version if state is not None else None
    for _ in range(2):
        try:
            return client.put(
                body.nid, body, idempotency_key=item.idempotency_key, if_match=if_match
            ).etag
        except (VersionConflict, AlreadyExists):
            # Someone changed it there (or it exists already): re-read and go again with the
            # current version. What they own stays theirs: we only ever send our fields.
            try:
                _, if_match = client.get(body.nid)
            except RemoteNotFound:
                if_match = None
    raise VersionConflict("civil_service", "officials.put", 412, reason="version kept moving")


def _remember(session: Session, person_id: uuid.UUID, version: int, digest: str) -> None:
    state = session.get(RemoteState, (person_id, SYSTEM))
    if state is None:
        session.add(
            RemoteState(
                person_id=person_id,
                system=SYSTEM,
                remote_version=version,
                pushed_digest=digest,
                synced_at=utcnow(),
            )
        )
    else:
        state.remote_version, state.pushed_digest, state.synced_at = version, digest, utcnow()


def _finish(item: OutboxItem, status: str, note: str | None) -> None:
    item.status, item.lease_until, item.lease_owner = status, None, None
    item.last_error = note[:500] if note else None


def _retry_later(item: OutboxItem, error: str) -> None:
    item.last_error = error[:500]
    item.lease_until, item.lease_owner = None, None
    if item.attempts >= MAX_ATTEMPTS:
        item.status = "dead"
        return
    backoff = min(3600, 2**item.attempts * 5)
    item.available_at = utcnow() + dt.timedelta(seconds=random.uniform(0, backoff))  # noqa: S311


def replay(session: Session, item_id: int) -> OutboxItem:
    """Put a dead or quarantined item back in line (``cadre sync replay``).

    It gets a new idempotency key: the civil-servant database remembers its 422 for the old
    one and would answer it again without looking."""
    item = session.get(OutboxItem, item_id)
    if item is None:
        raise LookupError(f"outbox item {item_id} not found")
    item.status, item.attempts, item.available_at = "pending", 0, utcnow()
    item.lease_until, item.lease_owner, item.last_error = None, None, None
    item.idempotency_key, item.payload_digest = uuid.uuid4(), None
    session.flush()
    return item
