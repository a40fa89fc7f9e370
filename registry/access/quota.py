"""Quotas of exact identification-number lookups, counted in the database.

An exact lookup tells which file holds a number, and the number space is small enough to
walk (see ``shared/pitfalls.md``), so lookups are rationed per caller per clock minute. The
count lives in ``lookup_windows`` so every serving process (``cadre serve --workers N``)
and every server of a deployment draws from the same allowance. A request takes all the
lookups it needs at once (a batch of 100 takes 100) or none: a refused request changes no
count.

Who gets how many: an API token is an application (a ward's system reconciling its
people), so its default is high (``CADRE_API_LOOKUPS_PER_MINUTE``, 6,000) and a token may
carry its own (``cadre token create --lookups-per-minute N``); people signed in on the pages
keep the strict ``CADRE_NID_LOOKUPS_PER_MINUTE`` (30).
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from registry.access.models import LookupWindow
from registry.access.principal import Principal
from registry.config import Settings
from registry.errors import TooManyRequests


class QuotaExceeded(TooManyRequests):
    """Over the caller's lookups for this minute; ``retry_after`` seconds until the next."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def allowance(principal: Principal, settings: Settings) -> int:
    """Lookups per minute for this caller."""
    if principal.lookups_per_minute is not None:
        return principal.lookups_per_minute
    if principal.subject.startswith("token:"):
        return settings.api_lookups_per_minute
    return settings.nid_lookups_per_minute


def _insert_missing(session: Session, subject: str, minute: int) -> sa.Executable:
    """This minute's counter row, unless another request (or process) made it first."""
    values = {"subject": subject, "minute": minute, "lookups": 0}
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(LookupWindow).values(values).on_conflict_do_nothing()
    return sqlite_insert(LookupWindow).values(values).on_conflict_do_nothing()


def take(
    session: Session, subject: str, count: int, *, per_minute: int, now: float | None = None
) -> None:
    """Take ``count`` lookups from ``subject``'s allowance for the current minute, or refuse
    (429 with the seconds left in the minute) taking none. Flushes; the caller commits."""
    clock = time.time() if now is None else now
    minute = int(clock // 60)
    retry_after = max(1, 60 - int(clock % 60))
    if count > per_minute:
        raise QuotaExceeded(
            f"a request of {count} lookups is over the quota of {per_minute} a minute",
            retry_after=retry_after,
        )
    table = LookupWindow
    session.execute(sa.delete(table).where(table.subject == subject, table.minute < minute))
    session.execute(_insert_missing(session, subject, minute))
    # One statement decides and counts, so concurrent requests (other processes included)
    # can never together exceed the allowance: the row lock orders them.
    result = session.execute(
        sa.update(table)
        .where(
            table.subject == subject,
            table.minute == minute,
            table.lookups + count <= per_minute,
        )
        .values(lookups=table.lookups + count)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise QuotaExceeded(
            f"over the quota of {per_minute} identification-number lookups a minute",
            retry_after=retry_after,
        )
