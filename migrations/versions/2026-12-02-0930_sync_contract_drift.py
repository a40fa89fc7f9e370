"""sync contract drift: the fields each external system sends outside its contract
(``sync_contract_drift``: system, path, first and last seen, count), for ``cadre sync status``

Compatibility: a new table, nothing else changes. Holds field paths only, never values.

Revision ID: 8d2e6b4f1a90
Revises: 3f0c9a1d7e42
Create Date: 2026-12-02 09:30:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "8d2e6b4f1a90"
down_revision = "3f0c9a1d7e42"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "sync_contract_drift",
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("system", "path", name=op.f("pk_sync_contract_drift")),
    )


def downgrade() -> None:
    op.drop_table("sync_contract_drift")
