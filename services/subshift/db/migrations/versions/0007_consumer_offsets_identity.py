"""``consumer_offsets`` rows carry the Kafka cluster id and topic id their offsets count

An offset is a position in one topic on one cluster. Without the identity, offsets stored before
a topic was deleted and recreated, or before a move to another cluster, were taken for the new
topic's: its records below them were dropped as "already applied" and their migrations never
finished. Rows stored before this revision have no identity (NULL); the consumer stamps them on
its next commit and still checks their offsets against each partition's end.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("consumer_offsets", sa.Column("cluster_id", sa.Text(), nullable=True))
    op.add_column("consumer_offsets", sa.Column("topic_id", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("consumer_offsets", "topic_id")
    op.drop_column("consumer_offsets", "cluster_id")
