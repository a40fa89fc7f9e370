from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity

ACTIVE = ("open", "acknowledged", "waived")


class Alert(Entity):
    """A finding carried through review: open → acknowledged → resolved (when the data
    satisfies the rule) or waived with a reason and an expiry (reopened when it expires).

    ``active_key`` is ``rule:subject`` while the alert is active and NULL once resolved, so a
    unique constraint keeps exactly one active alert per (rule, subject). Every state change is
    an ordinary versioned update: who, when and why are in the recorded history.
    ``last_seen_at`` is when the finding was last stated (opened, or its explanation
    changed); when a run last looked is in the run's own record, not in every alert.
    """

    __tablename__ = "alerts"

    rule: Mapped[str] = mapped_column(sa.String(64), index=True)
    person_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    position_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("positions.id"), index=True)
    org_unit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    active_key: Mapped[str | None] = mapped_column(sa.String(140), unique=True)
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    since: Mapped[dt.date]
    first_seen_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    resolved_at: Mapped[dt.datetime | None]
    waived_reason: Mapped[str | None] = mapped_column(sa.String(500))
    waived_until: Mapped[dt.date | None]
    assigned_to: Mapped[str | None] = mapped_column(sa.String(120))
    # What the explanation was made of when last stated (``standards.findings.basis``): a
    # run rewrites ``details`` only when this differs.
    basis: Mapped[str | None] = mapped_column(sa.Text)


class AlertComment(Entity):
    __tablename__ = "alert_comments"

    alert_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("alerts.id"), index=True)
    author: Mapped[str] = mapped_column(sa.String(120))
    text: Mapped[str] = mapped_column(sa.String(2000))
