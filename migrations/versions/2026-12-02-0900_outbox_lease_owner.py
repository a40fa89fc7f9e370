"""outbox lease owner: the run that holds an item's lease (``sync_outbox.lease_owner``), so a
push run, which holds the job lock, knows every lease it did not take belongs to a dead run

Compatibility: additive and nullable. Leases taken before this revision have no owner; the
next push run takes them back like any lease that is not its own.

Revision ID: 3f0c9a1d7e42
Revises: 6cb97b7975be
Create Date: 2026-12-02 09:00:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '3f0c9a1d7e42'
down_revision = '6cb97b7975be'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL lock_timeout = '5s'")
    with op.batch_alter_table('sync_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_owner', sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sync_outbox', schema=None) as batch_op:
        batch_op.drop_column('lease_owner')
