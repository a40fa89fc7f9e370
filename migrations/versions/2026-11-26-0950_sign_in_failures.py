"""sign_in_failures: failed sign-ins per (digest of a) client address, shared by every
process serving the pages

Revision ID: 8f1622d51745
Revises: 990ed04cbb0b
Create Date: 2026-11-26 09:50:24.494178+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '8f1622d51745'
down_revision = '990ed04cbb0b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_failures',
    sa.Column('address_key', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('address_key', name=op.f('pk_sign_in_failures'))
    )


def downgrade() -> None:
    op.drop_table('sign_in_failures')
