"""Failed sign-ins per client address, kept in the database so that every process serving
the pages (``cadre serve`` workers, several machines on PostgreSQL) counts the same
failures, and a restart does not forgive a guesser.

Per-username lockout is kept on the user row (it must survive restarts and be audited);
this covers guessing across many usernames from one address. The address itself is personal
data: only a keyed digest of it is stored.
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
class AddressThrottle:
    max_failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)

    @staticmethod
    def key(secret: bytes, address: str) -> str:
        digest = hmac.new(secret, b"sign-in-address\x00" + address.encode(), hashlib.sha256)
        return digest.hexdigest()

    def attempt(self, session: Session, key: str, now: dt.datetime) -> bool:
        """Count this attempt before the password is checked, atomically, and say whether
        the address is over its limit: concurrent guesses each count, none slips through
        between a check and a count."""
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
            .returning(c.failures)
        )
        count = session.execute(stmt).scalar_one()
        return int(count) > self.max_failures

    def forgive(self, session: Session, key: str) -> None:
        """The attempt counted by ``attempt`` succeeded: it is not a failure. (A success does
        not wipe the address's earlier failures: one valid account must not reset a guesser's
        count.)"""
        session.execute(
            sa.update(SignInFailures)
            .where(SignInFailures.address_key == key, SignInFailures.failures > 0)
            .values(failures=SignInFailures.failures - 1)
        )

    def succeeded(self, session: Session, key: str) -> None:
        """Forget the address's failures (an administrator's reset)."""
        session.execute(
            sa.update(SignInFailures).where(SignInFailures.address_key == key).values(failures=0)
        )
