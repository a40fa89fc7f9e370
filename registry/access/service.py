"""API tokens: created from the CLI, stored as SHA-256 only, resolved to a Principal."""

from __future__ import annotations

import hashlib
import secrets
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access.models import ApiToken
from registry.access.principal import ROLES, Principal, Role
from registry.dates import utcnow
from registry.errors import Invalid, NotFound, Unauthorized
from registry.org_units.models import OrgUnit

TOKEN_PREFIX = "cadre_"  # noqa: S105 - a public prefix, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


LOOKUPS_MAX = 1_000_000  # a minute's lookups: far past any ward's need, well inside int32


def create_token(
    session: Session,
    *,
    role: str,
    org_code: str | None,
    name: str,
    lookups_per_minute: int | None = None,
) -> str:
    """Store a new token's hash and return the token itself (shown once). Without
    ``lookups_per_minute`` the token has the default quota of API tokens."""
    if role not in ROLES:
        raise Invalid.field("role", f"must be one of {', '.join(ROLES)}")
    if lookups_per_minute is not None and not 0 <= lookups_per_minute <= LOOKUPS_MAX:
        raise Invalid.field("lookups-per-minute", f"must be between 0 and {LOOKUPS_MAX}")
    org_id = None
    if org_code:
        org = session.scalar(sa.select(OrgUnit).where(OrgUnit.code == org_code))
        if org is None:
            raise NotFound(f"org unit {org_code!r} not found")
        org_id = org.id
    elif role != "admin":
        raise Invalid.field("org", f"a {role} token needs --org")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=hash_token(token),
            name=name,
            role=role,
            org_unit_id=org_id,
            lookups_per_minute=lookups_per_minute,
        )
    )
    session.flush()
    return token


_TOKENS, _UNITS = ApiToken.__table__, OrgUnit.__table__
_TOKEN_LOOKUP = (
    sa.select(
        _TOKENS.c.id,
        _TOKENS.c.role,
        _TOKENS.c.org_unit_id,
        _TOKENS.c.expires_at,
        _TOKENS.c.lookups_per_minute,
        _UNITS.c.path,
    )
    .select_from(_TOKENS.outerjoin(_UNITS, _UNITS.c.id == _TOKENS.c.org_unit_id))
    .where(_TOKENS.c.token_hash == sa.bindparam("token_hash"), _TOKENS.c.retired_at.is_(None))
)  # built once: every request runs it


def authenticate(session: Session, token: str, *, purpose: str | None) -> Principal:
    tok = session.execute(_TOKEN_LOOKUP, {"token_hash": hash_token(token)}).first()
    if tok is None:
        raise Unauthorized("unknown or revoked token")
    path = tok.path
    if tok.expires_at is not None and tok.expires_at <= utcnow():
        raise Unauthorized("token expired")
    role = cast(Role, tok.role)  # stored values are checked on create
    return Principal(
        subject=f"token:{tok.id}",
        role=role,
        org_unit_id=tok.org_unit_id,
        org_path=path,
        purpose=purpose,
        lookups_per_minute=tok.lookups_per_minute,
    )
