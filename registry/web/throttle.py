"""Sign-in throttling that stops guessers without locking out an office.

Three limits, each over a window (15 minutes):

- per (account, address): 5 failures — one person's typos lock only their own account from
  their own machine, never a colleague behind the same gateway;
- per account: the lock on the user row (``registry.users.service``: from the fifth
  consecutive failure, 15 minutes doubling, from any address);
- per address: a ceiling much higher than any office reaches by typos (100), for one address
  spraying guesses across many accounts.

The counters live in the database (``sign_in_failures``) so that every process serving the
pages counts the same failures and a restart does not forgive a guesser. Each counter's key
is a keyed digest (HMAC with the session key) of what it counts, with a label per kind:
the address, and the username, are personal data and are never stored as such. An unknown
username is counted like a real one, so the answers do not tell which accounts exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry.users.models import SignInFailures


@dataclass(frozen=True)
class Verdict:
    """The outcome of counting an attempt: ``retry_at`` is set when it is refused.
    ``pair_last`` says this attempt was the pair's last allowed one, and ``pair_ends`` when
    the pair's window ends: a failure now locks the pair, and the answer says so at once."""

    retry_at: dt.datetime | None
    pair_last: bool = False
    pair_ends: dt.datetime | None = None

    @property
    def refused(self) -> bool:
        return self.retry_at is not None


@dataclass(frozen=True)
class AddressThrottle:
    """``max_failures`` is the per-address ceiling; ``pair_max_failures`` the limit for one
    account from one address."""

    max_failures: int = 100
    pair_max_failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)

    @staticmethod
    def key(secret: bytes, address: str) -> str:
        digest = hmac.new(secret, b"sign-in-address\x00" + address.encode(), hashlib.sha256)
        return digest.hexdigest()

    @staticmethod
    def pair_key(secret: bytes, username: str, address: str) -> str:
        text = f"{username}\x00{address}".encode()
        return hmac.new(secret, b"sign-in-pair\x00" + text, hashlib.sha256).hexdigest()

    def _count(self, session: Session, key: str, now: dt.datetime) -> tuple[int, dt.datetime]:
        """Count one attempt under ``key`` atomically (concurrent guesses each count, none
        slips through between a check and a count): the count and its window's start."""
        t = cast(sa.Table, SignInFailures.__table__)
        c: Any = t.c
        pg = session.get_bind().dialect.name == "postgresql"
        insert = postgresql.insert if pg else sqlite.insert
        stale = c.window_start < now - self.window
        stmt = (
            insert(t)
            .values(address_key=key, window_start=now, failures=1)
            .on_conflict_do_update(
                index_elements=[c.address_key],
                set_={
                    "failures": sa.case((stale, 1), else_=c.failures + 1),
                    "window_start": sa.case((stale, now), else_=c.window_start),
                },
            )
            .returning(c.failures, c.window_start)
        )
        count, start = session.execute(stmt).one()
        if start.tzinfo is None:  # SQLite's RETURNING gives the stored text back naive
            start = start.replace(tzinfo=dt.UTC)
        return int(count), start

    def attempt(self, session: Session, key: str, now: dt.datetime) -> bool:
        """Count an attempt from an address; True when the address is over its ceiling."""
        count, _ = self._count(session, key, now)
        return count > self.max_failures

    def check(
        self, session: Session, *, address_key: str, pair_key: str, now: dt.datetime
    ) -> Verdict:
        """Count this attempt against the address and the (account, address) pair, before the
        password is checked; refused with the time the later window ends if either is over."""
        waits = []
        address_count, address_start = self._count(session, address_key, now)
        if address_count > self.max_failures:
            waits.append(address_start + self.window)
        pair_count, pair_start = self._count(session, pair_key, now)
        if pair_count > self.pair_max_failures:
            waits.append(pair_start + self.window)
        return Verdict(
            max(waits) if waits else None,
            pair_last=pair_count == self.pair_max_failures,
            pair_ends=pair_start + self.window,
        )

    def forgive(self, session: Session, key: str) -> None:
        """The attempt counted under ``key`` succeeded: it is not a failure. (A success does
        not wipe an address's earlier failures: one valid account must not reset a guesser's
        count.)"""
        session.execute(
            sa.update(SignInFailures)
            .where(SignInFailures.address_key == key, SignInFailures.failures > 0)
            .values(failures=SignInFailures.failures - 1)
        )

    def succeeded(self, session: Session, key: str) -> None:
        """Forget the failures under ``key`` (an account's own pair on success; an
        administrator's reset of an address)."""
        session.execute(
            sa.update(SignInFailures).where(SignInFailures.address_key == key).values(failures=0)
        )
