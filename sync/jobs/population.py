"""``population-verify`` and ``population-events``: the national population database is the
authority for identity; the registry only reads from it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.errors import AdapterError, CircuitOpen, CursorExpired, HostileResponse
from adapters.population.client import PopulationClient, SearchResult
from adapters.population.mapping import IDENTITY_FIELDS, compare, identity_from_record
from adapters.population.wire import Event
from registry.assignments.models import Assignment
from registry.context import Ctx
from registry.dates import utcnow
from registry.party.models import PartyEvent, PartyMembership
from registry.party.rules import can_transition
from registry.persons import writer
from registry.persons.models import IdentityVerification, Person, Provenance
from registry.persons.service import ENCRYPTED, decrypt_field
from sync import clients, cursors
from sync.apply import apply_asserted, write_values
from sync.authority import group_of
from sync.models import RemoteState
from sync.quarantine import quarantine
from sync.runs import JobRun, job

SYSTEM = "population"
CURSOR = "population.events"
BATCH = 50
# Every identity field the population database asserts; numbers are compared decrypted.
# The authority group the population database owns.
(IDENTITY,) = {group_of(f) for f in IDENTITY_FIELDS}
COMPARED = tuple(f for f in IDENTITY_FIELDS if f not in ENCRYPTED)


@contextmanager
def _client(run: JobRun) -> Iterator[PopulationClient]:
    client = clients.population(run.rt)
    try:
        yield client
    finally:
        client.close()


def _ctx(run: JobRun, session: Session, reason: str) -> Ctx:
    return run.rt.system_ctx(session, reason=reason, source=SYSTEM)


@job("population-verify")
def population_verify(run: JobRun) -> None:
    with _client(run) as client:
        verify_everyone(run, client)


def verify_everyone(run: JobRun, client: PopulationClient) -> None:
    after: uuid.UUID | None = None
    while True:
        with run.rt.sessions() as session:
            ctx = _ctx(run, session, "population-verify")
            stmt = sa.select(Person).where(Person.nid_ct.is_not(None), Person.retired_at.is_(None))
            if after is not None:
                stmt = stmt.where(Person.id > after)
            people = list(session.scalars(stmt.order_by(Person.id).limit(BATCH)))
            if not people:
                return
            after = people[-1].id
            nids = {p.id: decrypt_field(ctx, p, "nid") or "" for p in people}
            try:
                results = {r.nid: r for r in client.search(list(nids.values()))}
            except CircuitOpen:
                run.error("population-verify: circuit open, run stopped")
                return
            except HostileResponse as exc:
                quarantine(session, ctx.cipher, system=SYSTEM, job=run.job, reason=str(exc))
                session.commit()
                run.counts["quarantined"] += 1
                continue
            except AdapterError as exc:
                run.error(f"population-verify batch failed: {type(exc).__name__}")
                continue
            for person in people:
                _record_verification(session, ctx, person, results[nids[person.id]], run)
            session.commit()


def _record_verification(
    session: Session, ctx: Ctx, person: Person, result: SearchResult, run: JobRun
) -> None:
    if result.record is None:
        status, fields = "not_found", []
    else:
        ours = {f: getattr(person, f) for f in COMPARED}
        ours |= {f: decrypt_field(ctx, person, f) for f in ("nid", "cmnd")}
        fields = compare(ours, result.record)
        status = "mismatch" if fields else "verified"
    run.counts[status] += 1
    if status == "verified":
        _confirmed_by_population(session, person.id)
    row = session.get(IdentityVerification, person.id)
    if row is None:
        session.add(
            IdentityVerification(
                person_id=person.id, status=status, checked_at=utcnow(), mismatched_fields=fields
            )
        )
    else:
        row.status, row.checked_at, row.mismatched_fields = status, utcnow(), fields


@job("population-events")
def population_events(run: JobRun) -> None:
    with _client(run) as client:
        follow_feed(run, client)


def follow_feed(run: JobRun, client: PopulationClient, *, max_pages: int = 1000) -> None:
    for _ in range(max_pages):
        with run.rt.sessions() as session:
            after = cursors.read(session, CURSOR) or None
        try:
            page = client.events(after, limit=100)
        except CursorExpired:
            run.counts["cursor_expired"] += 1
            verify_everyone(run, client)
            with run.rt.sessions.begin() as session:
                cursors.write(session, CURSOR, "")
            continue
        except HostileResponse as exc:
            with run.rt.sessions.begin() as session:
                quarantine(session, run.rt.cipher, system=SYSTEM, job=run.job, reason=str(exc))
            run.counts["quarantined"] += 1
            return  # the cursor does not move past a page we could not trust
        with run.rt.sessions() as session:
            ctx = _ctx(run, session, "population-events")
            for event in page.events:
                apply_event(session, ctx, event, run)
            # The cursor moves in the same transaction as the events it covers.
            cursors.write(session, CURSOR, page.next_cursor)
            session.commit()
        if not page.events or page.next_cursor == after:
            return


def _person_by_nid(session: Session, ctx: Ctx, nid: str) -> Person | None:
    return session.scalars(sa.select(Person).where(writer.find_by(ctx.cipher, "nid", nid))).first()


def apply_event(session: Session, ctx: Ctx, event: Event, run: JobRun) -> None:
    """Idempotent: an event delivered twice changes nothing the second time."""
    person = _person_by_nid(session, ctx, event.nid)
    if person is None and event.event_type == "id_reissued" and event.new_nid:
        person = _person_by_nid(session, ctx, event.new_nid)
    if person is None:
        run.counts["events_unlinked"] += 1
        return
    identity = identity_from_record(event.record)
    if event.event_type == "id_reissued" and event.new_nid:
        applied, _ = apply_asserted(
            session, ctx, person, system=SYSTEM, values={"nid": event.new_nid}
        )
        run.counts["nid_reissued" if applied else "events_repeated"] += 1
    elif event.event_type == "death" or identity.life_status == "deceased":
        _apply_death(session, ctx, person, identity.death_date or event.occurred_at.date(), run)
    else:
        values = {
            "family_name": identity.family_name,
            "middle_name": identity.middle_name,
            "given_name": identity.given_name,
            "birth_date": str(identity.birth_date),
            "ethnicity_code": identity.ethnicity_code,
            "religion_code": identity.religion_code,
        }
        if identity.sex is not None:
            values["sex"] = identity.sex
        applied, conflicts = apply_asserted(session, ctx, person, system=SYSTEM, values=values)
        run.counts["identity_applied" if applied else "events_repeated"] += 1
        run.counts["conflicts"] += conflicts
    _mark_synced(session, person.id)


def _apply_death(session: Session, ctx: Ctx, person: Person, died: dt.date, run: JobRun) -> None:
    """A death is never a conflict: the file closes, posts fall vacant, membership ends."""
    if person.life_status == "deceased":
        run.counts["events_repeated"] += 1
        return
    write_values(session, ctx, person, {"life_status": "deceased", "death_date": died}, SYSTEM)
    for a in session.scalars(
        sa.select(Assignment).where(
            Assignment.person_id == person.id,
            Assignment.retired_at.is_(None),
            sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to > died),
        )
    ):
        a.valid_to = max(died, a.valid_from)  # the post is vacant from the next day
        run.counts["assignments_ended"] += 1
    membership = session.scalars(
        sa.select(PartyMembership).where(PartyMembership.person_id == person.id)
    ).first()
    if membership is not None and can_transition(membership.status, "deceased"):
        session.add(
            PartyEvent(
                membership_id=membership.id,
                kind="status",
                from_status=membership.status,
                to_status="deceased",
                effective_on=max(died, membership.admitted_on),
            )
        )
        membership.status = "deceased"
    session.flush()
    run.counts["deaths"] += 1


def _confirmed_by_population(session: Session, person_id: uuid.UUID) -> None:
    """Every identity field agrees: the values now stand on the population database's word,
    so its later changes apply without a conflict."""
    row = session.scalars(
        sa.select(Provenance).where(
            Provenance.person_id == person_id, Provenance.field_group == IDENTITY
        )
    ).first()
    if row is None:
        session.add(
            Provenance(
                person_id=person_id, field_group=IDENTITY, source=SYSTEM, asserted_at=utcnow()
            )
        )
    elif row.source != SYSTEM:
        row.source, row.asserted_at = SYSTEM, utcnow()


def _mark_synced(session: Session, person_id: uuid.UUID) -> None:
    state = session.get(RemoteState, (person_id, SYSTEM))
    if state is None:
        session.add(RemoteState(person_id=person_id, system=SYSTEM, synced_at=utcnow()))
    else:
        state.synced_at = utcnow()
