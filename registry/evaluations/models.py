from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class Evaluation(Entity):
    """A period's evaluation: 30 general + 70 task points, the four indicator groups as
    configurable components, the band-derived classification and any override as data."""

    __tablename__ = "evaluations"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    period_kind: Mapped[str] = mapped_column(sa.String(8))
    period: Mapped[str] = mapped_column(sa.String(8))
    general_points: Mapped[int]
    task_points: Mapped[int]
    components: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    derived_classification: Mapped[str] = mapped_column(sa.String(4))
    classification: Mapped[str] = mapped_column(sa.String(4))
    applied_rules: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    override_classification: Mapped[str | None] = mapped_column(sa.String(4))
    override_reason: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (sa.Index("ix_evaluations_person_period", "person_id", "period"),)
