"""The relay publishes from ``migration_items`` behind a per-migration cursor; the ``outbox`` table goes

With the ``outbox`` table every item was written three more times after staging: inserted into
the outbox, locked by the relay's claim and deleted when acknowledged (then vacuumed). A
migration's items are published in row order, so one number says how far the broker has
acknowledged them: ``migrations.publish_cursor``. The relay reads the items after it (a range of
the primary key) and moves it once per batch; it writes nothing per item, and staging no longer
copies the items a second time. Relays side by side take different migrations for a batch with
an advisory lock instead of row locks.

What the cursor saves, measured: docs/performance/relay-publish-cursor.md.

Upgrade: a migration with outbox rows gets the cursor just before its first one and its
``published`` counter recounted up to there (acknowledged items after a gap are published again;
the consumer ignores a repeat); a migration without outbox rows gets the cursor after its last item.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("migrations", sa.Column("publish_cursor", sa.BigInteger(), server_default=sa.text("0"),
                                          nullable=False))
    op.execute(
        """
        UPDATE migrations m SET publish_cursor = COALESCE(
            (SELECT min(o.row_number) - 1 FROM outbox o WHERE o.migration_id = m.id),
            (SELECT max(i.row_number) FROM migration_items i WHERE i.migration_id = m.id),
            0)
        """
    )
    op.execute(
        """
        UPDATE migrations m SET published = (
            SELECT count(*) FROM migration_items i
            WHERE i.migration_id = m.id AND i.event_id IS NOT NULL AND i.row_number <= m.publish_cursor)
        WHERE m.id IN (SELECT DISTINCT migration_id FROM outbox)
        """
    )
    op.drop_table("outbox")


def downgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("migration_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("current_offer", sa.Text(), nullable=False),
        sa.Column("target_offer", sa.Text(), nullable=False),
        sa.Column("trace_parent", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("migration_id", "row_number", name=op.f("pk_outbox")),
    )
    op.execute(
        """
        INSERT INTO outbox (migration_id, row_number, event_id, user_id, current_offer, target_offer, trace_parent)
        SELECT i.migration_id, i.row_number, i.event_id, i.user_id, i.current_offer, i.target_offer, i.trace_parent
        FROM migration_items i JOIN migrations m ON m.id = i.migration_id
        WHERE i.row_number > m.publish_cursor AND i.event_id IS NOT NULL AND i.outcome = 'pending'
        """
    )
    op.drop_column("migrations", "publish_cursor")
