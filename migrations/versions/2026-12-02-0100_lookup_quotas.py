"""lookup quotas: a token's own quota of exact identification-number lookups a minute
(``api_tokens.lookups_per_minute``, null for the default of API tokens) and the counters
every serving process shares (``lookup_windows``: caller, clock minute, lookups taken)

Compatibility: additive. Existing tokens get null (the default quota); the counters start
empty. The old in-process limit is gone, so a rolling upgrade counts from zero once.

Revision ID: 7b4d2e9c1a53
Revises: 3c6f0d2a9e41
Create Date: 2026-12-02 01:00:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7b4d2e9c1a53"
down_revision = "3c6f0d2a9e41"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL lock_timeout = '5s'")
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("lookups_per_minute", sa.Integer(), nullable=True))
    op.create_table(
        "lookup_windows",
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("minute", sa.BigInteger(), nullable=False),
        sa.Column("lookups", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject", "minute", name=op.f("pk_lookup_windows")),
    )


def downgrade() -> None:
    op.drop_table("lookup_windows")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("lookups_per_minute")
