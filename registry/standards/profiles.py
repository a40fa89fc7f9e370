"""Which version of a standard is in force for a post on a date.

A post links to one profile row; every profile row with the same ``code`` is a version of
the same standard, in force from ``effective_from`` to ``effective_to`` (inclusive, open
when NULL). A shortfall is judged against the version in force at the date asked.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.standards.models import StandardProfile
from registry.standards.requirements import Requirements


@dataclass(frozen=True)
class InForce:
    linked_id: uuid.UUID  # the profile id posts point at
    version_id: uuid.UUID  # the version in force on the date
    code: str
    effective_from: dt.date
    requirements: Requirements

    described: dict[str, str]  # shared by every finding under this version


def in_force(session: Session, on: dt.date) -> dict[uuid.UUID, InForce]:
    """Linked profile id → the version of its standard in force on ``on`` (absent if none)."""
    rows = list(
        session.scalars(sa.select(StandardProfile).where(StandardProfile.retired_at.is_(None)))
    )
    by_code: dict[str, list[StandardProfile]] = defaultdict(list)
    for p in rows:
        by_code[p.code].append(p)
    out: dict[uuid.UUID, InForce] = {}
    for p in rows:
        current = [
            v
            for v in by_code[p.code]
            if v.effective_from <= on and (v.effective_to is None or v.effective_to >= on)
        ]
        if current:
            v = max(current, key=lambda x: x.effective_from)
            described = {
                "profile_id": str(v.id),
                "code": v.code,
                "effective_from": v.effective_from.isoformat(),
            }
            out[p.id] = InForce(
                p.id,
                v.id,
                v.code,
                v.effective_from,
                Requirements.model_validate(v.requirements),
                described,
            )
    return out
