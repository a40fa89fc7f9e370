"""A finding: one rule unmet for one post (and its holder), explained."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Finding:
    """Built by the thousand in a full run: a slotted, mutable-by-convention record."""

    rule: str
    position_id: uuid.UUID
    org_unit_id: uuid.UUID
    since: dt.date
    person_id: uuid.UUID | None = None
    requirement: dict[str, Any] = field(default_factory=dict)
    found: Any = None
    evidence: list[dict[str, str]] = field(default_factory=list)
    standard: dict[str, str] | None = None
    key: str = ""

    def __post_init__(self) -> None:
        # The subject is the post, or the post and its holder: one active alert per key.
        subject = (
            f"{self.position_id}:{self.person_id}" if self.person_id else str(self.position_id)
        )
        self.key = f"{self.rule}:{subject}"

    def details(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "found": self.found,
            "evidence": self.evidence,
            "standard": self.standard,
        }
