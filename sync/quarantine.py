"""Refused replies are kept, encrypted, with the reason; they are never applied."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy.orm import Session

from registry.crypto import FieldCipher
from sync.models import Quarantined


def quarantine(
    session: Session,
    cipher: FieldCipher,
    *,
    system: str,
    job: str,
    reason: str,
    subject: str | None = None,
    payload: Any = None,
) -> Quarantined:
    row_id = uuid.uuid4()
    blob = None
    if payload is not None:
        text = payload if isinstance(payload, str) else json.dumps(payload, default=str)
        blob = cipher.encrypt(
            text[:1_000_000], table="sync_quarantine", column="payload_ct", row_id=row_id
        )
    row = Quarantined(
        id=row_id, system=system, job=job, reason=reason[:500], subject=subject, payload_ct=blob
    )
    session.add(row)
    session.flush()
    return row
