from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class StandardProfile(Entity):
    """A versioned set of requirements for a post; evaluated by the standards engine."""

    __tablename__ = "standard_profiles"

    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    effective_from: Mapped[dt.date]
    effective_to: Mapped[dt.date | None]
    requirements: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    __table_args__ = (sa.UniqueConstraint("code", "effective_from"),)


class RuleParameter(Entity):
    """One version of a number a rule uses (a wait, a cap, a term, a deadline, a warning
    period), with its legal source. Versions of one ``key`` are in force from
    ``effective_from`` to ``effective_to`` (inclusive, open when NULL), like standard profiles;
    the engine reads the version in force on the date it judges. ``value`` is text: a whole
    number, or an ISO date for a due date (``registry.standards.parameters.SPECS`` says which)."""

    __tablename__ = "rule_parameters"

    key: Mapped[str] = mapped_column(sa.String(64), index=True)
    value: Mapped[str] = mapped_column(sa.String(32))
    source: Mapped[str] = mapped_column(sa.String(300))
    effective_from: Mapped[dt.date]
    effective_to: Mapped[dt.date | None]

    __table_args__ = (sa.UniqueConstraint("key", "effective_from"),)
