"""Credential hashes are versioned as changed but never copied into the history."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.dates import utcnow
from registry.history import REDACTED, RecordVersion
from registry.users.service import check_password, create_user
from tests.factories import admin_ctx


def test_password_hashes_never_reach_the_history(
    session: Session, settings: Settings, keys: StaticKeyProvider
) -> None:
    admin_ctx(session, settings, keys)
    user = create_user(
        session, username="thanh.tra", password="Mật-khẩu-dài-2026", role="admin", org_code=None
    )
    check_password(session, username="thanh.tra", password="sai", now=utcnow())
    session.flush()
    versions = list(
        session.scalars(
            sa.select(RecordVersion).where(
                RecordVersion.table_name == "users", RecordVersion.row_id == user.id
            )
        )
    )
    assert len(versions) >= 2  # created, then the failed attempt counted
    assert all(v.data["password_hash"] == REDACTED for v in versions)
    assert user.password_hash.startswith("$argon2")
