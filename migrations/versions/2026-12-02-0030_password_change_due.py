"""password_change_due: users who signed in with a one-time password and must choose their own
(the demo administrator ``make run`` creates)

Compatibility: a new table, nothing else changes. Holds no secret (the hash stays in users).

Revision ID: 5b7c1e9d2a43
Revises: 8d2e6b4f1a90
Create Date: 2026-12-02 00:30:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5b7c1e9d2a43"
down_revision = "8d2e6b4f1a90"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "password_change_due",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_password_change_due_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_password_change_due")),
    )


def downgrade() -> None:
    op.drop_table("password_change_due")
