"""``population-verify`` and ``population-events``: the national population database is the
authority for identity; the registry only reads from it.

Progress is committed batch by batch: a verification pass keeps its position in a cursor
written with the results it covers, the events feed its cursor with the events it applied, so
a run stopped by faults or an open breaker leaves what it did, and the next run goes on from
there. Whatever a batch changed re-evaluates those people's alerts in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.errors import (
    AdapterError,
    CursorExpired,
    HostileResponse,
    PermanentError,
)
from adapters.population.client import PopulationClient, QueryType, SearchResult
from adapters.population.mapping import (
    IDENTITY_FIELDS,
    Identity,
    Place,
    compare,
    identity_from_record,
)
from adapters.population.wire import Event
from registry.assignments.models import Assignment
from registry.context import Ctx
from registry.dates import utcnow
from registry.errors import Conflict as NumberTaken
from registry.party.models import PartyEvent, PartyMembership
from registry.party.rules import can_transition
from registry.persons import writer
from registry.persons.models import IdentityVerification, Person, Provenance
from registry.persons.service import ENCRYPTED, decrypt_field
from sync import clients, cursors
from sync.apply import PLACE_FIELDS, apply_asserted, place_2025, reevaluate, write_values
from sync.authority import group_of
from sync.models import RemoteState
from sync.quarantine import quarantine
from sync.runs import JobRun, job

SYSTEM = "population"
CURSOR = "population.events"
# Where the current verification pass has reached (the last person id done; "" = start).
VERIFY_CURSOR = "population.verify.after"
# The same for the re-verification an expired events cursor asks for.
REVERIFY_CURSOR = "population.events.reverify.after"
BATCH = 50
# The authority group the population database owns.
(IDENTITY,) = {group_of(f) for f in IDENTITY_FIELDS}
# Compared to decide "verified": who the person is. Places are applied by authority instead
# (a province on one list and a commune on the other are not a contradiction).
COMPARED = tuple(f for f in IDENTITY_FIELDS if f not in ENCRYPTED and f not in PLACE_FIELDS)
_NUMBERED = sa.or_(Person.nid_ct.is_not(None), Person.cmnd_ct.is_not(None))


@contextmanager
def _client(run: JobRun) -> Iterator[PopulationClient]:
    client = clients.population(run.rt)
    try:
        yield client
    finally:
        client.close()


def _ctx(run: JobRun, session: Session) -> Ctx:
    return run.rt.job_ctx(session, job=run.job, source=SYSTEM)


def _stop(run: JobRun, why: str, left: int) -> None:
    """The run ends with work left; the next one resumes from the committed position."""
    run.stop_partial(why)
    run.leave("persons_to_verify", left)


@job("population-verify")
def population_verify(run: JobRun) -> None:
    with _client(run) as client:
        verify_everyone(run, client)


def verify_everyone(run: JobRun, client: PopulationClient, *, cursor: str = VERIFY_CURSOR) -> bool:
    """One pass over every living person with a number, a batch per transaction together
    with the position reached. True when the pass is complete, False when it stopped."""
    while True:
        with run.rt.sessions() as session:
            ctx = _ctx(run, session)
            after = cursors.read(session, cursor) or None
            people = _batch(session, after)
            if not people:
                cursors.write(session, cursor, "")  # the pass is done; the next starts over
                session.commit()
                return True
            try:
                results = _search(ctx, client, people)
            except HostileResponse as exc:
                quarantine(session, ctx.cipher, system=SYSTEM, job=run.job, reason=str(exc))
                run.counts["quarantined"] += len(people)
                run.leave(
                    "persons_quarantined", run.left.get("persons_quarantined", 0) + len(people)
                )
                results = {}
            except PermanentError as exc:  # refused for this batch: repeating will not help
                run.error(f"{run.job} batch refused: {type(exc).__name__}")
                results = {}
            except AdapterError as exc:  # breaker open, retries spent, credentials refused
                left = _left(session, after)
                session.rollback()
                _stop(run, type(exc).__name__, left)
                return False
            changed = {
                p.id
                for p in people
                if p.id in results and _record_verification(session, ctx, p, results[p.id], run)
            }
            reevaluate(session, changed, run.counts)
            cursors.write(session, cursor, str(people[-1].id))
            session.commit()


def _batch(session: Session, after: str | None) -> list[Person]:
    stmt = sa.select(Person).where(_NUMBERED, Person.retired_at.is_(None))
    if after:
        stmt = stmt.where(Person.id > uuid.UUID(after))
    return list(session.scalars(stmt.order_by(Person.id).limit(BATCH)))


def _left(session: Session, after: str | None) -> int:
    stmt = sa.select(sa.func.count()).where(_NUMBERED, Person.retired_at.is_(None))
    if after:
        stmt = stmt.where(Person.id > uuid.UUID(after))
    return session.scalar(stmt) or 0


def _search(
    ctx: Ctx, client: PopulationClient, people: list[Person]
) -> dict[uuid.UUID, SearchResult]:
    """By the personal identification number; by the legacy card number (``CMND``) for those
    who only have that."""
    by_nid: dict[uuid.UUID, str] = {}
    by_cmnd: dict[uuid.UUID, str] = {}
    for p in people:
        if (nid := decrypt_field(ctx, p, "nid")) is not None:
            by_nid[p.id] = nid
        elif (cmnd := decrypt_field(ctx, p, "cmnd")) is not None:
            by_cmnd[p.id] = cmnd
    out: dict[uuid.UUID, SearchResult] = {}
    kind: QueryType
    for numbers, kind in ((by_nid, "NID"), (by_cmnd, "CMND")):
        if numbers:
            found = {r.nid: r for r in client.search(list(numbers.values()), kind=kind)}
            out |= {pid: found[n] for pid, n in numbers.items()}
    return out


def _record_verification(
    session: Session, ctx: Ctx, person: Person, result: SearchResult, run: JobRun
) -> bool:
    """Record what the population database said; True when a value of the person changed."""
    changed = False
    if result.record is None:
        status, fields = "not_found", []
    else:
        ours: dict[str, Any] = {f: getattr(person, f) for f in COMPARED}
        ours |= {f: v for f in ("nid", "cmnd") if (v := decrypt_field(ctx, person, f))}
        fields = compare(ours, result.record)
        status = "mismatch" if fields else "verified"
        if status == "verified":
            _confirmed_by_population(session, person.id)
        changed = _apply_places(session, ctx, person, result, run, verified=not fields)
    run.counts[status] += 1
    row = session.get(IdentityVerification, person.id)
    if row is None:
        session.add(
            IdentityVerification(
                person_id=person.id, status=status, checked_at=utcnow(), mismatched_fields=fields
            )
        )
    else:
        row.status, row.checked_at, row.mismatched_fields = status, utcnow(), fields
    return changed


def places_of(identity: Identity, person: Person) -> dict[str, dict[str, str]]:
    """The places asserted, on the 2025 units where the mapping is known. A place given on
    the old list never replaces one the registry holds on the 2025 list: it carries less
    (a province for a commune), as a partial birth date does."""
    out = {}
    for field in PLACE_FIELDS:
        theirs: Place = getattr(identity, field)
        ours = getattr(person, field) or {}
        if theirs.code_list == "2004" and ours.get("code_list") == "2025":
            continue
        out[field] = place_2025(theirs.unit_code, theirs.code_list, theirs.text)
    return out


def _apply_places(
    session: Session, ctx: Ctx, person: Person, result: SearchResult, run: JobRun, *, verified: bool
) -> bool:
    """The population database's places (mapped to the 2025 units) and, for a person known
    only by the old card, the number. A person not verified gets no gaps filled — that would
    put the whole identity on the population database's word — but a differing value is
    still a conflict to resolve."""
    assert result.record is not None
    values: dict[str, Any] = places_of(identity_from_record(result.record), person)
    if verified and decrypt_field(ctx, person, "nid") is None:
        values["nid"] = result.record.nid
    if not verified:
        values = {f: v for f, v in values.items() if getattr(person, f)}
    try:
        applied, conflicts = apply_asserted(session, ctx, person, system=SYSTEM, values=values)
    except NumberTaken:  # the number the card led to is another person's file: a duplicate
        run.counts["duplicate_numbers"] += 1
        return False
    run.counts["places_applied"] += len(set(applied) & set(PLACE_FIELDS))
    run.counts["nid_filled"] += "nid" in applied
    run.counts["conflicts"] += conflicts
    return bool(applied)


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
            if not verify_everyone(run, client, cursor=REVERIFY_CURSOR):
                return  # the expired cursor stays: the next run goes on re-verifying
            with run.rt.sessions.begin() as session:
                cursors.write(session, CURSOR, "")
            continue
        except HostileResponse as exc:
            with run.rt.sessions.begin() as session:
                quarantine(session, run.rt.cipher, system=SYSTEM, job=run.job, reason=str(exc))
            run.counts["quarantined"] += 1
            run.leave("events_pages", 1)
            return  # the cursor does not move past a page we could not trust
        except AdapterError as exc:
            run.stop_partial(type(exc).__name__)
            run.leave("events_pages", 1)  # at least the page it could not fetch
            return
        with run.rt.sessions() as session:
            ctx = _ctx(run, session)
            changed = {
                pid for event in page.events if (pid := apply_event(session, ctx, event, run))
            }
            reevaluate(session, changed, run.counts)
            # The cursor moves in the same transaction as the events it covers.
            cursors.write(session, CURSOR, page.next_cursor)
            session.commit()
        if not page.events or page.next_cursor == after:
            return
    else:  # the page limit ran out with events still ahead
        run.stop_partial(f"page limit ({max_pages}) reached")
        run.leave("events_pages", 1)


def _person_by_nid(session: Session, ctx: Ctx, nid: str) -> Person | None:
    return session.scalars(sa.select(Person).where(writer.find_by(ctx.cipher, "nid", nid))).first()


def apply_event(session: Session, ctx: Ctx, event: Event, run: JobRun) -> uuid.UUID | None:
    """Idempotent: an event delivered twice changes nothing the second time. Returns the
    person whose values changed, if any."""
    person = _person_by_nid(session, ctx, event.nid)
    if person is None and event.event_type == "id_reissued" and event.new_nid:
        person = _person_by_nid(session, ctx, event.new_nid)
    if person is None:
        run.counts["events_unlinked"] += 1
        return None
    identity = identity_from_record(event.record)
    changed = False
    if event.event_type == "id_reissued" and event.new_nid:
        applied, _ = apply_asserted(
            session, ctx, person, system=SYSTEM, values={"nid": event.new_nid}
        )
        run.counts["nid_reissued" if applied else "events_repeated"] += 1
        changed = bool(applied)
    elif event.event_type == "death" or identity.life_status == "deceased":
        changed = _apply_death(
            session, ctx, person, identity.death_date or event.occurred_at.date(), run
        )
    else:
        values: dict[str, Any] = {
            "family_name": identity.family_name,
            "middle_name": identity.middle_name,
            "given_name": identity.given_name,
            "birth_date": str(identity.birth_date),
            "ethnicity_code": identity.ethnicity_code,
            "religion_code": identity.religion_code,
            **places_of(identity, person),
        }
        if identity.sex is not None:
            values["sex"] = identity.sex
        applied, conflicts = apply_asserted(session, ctx, person, system=SYSTEM, values=values)
        run.counts["identity_applied" if applied else "events_repeated"] += 1
        run.counts["conflicts"] += conflicts
        changed = bool(applied)
    _mark_synced(session, person.id)
    return person.id if changed else None


def _apply_death(session: Session, ctx: Ctx, person: Person, died: dt.date, run: JobRun) -> bool:
    """A death is never a conflict: the file closes, posts fall vacant, membership ends."""
    if person.life_status == "deceased":
        run.counts["events_repeated"] += 1
        return False
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
    return True


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
    session.flush()


def _mark_synced(session: Session, person_id: uuid.UUID) -> None:
    state = session.get(RemoteState, (person_id, SYSTEM))
    if state is None:
        session.add(RemoteState(person_id=person_id, system=SYSTEM, synced_at=utcnow()))
    else:
        state.synced_at = utcnow()
