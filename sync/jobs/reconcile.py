"""``reconcile``: full compare of the registry and the civil-servant database.

Both sides are summarised as bucketed digests (bucket = first byte of the number's blind
index… of its SHA-256, so the buckets are stable); only divergent buckets are compared item
by item. Repairs: registry-owned content that differs is pushed again (through the outbox),
civil-service-owned content that differs is applied as a pull would, officials missing there
are created.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.civil_service.client import CivilServiceClient, newest_per_nid
from adapters.civil_service.wire import Official
from adapters.errors import AdapterError
from registry.context import Ctx
from registry.persons.models import Person
from registry.persons.service import decrypt_field
from sync import clients, outbox
from sync.apply import reevaluate
from sync.jobs.civil_service_pull import apply_page
from sync.models import OutboxItem, RemoteState
from sync.official import Unsendable, build_push, owned_digest, push_digest
from sync.runs import JobRun, job

SYSTEM = outbox.CIVIL_SERVICE
BUCKETS = 64


def bucket_of(nid: str) -> int:
    return hashlib.sha256(nid.encode()).digest()[0] % BUCKETS


def bucket_digests(items: dict[str, str]) -> dict[int, str]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for nid, digest in sorted(items.items()):
        grouped[bucket_of(nid)].append(f"{nid}:{digest}")
    return {b: hashlib.sha256("|".join(v).encode()).hexdigest() for b, v in grouped.items()}


@job("reconcile")
def reconcile(run: JobRun) -> None:
    client = clients.civil_service(run.rt)
    try:
        compare_and_repair(run, client)
    finally:
        client.close()


def _remote(client: CivilServiceClient) -> dict[str, Official]:
    seen: list[Official] = []
    cursor: str | None = None
    while True:
        page = client.pull(None, cursor, limit=500)
        seen.extend(page.items)
        if page.next_cursor is None:
            return newest_per_nid(seen)
        cursor = page.next_cursor


def _ours(session: Session, ctx: Ctx, agency: str) -> dict[str, tuple[uuid.UUID, str]]:
    officials = outbox.officials_among(session, None)
    out = {}
    for person in session.scalars(sa.select(Person).where(Person.id.in_(officials))):
        nid = decrypt_field(ctx, person, "nid")
        if nid is None or person.retired_at is not None:
            continue
        try:
            payload = build_push(session, ctx, person, agency=agency)
        except Unsendable:
            continue  # the push quarantines it with its reason; nothing to compare
        out[nid] = (person.id, push_digest(payload))
    return out


def compare_and_repair(run: JobRun, client: CivilServiceClient) -> None:
    try:
        remote = _remote(client)
    except AdapterError as exc:
        run.error(f"reconcile: could not read the civil-servant database ({type(exc).__name__})")
        return
    with run.rt.sessions() as session:
        ctx = run.rt.job_ctx(session, job=run.job, source=SYSTEM)
        ours = _ours(session, ctx, run.rt.settings.civil_service_agency_code)
        theirs = {
            nid: owned_digest(o.model_dump(mode="json", by_alias=True))
            for nid, o in remote.items()
            if nid in ours
        }
        mine = bucket_digests({nid: d for nid, (_, d) in ours.items()})
        other = bucket_digests(theirs)
        divergent = {b for b in set(mine) | set(other) if mine.get(b) != other.get(b)}
        run.counts["buckets"] = BUCKETS
        run.counts["divergent_buckets"] = len(divergent)
        pulled: list[Official] = []
        for nid, (person_id, digest) in ours.items():
            if bucket_of(nid) not in divergent:
                continue
            if (official := remote.get(nid)) is not None:
                pulled.append(official)
            if theirs.get(nid) != digest:
                _repush(session, person_id)
                run.counts["repushed"] += 1
        # What they own is applied as a pull would, alerts re-evaluated with it.
        reevaluate(session, apply_page(session, ctx, pulled, run), run.counts)
        session.commit()


def _repush(session: Session, person_id: uuid.UUID) -> None:
    """Forget what we think they hold, and queue a push."""
    state = session.get(RemoteState, (person_id, SYSTEM))
    if state is not None:
        state.pushed_digest = None
    waiting = session.scalar(
        sa.select(OutboxItem.id).where(
            OutboxItem.person_id == person_id,
            OutboxItem.system == SYSTEM,
            OutboxItem.status == "pending",
        )
    )
    if waiting is None:
        session.add(OutboxItem(system=SYSTEM, person_id=person_id))
    session.flush()
