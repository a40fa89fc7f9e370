"""The sections of the personnel file beyond identity, posts and training (form 2C-BNV/2008:
family relations, personal history, military service, health, socio-political organisations,
salary history). Each row belongs to one person and is versioned like every registry fact;
its table name is the name of its section in the file (``schemas.person_file.PersonFile``)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Entity


class FamilyRelation(Entity):
    """A relative on the cadre's own side or the spouse's side. ``relative_person_id`` links
    a relative who has a file of their own here (never the person themselves)."""

    __tablename__ = "family_relations"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    side: Mapped[str] = mapped_column(sa.String(8))
    relation: Mapped[str] = mapped_column(sa.String(24))
    full_name: Mapped[str] = mapped_column(sa.String(120))
    birth_year: Mapped[int | None]
    occupation: Mapped[str | None] = mapped_column(sa.String(200))
    workplace: Mapped[str | None] = mapped_column(sa.String(200))
    residence: Mapped[str | None] = mapped_column(sa.String(200))
    party_status: Mapped[str] = mapped_column(sa.String(8), default="unknown")
    deceased: Mapped[bool] = mapped_column(default=False)
    relative_person_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("persons.id"))


class PersonalHistory(Entity):
    """One line of the form's "tóm tắt quá trình": from–to as partial dates (month and year
    are what the form asks), what the person did and where."""

    __tablename__ = "personal_history"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    valid_from: Mapped[str] = mapped_column(sa.String(10))
    valid_to: Mapped[str | None] = mapped_column(sa.String(10))
    activity: Mapped[str] = mapped_column(sa.String(500))
    place: Mapped[str | None] = mapped_column(sa.String(200))


class MilitaryService(Entity):
    __tablename__ = "military_services"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    enlisted_on: Mapped[dt.date]
    discharged_on: Mapped[dt.date | None]
    rank: Mapped[str | None] = mapped_column(sa.String(64))
    unit: Mapped[str | None] = mapped_column(sa.String(200))
    notes: Mapped[str | None] = mapped_column(sa.String(500))


class HealthRecord(Entity):
    """A health examination's outcome: special-category data as a whole."""

    __tablename__ = "health_records"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    examined_on: Mapped[dt.date]
    status: Mapped[str] = mapped_column(sa.String(8))
    height_cm: Mapped[int | None]
    weight_kg: Mapped[decimal.Decimal | None] = mapped_column(sa.Numeric(5, 1))
    notes: Mapped[str | None] = mapped_column(sa.String(500))


class OrganisationMembership(Entity):
    __tablename__ = "organisation_memberships"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    organisation: Mapped[str] = mapped_column(sa.String(24))
    role: Mapped[str | None] = mapped_column(sa.String(64))
    joined_on: Mapped[dt.date]
    left_on: Mapped[dt.date | None]


class SalaryHistory(Entity):
    """A salary decision's period: rank (ngạch), step, coefficient and the allowances drawn
    (``[{"kind": code, "coefficient": "0.20"} | {"kind": code, "percent": 5}]``)."""

    __tablename__ = "salary_history"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    valid_from: Mapped[dt.date]
    valid_to: Mapped[dt.date | None]
    rank_code: Mapped[str | None] = mapped_column(sa.String(16))
    salary_grade: Mapped[str | None] = mapped_column(sa.String(8))
    salary_step: Mapped[int | None]
    salary_coefficient: Mapped[decimal.Decimal] = mapped_column(sa.Numeric(5, 2))
    allowances: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
