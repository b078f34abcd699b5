"""The relay's work queue moves to a narrow ``outbox`` table; item updates become HOT

Every item used to be rewritten with new entries in four indexes twice: once when the relay
marked it published and once when the consumer recorded its outcome. The partial index that
served as the relay's queue named ``published_at`` and ``outcome`` in its predicate, and
``ix_migration_items_migration_outcome`` indexed ``outcome``, so neither update could be a
heap-only tuple (HOT) update. What this saves, measured: docs/performance/outbox-queue-and-hot-updates.md.

- ``outbox`` holds each staged item the broker has not yet acknowledged, with what its event
  carries; the relay claims from it alone (``FOR UPDATE SKIP LOCKED``, one index range, no join
  whose plan depends on statistics a new upload does not have yet) and deletes what it marks.
- The queue index, the outcome index and the unique index on ``event_id`` (never looked up;
  PostgreSQL generates the ids) are dropped. Whether a migration has pending items is read
  from its counters; listing items by outcome walks the primary key.
- ``migration_items`` keeps half of each page free (fillfactor 50), room for the two updates
  of each item to stay on its page.
- The foreign key from items to migrations is dropped: its per-row check halved the speed of
  staging's COPY. Items are written only by staging and revert, in the transaction that
  inserts their migration, and migrations are never deleted.
- ``subscriptions`` loses its index on ``offer_code`` and its foreign key to ``offers``, and keeps
  a fifth of each page free: the apply's compare-and-set then rewrites a subscription in place
  (HOT) without a per-row trigger. Its statement only moves a subscriber to an offer that exists,
  and offers are never deleted (a retired offer is marked inactive). The foreign-key trigger was a
  sixth of an apply round (the same record).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_QUEUE_PREDICATE = "published_at IS NULL AND outcome = 'pending'"


def upgrade() -> None:
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
    op.execute("UPDATE migration_items SET event_id = gen_random_uuid() "  # noqa: S608 - constant text
               f"WHERE event_id IS NULL AND {_QUEUE_PREDICATE}")
    op.execute("INSERT INTO outbox (migration_id, row_number, event_id, user_id, current_offer, target_offer, "  # noqa: S608
               "trace_parent) SELECT migration_id, row_number, event_id, user_id, current_offer, target_offer, "
               f"trace_parent FROM migration_items WHERE {_QUEUE_PREDICATE}")
    op.drop_index("ix_migration_items_unpublished", table_name="migration_items",
                  postgresql_where=sa.text(_QUEUE_PREDICATE))
    op.drop_index("ix_migration_items_migration_outcome", table_name="migration_items")
    op.drop_index("ix_migration_items_event_id", table_name="migration_items")
    op.drop_constraint("fk_migration_items_migration_id_migrations", "migration_items", type_="foreignkey")
    op.execute("ALTER TABLE migration_items SET (fillfactor = 50)")
    op.drop_constraint("fk_subscriptions_offer_code_offers", "subscriptions", type_="foreignkey")
    op.drop_index("ix_subscriptions_offer_code", table_name="subscriptions")
    op.execute("ALTER TABLE subscriptions SET (fillfactor = 80)")


def downgrade() -> None:
    op.execute("ALTER TABLE subscriptions RESET (fillfactor)")
    op.create_index("ix_subscriptions_offer_code", "subscriptions", ["offer_code"])
    op.create_foreign_key("fk_subscriptions_offer_code_offers", "subscriptions", "offers", ["offer_code"], ["code"])
    op.execute("ALTER TABLE migration_items RESET (fillfactor)")
    op.create_foreign_key("fk_migration_items_migration_id_migrations", "migration_items", "migrations",
                          ["migration_id"], ["id"])
    op.create_index("ix_migration_items_event_id", "migration_items", ["event_id"], unique=True)
    op.create_index("ix_migration_items_migration_outcome", "migration_items",
                    ["migration_id", "outcome", "row_number"])
    op.create_index("ix_migration_items_unpublished", "migration_items", ["migration_id", "row_number"],
                    postgresql_where=sa.text(_QUEUE_PREDICATE))
    op.drop_table("outbox")
