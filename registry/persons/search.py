"""Finding people by name: accent-free, whole words, ranked, in a stable order.

A query is cut into accent-free words (``search_key``: "Hạnh" → "hanh"). Each must be the
start of a word of the person's name — never a piece inside a word, so "Hạnh" does not find
"Thành" or "Thanh". Rank, best first:

0. every word of the query is a whole word of the name, and one of them is the given or the
   family name;
1. the given or the family name starts with a word of the query ("Thu" finds "Thủy");
2. the rest (the query matches the middle name or other names only).

Within a rank people come by name (the accent-free key, family name first), then birth
date; the id only separates true namesakes, so the order never changes from one page to the
next. One SQL query per page plus a count, ``LIKE`` only, the same on SQLite and PostgreSQL.
The given name is the last word of the key when the person has no other names; with other
names, a given-name match counts as rank 2 (documented, rare).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import policy
from registry.access.principal import Principal
from registry.access.scope import get_visible, scope_clause, visible
from registry.assignments.models import Assignment
from registry.dates import today
from registry.errors import Invalid
from registry.org_units.models import OrgUnit
from registry.party.models import PartyMembership
from registry.persons.models import Person
from registry.text import search_key

MAX_WORDS = 6
_NOT_WORD = re.compile(r"[^a-z0-9]")


def query_words(text: str) -> list[str]:
    """Accent-free words of a query, wildcard characters dropped (they are not letters)."""
    words = [_NOT_WORD.sub("", w) for w in search_key(text).split()]
    return [w for w in words if w][:MAX_WORDS]


@dataclass(frozen=True)
class PersonQuery:
    text: str = ""
    org_unit_id: uuid.UUID | None = None
    position_id: uuid.UUID | None = None
    party_status: str | None = None
    include_retired: bool = False
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class Found:
    persons: list[Person]
    ranks: list[int]
    total: int


def _padded() -> Any:
    return sa.literal(" ") + Person.search_key + sa.literal(" ")


def name_matches(words: list[str]) -> sa.ColumnElement[bool]:
    """Every word of the query starts a word of the name (the API's ``?q=`` and the people
    page filter alike; the page also ranks). No words: nothing matches."""
    if not words:
        return sa.false()
    padded = _padded()
    return sa.and_(*(padded.like(f"% {w}%") for w in words))


def _rank(words: list[str]) -> Any:
    padded = _padded()
    no_others = sa.func.coalesce(Person.other_names, "") == ""

    def family(w: str, *, whole: bool) -> Any:
        return (
            Person.search_key.like(f"{w} %") | (Person.search_key == w)
            if whole
            else (Person.search_key.like(f"{w}%"))
        )

    def given(w: str, *, whole: bool) -> Any:
        if whole:
            return no_others & (Person.search_key.like(f"% {w}") | (Person.search_key == w))
        # The last word starts with w: a word start at w, and no space after that point.
        lead = sa.literal(" ") + Person.search_key
        return no_others & lead.like(f"% {w}%") & ~lead.like(f"% {w}% %")

    all_whole = sa.and_(*(padded.like(f"% {w} %") for w in words))
    named = sa.or_(*(family(w, whole=True) | given(w, whole=True) for w in words))
    prefixed = sa.or_(*(family(w, whole=False) | given(w, whole=False) for w in words))
    return sa.case((all_whole & named, 0), (prefixed, 1), else_=2)


def _filtered(session: Session, who: Principal, q: PersonQuery, words: list[str]) -> Any:
    stmt = visible(sa.select(Person), Person, who)
    if not q.include_retired:
        stmt = stmt.where(Person.retired_at.is_(None))
    if words:
        stmt = stmt.where(name_matches(words))
    if q.org_unit_id is not None:
        org = get_visible(session, OrgUnit, q.org_unit_id, who)
        stmt = stmt.where(scope_clause(Person, org.path))
    if q.position_id is not None:
        on = today()
        stmt = stmt.where(
            Person.id.in_(
                sa.select(Assignment.person_id).where(
                    Assignment.position_id == q.position_id,
                    Assignment.retired_at.is_(None),
                    Assignment.valid_from <= on,
                    sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to >= on),
                )
            )
        )
    if q.party_status is not None:
        # A filter on party status is a read of it (403 for who may not see it).
        policy.require_filter(who, param="party_status", table="party_memberships", field="status")
        stmt = stmt.where(
            Person.id.in_(
                sa.select(PartyMembership.person_id).where(PartyMembership.status == q.party_status)
            )
        )
    return stmt


def search_persons(session: Session, who: Principal, q: PersonQuery) -> Found:
    """One page of the people ``who`` may see that match ``q``, best first, and how many
    match in all."""
    words = query_words(q.text)
    if q.text.strip() and not words:
        raise Invalid.field("query.q", "has no letters to search for")
    stmt = _filtered(session, who, q, words)
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    rank = _rank(words) if words else sa.literal(0)
    ordered = (
        stmt.add_columns(rank.label("rank"))
        .order_by(rank, Person.search_key, Person.birth_date, Person.id)
        .offset(q.offset)
        .limit(q.limit)
    )
    rows = session.execute(ordered).all()
    return Found([r[0] for r in rows], [int(r[1]) for r in rows], int(total))
