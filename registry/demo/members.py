"""Party members of the residential cells: what happens to each, and writing them.

A member's story (official, probationary, made official this year, transferred between
cells, moved to another ward, left, deceased) is a pure function of the seed and the index.
Stories with events go through the party and person services; plain official and
probationary members of a large ward go through the bulk path, which writes the same rows
and history in a fraction of the time.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from registry.context import Ctx
from registry.demo.calendar import MERGER, add_years, between
from registry.demo.people import PersonSpec, person, person_rng
from registry.demo.ward import Ward
from registry.party.models import PartyMembership
from registry.party.service import change_status, create_membership, transfer
from registry.persons.bulk import NewPersons, NewRows, insert_new
from registry.persons.rules import new_person_issues
from registry.persons.service import create_person, update_person
from schemas.party import PartyMembershipCreate, PartyStatusChange, PartyTransfer
from schemas.persons import PersonCreate, PersonUpdate

Story = Literal[
    "official", "probationary", "made_official", "transferred", "moved_away", "left", "deceased"
]
EVENTFUL: tuple[tuple[Story, float], ...] = (
    ("made_official", 0.03),
    ("transferred", 0.03),
    ("moved_away", 0.01),
    ("left", 0.005),
    ("deceased", 0.015),
)
PROBATIONARY = 0.04
# Above this many members, eventful stories thin out (their service calls dominate the run
# otherwise) and plain members take the bulk path.
BULK_ABOVE = 20_000
MEMBERSHIP_COLUMNS = (
    "id",
    "version",
    "created_at",
    "updated_at",
    "person_id",
    "party_cell_id",
    "admitted_on",
    "official_on",
    "card_no",
    "party_cv_no",
    "status",
)


@dataclass(frozen=True)
class MemberPlan:
    spec: PersonSpec
    cell: int  # index into Ward.cells
    story: Story
    admitted_on: dt.date
    official_on: dt.date | None
    event_on: dt.date | None  # when the story's event happened
    card_no: str | None
    cv_no: str

    @property
    def eventful(self) -> bool:
        return self.story not in ("official", "probationary")


def plan_member(ward: Ward, index: int) -> MemberPlan:
    rng = person_rng(ward.seed, "member", index)
    spec = person(ward.seed, index, role="member")
    story = _story(rng, ward, spec)
    cell = index % len(ward.cells)
    as_of = ward.as_of
    if story == "probationary":
        admitted = as_of - dt.timedelta(days=rng.randint(20, 330))
    elif story == "made_official":
        admitted = as_of - dt.timedelta(days=rng.randint(372, 700))
    else:
        first = spec.birth_year + 18
        year = rng.randint(first, min(spec.birth_year + 45, as_of.year - 2))
        admitted = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    official = add_years(admitted, 1) if story not in ("probationary", "made_official") else None
    event_on = None
    if story == "made_official":
        event_on = add_years(admitted, 1)
    elif story != "probationary" and story != "official":
        event_on = between(rng, max(MERGER, add_years(admitted, 1)), as_of)
    card = f"{rng.randint(10_000_000, 99_999_999)}" if official else None
    cv_no = f"{rng.randint(100_000, 999_999)}"
    return MemberPlan(spec, cell, story, admitted, official, event_on, card, cv_no)


def _story(rng: random.Random, ward: Ward, spec: PersonSpec) -> Story:
    age = ward.as_of.year - spec.birth_year
    thin = min(1.0, BULK_ABOVE / max(1, ward.scale.members))
    roll = rng.random()
    for story, share in EVENTFUL:
        if roll < share * thin and _fits(story, age):
            return story
        roll -= share * thin
    if rng.random() < PROBATIONARY and 18 <= age <= 60:
        return "probationary"
    return "official"


def _fits(story: Story, age: int) -> bool:
    if story == "made_official":
        return 19 <= age <= 61
    if story == "deceased":
        return age >= 75
    return age >= 20


def write_member(session: Session, ctx: Ctx, ward: Ward, plan: MemberPlan) -> None:
    """Through the services: the file, the membership, then the story's event."""
    person = create_person(session, ctx, person_payload(ward, plan))
    m = create_membership(session, ctx, membership_payload(ward, plan, person.id))
    if plan.event_on is None:
        return
    if plan.story == "transferred":
        to = ward.cells[(plan.cell + 1) % len(ward.cells)]
        transfer(session, ctx, m, PartyTransfer(to_cell_id=to, effective_on=plan.event_on))
        return
    target = {"made_official": "official", "moved_away": "transferred_out"}.get(plan.story)
    change = PartyStatusChange(
        to_status=target or plan.story,
        effective_on=plan.event_on,
        decision_no=f"{plan.spec.index % 900 + 10}-QĐ/ĐU",
    )
    change_status(session, ctx, m, change)
    if plan.story == "deceased":
        update_person(
            session,
            ctx,
            person,
            PersonUpdate(life_status="deceased", death_date=plan.event_on),
        )


def person_payload(ward: Ward, plan: MemberPlan) -> PersonCreate:
    spec = plan.spec
    return PersonCreate(
        org_unit_id=ward.cells[plan.cell],
        **spec.identity(),
    )


def membership_payload(ward: Ward, plan: MemberPlan, person_id: uuid.UUID) -> PartyMembershipCreate:
    probation = plan.story in ("probationary", "made_official")
    return PartyMembershipCreate(
        person_id=person_id,
        party_cell_id=ward.cells[plan.cell],
        admitted_on=plan.admitted_on,
        official_on=plan.official_on,
        card_no=plan.card_no,
        party_cv_no=plan.cv_no,
        status="probationary" if probation else "official",
    )


def write_plain_members(
    session: Session, ctx: Ctx, ward: Ward, plans: list[MemberPlan], at: dt.datetime
) -> None:
    """The bulk path for members without events: persons, provenance, memberships and the
    history of each, set-based, after the same checks the services make."""
    persons = NewPersons(ctx.cipher, source=ctx.source, at=at)
    memberships = NewRows(PartyMembership, MEMBERSHIP_COLUMNS)
    for plan in plans:
        data = person_payload(ward, plan)
        _check_identity(ctx, data, ward.as_of)
        assert data.nid is not None
        bidx = ctx.cipher.blind_index(data.nid, purpose="nid")
        person_id = persons.add(data, nid=data.nid, nid_bidx=bidx)
        m = membership_payload(ward, plan, person_id)
        facts = (m.party_cell_id, m.admitted_on, m.official_on, m.card_no, m.party_cv_no)
        memberships.rows.append((uuid.uuid4(), 1, at, at, person_id, *facts, m.status))
    insert_new(session, [*persons.groups, memberships], at=at)


def _check_identity(ctx: Ctx, data: PersonCreate, on: dt.date) -> None:
    issues = new_person_issues(data, today=on, abroad_prefixes=ctx.settings.nid_abroad_prefixes)
    if issues:  # the generator's own bug: stop before writing anything wrong
        raise ValueError(f"demo person fails the identity checks: {[f for f, _ in issues]}")
