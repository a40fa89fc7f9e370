"""personnel file sections: family relations, personal history, military service, health,
socio-political organisation membership, salary history; on persons the identity card's issue
date and place and the (encrypted) social insurance number

Compatibility: new tables and new nullable columns only; nothing existing changes.

Revision ID: 5e1f0a7c9b21
Revises: b3c7b69650fa
Create Date: 2026-12-02 00:33:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5e1f0a7c9b21"
down_revision = "b3c7b69650fa"
branch_labels = None
depends_on = None


def _bookkeeping() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
    ]


def _person_table(name: str, *columns: sa.Column[object], extra: tuple[object, ...] = ()) -> None:
    op.create_table(
        name,
        sa.Column("person_id", sa.Uuid(), nullable=False),
        *columns,
        *_bookkeeping(),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f(f"fk_{name}_person_id_persons")
        ),
        *extra,  # type: ignore[arg-type]
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_person_id"), ["person_id"], unique=False)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL lock_timeout = '5s'")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_issued_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("id_issue_place", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("social_insurance_no_ct", sa.LargeBinary(), nullable=True))
    _person_table(
        "family_relations",
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("relation", sa.String(length=24), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("occupation", sa.String(length=200), nullable=True),
        sa.Column("workplace", sa.String(length=200), nullable=True),
        sa.Column("residence", sa.String(length=200), nullable=True),
        sa.Column("party_status", sa.String(length=8), nullable=False),
        sa.Column("deceased", sa.Boolean(), nullable=False),
        sa.Column("relative_person_id", sa.Uuid(), nullable=True),
        extra=(
            sa.ForeignKeyConstraint(
                ["relative_person_id"],
                ["persons.id"],
                name=op.f("fk_family_relations_relative_person_id_persons"),
            ),
        ),
    )
    _person_table(
        "personal_history",
        sa.Column("valid_from", sa.String(length=10), nullable=False),
        sa.Column("valid_to", sa.String(length=10), nullable=True),
        sa.Column("activity", sa.String(length=500), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
    )
    _person_table(
        "military_services",
        sa.Column("enlisted_on", sa.Date(), nullable=False),
        sa.Column("discharged_on", sa.Date(), nullable=True),
        sa.Column("rank", sa.String(length=64), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.String(length=500), nullable=True),
    )
    _person_table(
        "health_records",
        sa.Column("examined_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("height_cm", sa.Integer(), nullable=True),
        sa.Column("weight_kg", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("notes", sa.String(length=500), nullable=True),
    )
    _person_table(
        "organisation_memberships",
        sa.Column("organisation", sa.String(length=24), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=True),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
    )
    _person_table(
        "salary_history",
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("rank_code", sa.String(length=16), nullable=True),
        sa.Column("salary_grade", sa.String(length=8), nullable=True),
        sa.Column("salary_step", sa.Integer(), nullable=True),
        sa.Column("salary_coefficient", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("allowances", sa.JSON(), nullable=False),
    )


TABLES = (
    "salary_history",
    "organisation_memberships",
    "health_records",
    "military_services",
    "personal_history",
    "family_relations",
)


def downgrade() -> None:
    for name in TABLES:
        op.drop_table(name)
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("social_insurance_no_ct")
        batch_op.drop_column("id_issue_place")
        batch_op.drop_column("id_issued_on")
