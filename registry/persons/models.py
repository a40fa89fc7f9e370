from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, Entity


class Person(Entity):
    """One personnel file. Identification numbers and contacts are stored only as ciphertext
    (``*_ct``) plus, for exact lookup, a keyed blind index (``*_bidx``)."""

    __tablename__ = "persons"

    org_unit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    nid_ct: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    nid_bidx: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    cmnd_ct: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    cmnd_bidx: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    id_issued_on: Mapped[dt.date | None]
    id_issue_place: Mapped[str | None] = mapped_column(sa.String(200))
    family_name: Mapped[str] = mapped_column(sa.String(60))
    middle_name: Mapped[str] = mapped_column(sa.String(60), default="")
    given_name: Mapped[str] = mapped_column(sa.String(60))
    search_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    other_names: Mapped[str] = mapped_column(sa.String(200), default="")
    birth_date: Mapped[str] = mapped_column(sa.String(10))
    birth_year: Mapped[int] = mapped_column(sa.Integer)
    sex: Mapped[str] = mapped_column(sa.String(1))
    ethnicity_code: Mapped[str] = mapped_column(sa.String(2))
    religion_code: Mapped[str] = mapped_column(sa.String(2))
    birth_place: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    origin_place: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    permanent_residence: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    current_residence: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    phone_ct: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    email_ct: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    life_status: Mapped[str] = mapped_column(sa.String(16), default="alive")
    death_date: Mapped[dt.date | None]
    general_education: Mapped[str | None] = mapped_column(sa.String(10))
    recruited_on: Mapped[dt.date | None]
    recruiting_agency: Mapped[str | None] = mapped_column(sa.String(200))
    civil_servant_no: Mapped[str | None] = mapped_column(sa.String(32))
    social_insurance_no_ct: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    rank_code: Mapped[str | None] = mapped_column(sa.String(16))
    salary_grade: Mapped[str | None] = mapped_column(sa.String(8))
    salary_step: Mapped[int | None]
    salary_coefficient: Mapped[decimal.Decimal | None] = mapped_column(sa.Numeric(5, 2))


class Provenance(Entity):
    """Which source asserted the current value of a field group of a person, and when."""

    __tablename__ = "provenance"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"))
    field_group: Mapped[str] = mapped_column(sa.String(32))
    source: Mapped[str] = mapped_column(sa.String(32))
    asserted_at: Mapped[dt.datetime]

    __table_args__ = (sa.UniqueConstraint("person_id", "field_group"),)


class IdentityVerification(Base):
    """The population database's last answer about a person."""

    __tablename__ = "identity_verifications"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(16))  # verified | mismatch | not_found
    checked_at: Mapped[dt.datetime]
    mismatched_fields: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
