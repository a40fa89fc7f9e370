"""alerts.basis (what an alert's explanation was made of, so a run rewrites only the alerts
whose explanation changed) and an index to match alerts to a run's findings by post

Revision ID: 990ed04cbb0b
Revises: bc9b99794c79
Create Date: 2026-11-26 09:44:04.134137+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '990ed04cbb0b'
down_revision = 'bc9b99794c79'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_alerts_position_id'), ['position_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_position_id'))
        batch_op.drop_column('basis')

