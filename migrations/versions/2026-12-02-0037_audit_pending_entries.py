"""audit pending entries: a request commits its audit entry unsequenced
(``audit_pending``); the sequencer moves entries into the chain (``audit_events``, which
now names the entry each event came from in ``entry_id``)

Compatibility: additive. Existing events keep a null ``entry_id``. On PostgreSQL a pending
entry can be neither updated nor truncated, and deleted only once its event is on the chain
(the sequencer's move, in one transaction); ``audit_events`` stays append-only.

Revision ID: 3c6f0d2a9e41
Revises: 5e1f0a7c9b21
Create Date: 2026-12-02 00:37:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "3c6f0d2a9e41"
down_revision = "5e1f0a7c9b21"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# One check per DELETE statement over the rows it removed (a transition table), not a
# trigger call per row: the sequencer removes thousands at a time.
_PENDING_FN = """
CREATE FUNCTION cadre_audit_pending_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM gone g WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.entry_id = g.id)
  ) THEN
    RAISE EXCEPTION 'DELETE on audit_pending is refused: an entry leaves only into the chain'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END;
$$
"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "audit_pending",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("org_scope", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_pending")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entry_id", BigId, nullable=True))
        batch_op.create_index("ix_audit_events_entry", ["entry_id"], unique=True)
    if postgres:
        op.execute(_PENDING_FN)
        op.execute(
            "CREATE TRIGGER audit_pending_append_only BEFORE UPDATE ON audit_pending "
            "FOR EACH ROW EXECUTE FUNCTION cadre_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_pending_moved AFTER DELETE ON audit_pending "
            "REFERENCING OLD TABLE AS gone "
            "FOR EACH STATEMENT EXECUTE FUNCTION cadre_audit_pending_moved()"
        )
        op.execute(
            "CREATE TRIGGER audit_pending_no_truncate BEFORE TRUNCATE ON audit_pending "
            "FOR EACH STATEMENT EXECUTE FUNCTION cadre_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger in ("append_only", "moved", "no_truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_pending_{trigger} ON audit_pending")
        op.execute("DROP FUNCTION IF EXISTS cadre_audit_pending_moved()")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_entry")
        batch_op.drop_column("entry_id")
    op.drop_table("audit_pending")
