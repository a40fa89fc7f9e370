"""Accounts: creation, password sign-in with lockout, and the Principal a user acts as."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.principal import Principal, Role
from registry.errors import Invalid, NotFound
from registry.org_units.models import OrgUnit
from registry.users.models import PasswordChangeDue, User
from registry.users.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password

# People, not applications: a "service" role stays with API tokens.
USER_ROLES: tuple[Role, ...] = ("admin", "officer", "auditor")
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
LOCK_AFTER = 5
LOCK_BASE = dt.timedelta(minutes=15)
LOCK_MAX = dt.timedelta(hours=24)


def create_user(
    session: Session, *, username: str, password: str, role: str, org_code: str | None
) -> User:
    if not USERNAME.fullmatch(username):
        raise Invalid.field("username", "3-64 characters: a-z, 0-9, '.', '_' or '-'")
    if role not in USER_ROLES:
        raise Invalid.field("role", f"must be one of {', '.join(USER_ROLES)}")
    if len(password) < MIN_LENGTH:
        raise Invalid.field("password", f"at least {MIN_LENGTH} characters")
    org_id = None
    if org_code:
        org = session.scalar(sa.select(OrgUnit).where(OrgUnit.code == org_code))
        if org is None:
            raise NotFound(f"org unit {org_code!r} not found")
        org_id = org.id
    elif role != "admin":
        raise Invalid.field("org", f"a {role} needs --org")
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise Invalid.field("username", "already taken")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        org_unit_id=org_id,
        disabled=False,
        failed_attempts=0,
    )
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class SignIn:
    """The outcome of a password check: ``user`` is set only on success."""

    user: User | None
    locked: bool = False


def _lock_span(failures: int) -> dt.timedelta:
    span: dt.timedelta = LOCK_BASE * (2 ** (failures - LOCK_AFTER))
    return min(span, LOCK_MAX)


def check_password(session: Session, *, username: str, password: str, now: dt.datetime) -> SignIn:
    """Verify a sign-in; the caller commits (the counters are kept on failure too)."""
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        return SignIn(None, locked=True)
    good = verify_password(None if user is None else user.password_hash, password)
    if user is None or user.disabled or user.retired_at is not None:
        return SignIn(None)
    if not good:
        user.failed_attempts += 1
        if user.failed_attempts >= LOCK_AFTER:
            user.locked_until = now + _lock_span(user.failed_attempts)
        session.flush()
        return SignIn(None, locked=user.locked_until is not None and user.locked_until > now)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_attempts, user.locked_until, user.last_sign_in_at = 0, None, now
    session.flush()
    return SignIn(user)


def revoke_sessions(session: Session, user_id: uuid.UUID, *, now: dt.datetime) -> None:
    user = session.get(User, user_id)
    if user is not None:
        user.sessions_revoked_at = now
        session.flush()


def active_user(session: Session, user_id: uuid.UUID, *, issued_at: dt.datetime) -> User | None:
    """The user a session cookie names, if that session may still be used."""
    user = session.get(User, user_id)
    if user is None or user.disabled or user.retired_at is not None:
        return None
    if user.sessions_revoked_at is not None and issued_at <= user.sessions_revoked_at:
        return None
    return user


def principal_for(session: Session, user: User, *, purpose: str | None) -> Principal:
    path = None
    if user.org_unit_id is not None:
        path = session.scalar(sa.select(OrgUnit.path).where(OrgUnit.id == user.org_unit_id))
    return Principal(
        subject=f"user:{user.username}",
        role=cast(Role, user.role),  # stored values are checked on create
        org_unit_id=user.org_unit_id,
        org_path=path,
        purpose=purpose,
    )


# Words a person can read out and type: no 0/O, 1/l/I.
_ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _one_time_password() -> str:
    groups = ("".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)  # 19 characters, ~79 bits


@dataclass(frozen=True)
class OneTime:
    """What ``issue_one_time`` did: ``password`` is None when the user already chose their
    own (nothing to print: they sign in with it)."""

    username: str
    password: str | None
    created: bool


def issue_one_time(session: Session, *, username: str, now: dt.datetime) -> OneTime:
    """A registry-wide administrator ``username`` with a fresh one-time password, unless the
    account exists and its owner already chose a password. The password must be changed at the
    first sign-in (``password_change_due``); while that is pending a new call replaces it, so
    the password shown last is the one that works. The caller commits."""
    user = session.scalar(sa.select(User).where(User.username == username))
    due = None if user is None else session.get(PasswordChangeDue, user.id)
    if user is not None and due is None:
        return OneTime(username, None, created=False)
    password = _one_time_password()
    if user is None:
        user = create_user(
            session, username=username, password=password, role="admin", org_code=None
        )
        session.add(PasswordChangeDue(user_id=user.id, since=now))
    else:
        user.password_hash = hash_password(password)
        user.failed_attempts, user.locked_until = 0, None
        assert due is not None
        due.since = now
    session.flush()
    return OneTime(username, password, created=due is None)


def reset_one_time(session: Session, *, username: str, now: dt.datetime) -> str:
    """A forgotten password: a new one-time password for an existing account, to be changed
    at the next sign-in; the account's lock and every open session end. The caller commits."""
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"user {username!r} not found")
    password = _one_time_password()
    user.password_hash = hash_password(password)
    user.failed_attempts, user.locked_until, user.sessions_revoked_at = 0, None, now
    due = session.get(PasswordChangeDue, user.id)
    if due is None:
        session.add(PasswordChangeDue(user_id=user.id, since=now))
    else:
        due.since = now
    session.flush()
    return password


def password_change_due(session: Session, user_id: uuid.UUID) -> bool:
    return session.get(PasswordChangeDue, user_id) is not None


def change_password(
    session: Session, user: User, *, current: str, new: str, now: dt.datetime
) -> None:
    """The user's own change: the current password proves it is them; the new one must be
    long enough and differ. Other sessions end (signed in elsewhere with the old one)."""
    if not verify_password(user.password_hash, current):
        raise Invalid.field("form.current", "is not your current password")
    if len(new) < MIN_LENGTH:
        raise Invalid.field("form.new", f"at least {MIN_LENGTH} characters")
    if new == current:
        raise Invalid.field("form.new", "must differ from the current password")
    user.password_hash = hash_password(new)
    user.sessions_revoked_at = now
    due = session.get(PasswordChangeDue, user.id)
    if due is not None:
        session.delete(due)
    session.flush()
