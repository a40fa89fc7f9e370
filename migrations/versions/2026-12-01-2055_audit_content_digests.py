"""audit content digests: each event that records a history version carries the version's
SHA-256 (``audit_events.content_digest``), and the head notes which versions predate it

Compatibility: additive. Existing events keep a null digest and hash as before; the history
versions already stored are marked as older than digests (``audit_head.versions_before_digests``)
so ``cadre audit verify`` does not look for digests they never had.

Revision ID: 6cb97b7975be
Revises: 8f1622d51745
Create Date: 2026-12-01 20:55:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '6cb97b7975be'
down_revision = '8f1622d51745'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL lock_timeout = '5s'")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_digest', sa.String(length=64), nullable=True))
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'versions_before_digests',
                sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                nullable=True,
            )
        )
    op.execute(
        "UPDATE audit_head SET versions_before_digests = "
        "(SELECT MAX(seq) FROM record_versions) WHERE id = 1"
    )


def downgrade() -> None:
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('versions_before_digests')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('content_digest')
