"""rule parameters and party records: ``rule_parameters`` (versioned numbers of the standards
rules, each with its legal source), party committee membership, probation, transfers with
their letter dates, dues payments, register reconciliations; on ``assignments`` how a post
ended (``end_kind``), the appointment term and the re-appointment due date.

Compatibility: new tables and nullable columns only; old code ignores them. No rows are
seeded: a parameter with no version in force takes its declared default
(``registry.standards.parameters.SPECS``), and ``cadre standards params seed`` writes those
defaults as audited versions.

Revision ID: b3c7b69650fa
Revises: 5b7c1e9d2a43
Create Date: 2026-12-02 00:32:05.463506+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b3c7b69650fa"
down_revision = "5b7c1e9d2a43"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "rule_parameters",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_parameters")),
        sa.UniqueConstraint(
            "key", "effective_from", name=op.f("uq_rule_parameters_key_effective_from")
        ),
    )
    with op.batch_alter_table("rule_parameters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_parameters_key"), ["key"], unique=False)

    op.create_table(
        "party_register_reconciliations",
        sa.Column("org_unit_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("reconciled_on", sa.Date(), nullable=False),
        sa.Column("members_in_register", sa.Integer(), nullable=False),
        sa.Column("members_in_files", sa.Integer(), nullable=False),
        sa.Column("discrepancies", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["org_units.id"],
            name=op.f("fk_party_register_reconciliations_org_unit_id_org_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_register_reconciliations")),
    )
    with op.batch_alter_table("party_register_reconciliations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_party_register_reconciliations_org_unit_id"),
            ["org_unit_id"],
            unique=False,
        )

    op.create_table(
        "party_committee_memberships",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("committee_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("standing_committee", sa.Boolean(), nullable=False),
        sa.Column("term", sa.String(length=9), nullable=False),
        sa.Column("area_of_responsibility", sa.String(length=500), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("decision_no", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["org_units.id"],
            name=op.f("fk_party_committee_memberships_committee_id_org_units"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_party_committee_memberships_person_id_persons"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_committee_memberships")),
    )
    with op.batch_alter_table("party_committee_memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_party_committee_memberships_committee_id"),
            ["committee_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_party_committee_memberships_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "party_dues_payments",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("amount_vnd", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("exempt_reason", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_party_dues_payments_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_dues_payments")),
    )
    with op.batch_alter_table("party_dues_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_party_dues_payments_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "ix_party_dues_payments_person_month", ["person_id", "month"], unique=False
        )

    op.create_table(
        "party_transfers",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("from_cell_id", sa.Uuid(), nullable=True),
        sa.Column("from_organisation", sa.String(length=200), nullable=True),
        sa.Column("to_cell_id", sa.Uuid(), nullable=True),
        sa.Column("to_organisation", sa.String(length=200), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("letter_issued_on", sa.Date(), nullable=True),
        sa.Column("presented_on", sa.Date(), nullable=True),
        sa.Column("decision_no", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_cell_id"],
            ["org_units.id"],
            name=op.f("fk_party_transfers_from_cell_id_org_units"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_party_transfers_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["to_cell_id"], ["org_units.id"], name=op.f("fk_party_transfers_to_cell_id_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_transfers")),
    )
    with op.batch_alter_table("party_transfers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_party_transfers_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "party_probations",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("membership_id", sa.Uuid(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_no", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["party_memberships.id"],
            name=op.f("fk_party_probations_membership_id_party_memberships"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_party_probations_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_probations")),
    )
    with op.batch_alter_table("party_probations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_party_probations_membership_id"), ["membership_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_party_probations_person_id"), ["person_id"], unique=False
        )

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("end_kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("term_years", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reappointment_due_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("reappointment_due_on")
        batch_op.drop_column("term_years")
        batch_op.drop_column("end_kind")

    with op.batch_alter_table("party_probations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_probations_person_id"))
        batch_op.drop_index(batch_op.f("ix_party_probations_membership_id"))

    op.drop_table("party_probations")
    with op.batch_alter_table("party_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_transfers_person_id"))

    op.drop_table("party_transfers")
    with op.batch_alter_table("party_dues_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_party_dues_payments_person_month")
        batch_op.drop_index(batch_op.f("ix_party_dues_payments_person_id"))

    op.drop_table("party_dues_payments")
    with op.batch_alter_table("party_committee_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_committee_memberships_person_id"))
        batch_op.drop_index(batch_op.f("ix_party_committee_memberships_committee_id"))

    op.drop_table("party_committee_memberships")
    with op.batch_alter_table("party_register_reconciliations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_register_reconciliations_org_unit_id"))

    op.drop_table("party_register_reconciliations")
    with op.batch_alter_table("rule_parameters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_parameters_key"))

    op.drop_table("rule_parameters")
