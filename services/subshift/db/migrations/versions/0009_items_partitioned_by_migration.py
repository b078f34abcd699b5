"""``migration_items`` is partitioned by migration; items are read by outcome from an index; purges are recorded

- ``migration_items`` becomes ``PARTITION BY LIST (migration_id)`` with one partition per migration
  (``migration_items_<id as hex>``, fillfactor 50 as before), so a finished migration's items can be
  purged by dropping a table (no row-by-row ``DELETE``, no dead tuples among the others' items), and
  every query that names a migration reads its partition alone. The running service creates each new
  migration's partition (``subshift.lifecycle.storage``). The columns, their defaults (revision 0002's
  ``gen_random_uuid()`` event id), the outcome check and the primary key are the same.
- A finished migration's partition is indexed on ``(outcome, row_number)`` (``migration_items_<hex>_outcome``):
  a page of its items by outcome is an index range instead of a walk of its primary key. A running
  migration's partition has no such index, so the consumer's outcome update stays heap-only (HOT); the
  service indexes it when it finishes (docs/performance/items-by-outcome-index.md gives the costs).
- ``migrations.items_purged_at``: when the migration's items were purged (NULL while they are kept).

The rows move in one ``INSERT … SELECT``, which routes each to its migration's partition; the old
table is dropped after. Each partition is created for a migration that is not REJECTED (a refused
upload stages nothing), and for any migration id found among the items without a migration row.
The downgrade moves every kept item back into one plain table (purged items are gone for good).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_FILLFACTOR = 50
_OUTCOMES = "'pending', 'applied', 'skipped', 'conflict', 'not_found', 'rejected', 'cancelled', 'dead_lettered'"

# The columns of revision 0001 as later revisions left them; ``{options}`` ends the statement.
_COLUMNS = f"""
    migration_id uuid NOT NULL,
    row_number bigint NOT NULL,
    user_id text NOT NULL,
    current_offer text NOT NULL,
    target_offer text NOT NULL,
    event_id uuid DEFAULT gen_random_uuid(),
    outcome text NOT NULL DEFAULT 'pending',
    reason text NOT NULL DEFAULT '',
    column_name text NOT NULL DEFAULT '',
    trace_parent text,
    published_at timestamptz,
    kafka_partition integer,
    kafka_offset bigint,
    outcome_at timestamptz,
    previous_offer text,
    dlt_partition integer,
    dlt_offset bigint,
    CONSTRAINT ck_migration_items_outcome CHECK (outcome IN ({_OUTCOMES})),
    CONSTRAINT pk_migration_items PRIMARY KEY (migration_id, row_number)
"""

_NAMES = ("migration_id, row_number, user_id, current_offer, target_offer, event_id, outcome, reason, column_name, "
          "trace_parent, published_at, kafka_partition, kafka_offset, outcome_at, previous_offer, dlt_partition, "
          "dlt_offset")

_PARTITIONED_IDS = """
SELECT id::text FROM migrations WHERE state <> 'rejected'
UNION
SELECT DISTINCT migration_id::text FROM migration_items_unpartitioned
"""
_FINISHED = "('succeeded', 'succeeded_with_errors', 'cancelled', 'failed')"
_FINISHED_IDS = f"SELECT id::text FROM migrations WHERE state IN {_FINISHED}"  # noqa: S608 - constants


def upgrade() -> None:
    op.add_column("migrations", sa.Column("items_purged_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("ALTER TABLE migration_items RENAME TO migration_items_unpartitioned")
    op.execute("ALTER INDEX pk_migration_items RENAME TO pk_migration_items_unpartitioned")
    op.execute(f"CREATE TABLE migration_items ({_COLUMNS}) PARTITION BY LIST (migration_id)")
    connection = op.get_bind()
    for (text,) in connection.execute(sa.text(_PARTITIONED_IDS)).all():
        migration_id = uuid.UUID(text)  # checked: the id is spelt into the statement
        op.execute(f"CREATE TABLE migration_items_{migration_id.hex} PARTITION OF migration_items "
                   f"FOR VALUES IN ('{migration_id}') WITH (fillfactor = {_FILLFACTOR})")
    op.execute(f"INSERT INTO migration_items ({_NAMES}) SELECT {_NAMES} FROM migration_items_unpartitioned")  # noqa: S608
    op.execute("DROP TABLE migration_items_unpartitioned")
    for (text,) in connection.execute(sa.text(_FINISHED_IDS)).all():
        name = f"migration_items_{uuid.UUID(text).hex}"
        op.execute(f"CREATE INDEX {name}_outcome ON {name} (outcome, row_number)")


def downgrade() -> None:
    op.execute("ALTER TABLE migration_items RENAME TO migration_items_partitioned")
    op.execute("ALTER INDEX pk_migration_items RENAME TO pk_migration_items_partitioned")
    op.execute("ALTER TABLE migration_items_partitioned RENAME CONSTRAINT ck_migration_items_outcome "
               "TO ck_migration_items_outcome_partitioned")
    op.execute(f"CREATE TABLE migration_items ({_COLUMNS}) WITH (fillfactor = {_FILLFACTOR})")
    op.execute(f"INSERT INTO migration_items ({_NAMES}) SELECT {_NAMES} FROM migration_items_partitioned")  # noqa: S608
    op.execute("DROP TABLE migration_items_partitioned")  # its partitions go with it
    op.drop_column("migrations", "items_purged_at")
