from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, Entity


class User(Entity):
    """A person who signs in to the review pages with a password.

    Only an argon2 hash of the password is stored. ``failed_attempts`` counts consecutive
    failures and resets on success; from the fifth on the account is locked until
    ``locked_until`` (doubling each time). A session cookie issued before
    ``sessions_revoked_at`` is refused, so signing out ends the session on the server too.
    Like every entity, each change (including a failed sign-in) is a recorded version.
    """

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    # A hash kept forever in the history could be attacked offline long after it changed.
    role: Mapped[str] = mapped_column(sa.String(16))
    org_unit_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("org_units.id"))
    disabled: Mapped[bool] = mapped_column(default=False)
    failed_attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    last_sign_in_at: Mapped[dt.datetime | None]
    sessions_revoked_at: Mapped[dt.datetime | None]


class SignInFailures(Base):
    """Failures from one address in the current window (a counter, updated in place)."""

    __tablename__ = "sign_in_failures"

    address_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    window_start: Mapped[dt.datetime]
    failures: Mapped[int] = mapped_column(sa.Integer)


class PasswordChangeDue(Base):
    """A user who signed in with a one-time password (the demo administrator ``make run``
    prints) must choose their own before any page opens. The row goes when they do; while it
    exists ``make run`` may issue a fresh one-time password, since nobody chose one yet."""

    __tablename__ = "password_change_due"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    since: Mapped[dt.datetime]
